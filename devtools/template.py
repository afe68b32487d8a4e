"""Reads template.yaml, the single source of truth for routes, functions and the table."""

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"
TABLE_RESOURCE = "ConversationsTable"
IDEMPOTENCY_TABLE_RESOURCE = "IdempotencyTable"
ATTACHMENTS_BUCKET_RESOURCE = "AttachmentsBucket"
DELIVERY_QUEUE_RESOURCE = "WebhookDeliveryQueue"
DEAD_LETTER_QUEUE_RESOURCE = "WebhookDeadLetterQueue"
FOR_EACH_PREFIX = "Fn::ForEach::"
# The sections AWS::LanguageExtensions expands Fn::ForEach in (as whole entries; its loops inside
# resource properties are left alone here, the template has none).
FOR_EACH_SECTIONS = ("Conditions", "Resources", "Outputs")


class _CloudFormationLoader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation's short tags (!Ref, !Sub, ...) as plain mappings."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix == "Ref" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


@dataclass(frozen=True)
class FunctionRoute:
    logical_id: str
    method: str
    path: str
    code_uri: str
    handler: str

    @property
    def module_name(self) -> str:
        """The handler's module as imported from the repository root, e.g. functions.x.app."""
        module = self.handler.rsplit(".", 1)[0]
        return ".".join([*Path(self.code_uri).parts, module])

    @property
    def handler_attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]


def _substitute(node: Any, identifier: str, value: str) -> Any:
    """A loop's fragment for one item: ${Identifier} and &{Identifier} (the item without its
    non-alphanumeric characters) in keys and strings, and Ref: Identifier, become the item."""
    if isinstance(node, str):
        alphanumeric = re.sub(r"[^A-Za-z0-9]", "", value)
        return node.replace(f"${{{identifier}}}", value).replace(f"&{{{identifier}}}", alphanumeric)
    if isinstance(node, list):
        return [_substitute(item, identifier, value) for item in node]
    if not isinstance(node, dict):
        return node
    if node == {"Ref": identifier}:
        return value
    substituted = {
        _substitute(key, identifier, value): _substitute(item, identifier, value) for key, item in node.items()
    }
    # A Sub left with no variable is its string: so Ref: !Sub "${Identifier}Function" reads as the
    # plain Ref to the function the loop names, as the transform resolves it.
    text = substituted.get("Fn::Sub")
    if len(substituted) == 1 and isinstance(text, str) and "${" not in text:
        return text
    return substituted


def _entries(key: str, value: Any) -> Iterator[dict[str, Any]]:
    """What one entry of a section makes: itself, or a loop's entries for each of its items."""
    if not key.startswith(FOR_EACH_PREFIX):
        yield {key: value}
        return
    identifier, collection, fragment = value
    if not isinstance(collection, list):
        raise ValueError(f"{key}: only a literal list is expanded here, not {collection!r}")
    for item in collection:
        yield expand_for_each(_substitute(fragment, identifier, str(item)))


def expand_for_each(section: dict[str, Any]) -> dict[str, Any]:
    """A template section with its Fn::ForEach loops replaced by the entries they make, as the
    AWS::LanguageExtensions transform does before the SAM transform sees the template."""
    expanded: dict[str, Any] = {}
    for key, value in section.items():
        for made in _entries(key, value):
            if clashes := expanded.keys() & made.keys():
                raise ValueError(f"{key} makes logical ids that are taken: {sorted(clashes)}")
            expanded |= made
    return expanded


@cache
def load_template() -> dict[str, Any]:
    """The template as CloudFormation reads it after AWS::LanguageExtensions: loops expanded."""
    with TEMPLATE_PATH.open(encoding="utf-8") as stream:
        document: dict[str, Any] = yaml.load(stream, Loader=_CloudFormationLoader)  # noqa: S506 - SafeLoader subclass
    for section in FOR_EACH_SECTIONS:
        if section in document:
            document[section] = expand_for_each(document[section])
    return document


def function_routes() -> list[FunctionRoute]:
    """Every (method, path) the HTTP API routes, with the function that serves it."""
    routes = []
    for logical_id, resource in load_template()["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        for event in properties.get("Events", {}).values():
            if event["Type"] == "HttpApi":
                routes.append(
                    FunctionRoute(
                        logical_id=logical_id,
                        method=event["Properties"]["Method"].upper(),
                        path=event["Properties"]["Path"],
                        code_uri=properties["CodeUri"],
                        handler=properties["Handler"],
                    )
                )
    return routes


def import_handler(route: FunctionRoute) -> Any:
    module = importlib.import_module(route.module_name)
    return getattr(module, route.handler_attribute)


def import_function(logical_id: str) -> Any:
    """The handler of a function the template declares, HTTP or not (the webhook workers)."""
    properties = load_template()["Resources"][logical_id]["Properties"]
    route = FunctionRoute(logical_id, "", "", properties["CodeUri"], properties["Handler"])
    return import_handler(route)


def table_definition(table_name: str, resource: str = TABLE_RESOURCE, *, stream: bool = True) -> dict[str, Any]:
    """create_table arguments for one of the template's tables: same keys, same indexes."""
    properties = load_template()["Resources"][resource]["Properties"]
    definition = {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
    }
    if properties.get("GlobalSecondaryIndexes"):
        definition["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    if stream and properties.get("StreamSpecification"):
        definition["StreamSpecification"] = {"StreamEnabled": True, **properties["StreamSpecification"]}
    return definition


def idempotency_table_name(table_name: str) -> str:
    """The local name of the idempotency table that goes with a conversations table."""
    return f"{table_name}-idempotency"


def attachments_bucket_name(table_name: str) -> str:
    """The local name of the attachments bucket that goes with a conversations table."""
    return f"{table_name}-attachments"


def create_bucket(s3: Any, table_name: str) -> str:
    """Create the attachments bucket of a local conversations table unless it exists: its name."""
    name = attachments_bucket_name(table_name)
    try:
        s3.head_bucket(Bucket=name)
    except s3.exceptions.ClientError:
        s3.create_bucket(Bucket=name)
    return name


def create_table(client: Any, table_name: str, resource: str = TABLE_RESOURCE, *, stream: bool = True) -> None:
    """Create one of the template's tables unless it exists already."""
    try:
        client.describe_table(TableName=table_name)
        return
    except client.exceptions.ResourceNotFoundException:
        client.create_table(**table_definition(table_name, resource, stream=stream))
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})


def create_tables(client: Any, table_name: str, *, stream: bool = True) -> None:
    """The template's tables: conversations under `table_name`, and its idempotency table.

    `stream=False` leaves the change stream out, where nothing reads it: moto copies the whole
    table, stream included, before every transaction, which slows a big table down for nothing."""
    create_table(client, table_name, TABLE_RESOURCE, stream=stream)
    create_table(client, idempotency_table_name(table_name), IDEMPOTENCY_TABLE_RESOURCE)


def function_environment(table_name: str, queue_urls: dict[str, str] | None = None) -> dict[str, str]:
    """Every function's environment from the template (Globals, then each function's own),
    with references to the tables, queues and parameter defaults resolved for local use."""
    template = load_template()
    references = {
        TABLE_RESOURCE: table_name,
        IDEMPOTENCY_TABLE_RESOURCE: idempotency_table_name(table_name),
        ATTACHMENTS_BUCKET_RESOURCE: attachments_bucket_name(table_name),
        # Queues exist only where a pipeline runs; elsewhere their variables stay empty.
        DELIVERY_QUEUE_RESOURCE: "",
        DEAD_LETTER_QUEUE_RESOURCE: "",
        **(queue_urls or {}),
        **{name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()},
    }
    sources = [template["Globals"]["Function"]["Environment"]["Variables"]]
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            sources.append(resource["Properties"].get("Environment", {}).get("Variables", {}))
    environment = {}
    for variables in sources:
        for name, value in variables.items():
            environment[name] = references[value["Ref"]] if isinstance(value, dict) else str(value)
    return environment
