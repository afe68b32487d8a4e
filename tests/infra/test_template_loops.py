"""devtools.template reads Fn::ForEach loops (AWS::LanguageExtensions) as the resources they make,
so the local server, the tests and the benchmarks see the template CloudFormation deploys."""

import json
import os
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from devtools.template import ROOT, TEMPLATE_PATH, expand_for_each, load_template

SUB = "Fn::Sub"


def test_a_loop_makes_one_entry_for_each_item_and_keeps_the_others_as_they_are() -> None:
    section = {
        "Table": {"Type": "AWS::DynamoDB::Table"},
        "Fn::ForEach::Things": [
            "Name",
            ["Alpha", "Beta"],
            {
                "${Name}Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": {"Ref": "Days"}}},
                "${Name}Alarm": {
                    "Type": "AWS::CloudWatch::Alarm",
                    "Properties": {
                        "AlarmDescription": {SUB: "${Name}Function failed in ${AWS::Region}"},
                        "Label": {"Ref": "Name"},
                        "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": {SUB: "${Name}Function"}}}],
                    },
                },
            },
        ],
    }

    expanded = expand_for_each(section)

    assert list(expanded) == ["Table", "AlphaLogs", "AlphaAlarm", "BetaLogs", "BetaAlarm"]
    assert expanded["BetaLogs"] == {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": {"Ref": "Days"}}}
    alarm = expanded["BetaAlarm"]["Properties"]
    # Only the loop's identifier is substituted; a Sub with other variables stays a Sub.
    assert alarm["AlarmDescription"] == {SUB: "BetaFunction failed in ${AWS::Region}"}
    assert alarm["Label"] == "Beta"
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "BetaFunction"}}]


def test_ampersand_takes_the_item_without_its_non_alphanumeric_characters_and_loops_nest() -> None:
    section = {
        "Fn::ForEach::Outer": [
            "Path",
            ["list_conversations", "create-message"],
            {"Fn::ForEach::Inner": ["Kind", ["Errors", "Throttles"], {"&{Path}${Kind}": {SUB: "${Path}/${Kind}"}}]},
        ]
    }

    assert expand_for_each(section) == {
        "listconversationsErrors": "list_conversations/Errors",
        "listconversationsThrottles": "list_conversations/Throttles",
        "createmessageErrors": "create-message/Errors",
        "createmessageThrottles": "create-message/Throttles",
    }


@pytest.mark.parametrize(
    "section",
    [
        {"AlphaLogs": {}, "Fn::ForEach::Logs": ["Name", ["Alpha"], {"${Name}Logs": {}}]},
        {"Fn::ForEach::Logs": ["Name", ["Alpha", "Alpha"], {"${Name}Logs": {}}]},
    ],
)
def test_a_loop_that_makes_a_logical_id_twice_is_an_error(section: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="AlphaLogs"):
        expand_for_each(section)


def test_a_collection_from_a_parameter_is_refused_not_guessed() -> None:
    # CloudFormation would read the parameter's value at deploy time; here there is none to read.
    with pytest.raises(ValueError, match="literal list"):
        expand_for_each({"Fn::ForEach::Logs": ["Name", {"Ref": "Names"}, {"${Name}Logs": {}}]})


RESOURCES: dict[str, Any] = load_template()["Resources"]
FUNCTIONS = sorted(name for name, resource in RESOURCES.items() if resource["Type"] == "AWS::Serverless::Function")
LOOP = "Fn::ForEach::FunctionLogsAndAlarms"

# SAM CLI's own expansion of the template's loops (its environment is .venv-sam): logical id ->
# type, and the metrics of each alarm. Its other values are resolved with the parameters' defaults.
SAM_EXPANSION = """
import json, sys
from samcli.lib.cfn_language_extensions.sam_integration import expand_language_extensions
from samcli.yamlhelper import yaml_parse
with open(sys.argv[1], encoding="utf-8") as stream:
    template = yaml_parse(stream.read())
resources = expand_language_extensions(template, enabled=True).expanded_template["Resources"]
print(json.dumps({name: [r["Type"], r.get("Properties", {}).get("Metrics")] for name, r in resources.items()}))
"""


def test_sam_cli_is_told_to_expand_the_loops_first() -> None:
    # The language extensions run before the SAM transform, and SAM CLI runs them only when asked.
    assert load_template()["Transform"] == ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    assert config["default"]["global"]["parameters"]["language_extensions"] is True


def test_each_function_gets_its_log_group_and_alarm_from_the_loop() -> None:
    for function in FUNCTIONS:
        prefix = function.removesuffix("Function")
        hint = f"add {prefix} to {LOOP} in template.yaml"
        assert RESOURCES[function]["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": f"{prefix}Logs"}, hint
        assert RESOURCES.get(f"{prefix}Logs", {}).get("Type") == "AWS::Logs::LogGroup", hint
        assert RESOURCES.get(f"{prefix}FailureAlarm", {}).get("Type") == "AWS::CloudWatch::Alarm", hint


def test_the_template_reads_here_as_sam_cli_expands_it() -> None:
    sam = Path(os.environ.get("SAM_CLI", ROOT / ".venv-sam" / "bin" / "sam"))
    if not sam.exists():
        pytest.fail(f"aws-sam-cli is not installed at {sam}: run the tests with `make test`")
    completed = subprocess.run(
        [str(sam.parent / "python"), "-c", SAM_EXPANSION, str(TEMPLATE_PATH)],
        capture_output=True,
        text=True,
        check=True,
    )
    expanded = json.loads(completed.stdout)

    assert {name: kind for name, (kind, _) in expanded.items()} == {
        name: resource["Type"] for name, resource in RESOURCES.items()
    }
    for name, (kind, metrics) in expanded.items():
        if kind == "AWS::CloudWatch::Alarm":
            assert metrics == RESOURCES[name]["Properties"]["Metrics"], name
