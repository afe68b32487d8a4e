"""What an operator needs from the template: logs kept for a set time, sign-up a choice, alarms,
a webhook pipeline that retries what fails, bounds it, keeps what it gives up on, encrypted, and
error bodies that link where the operator publishes docs/errors.md."""

import re
from typing import Any

import pytest

from clarity.core.settings import ERRORS_DOCUMENTATION_URL_DEFAULT, WebhookSettings
from clarity.webhooks.delivery import RetrySchedule
from devtools.template import function_environment, load_template

RESOURCES: dict[str, Any] = load_template()["Resources"]
PARAMETERS: dict[str, Any] = load_template()["Parameters"]
GLOBALS: dict[str, Any] = load_template()["Globals"]["Function"]
# Every function: the API's and the webhook workers.
FUNCTIONS = sorted(name for name, resource in RESOURCES.items() if resource["Type"] == "AWS::Serverless::Function")
QUEUES = ["WebhookDeliveryQueue", "WebhookDeadLetterQueue", "WebhookStreamFailureQueue"]


def test_every_log_group_is_declared_with_the_retention_parameter() -> None:
    assert PARAMETERS["LogRetentionDays"]["Default"] == 30
    for function in FUNCTIONS:
        group = RESOURCES[function]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert RESOURCES[group]["Type"] == "AWS::Logs::LogGroup"
        assert RESOURCES[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert RESOURCES["ApiAccessLogs"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    groups = [name for name, resource in RESOURCES.items() if resource["Type"] == "AWS::Logs::LogGroup"]
    assert len(groups) == len(FUNCTIONS) + 1


def test_only_administrators_create_users_unless_self_sign_up_is_chosen() -> None:
    assert PARAMETERS["AllowSelfSignUp"]["Default"] == "false"
    config = RESOURCES["UserPool"]["Properties"]["AdminCreateUserConfig"]
    assert config["AllowAdminCreateUserOnly"] == {"Fn::If": ["SelfSignUp", False, True]}
    assert load_template()["Conditions"]["SelfSignUp"] == {"Fn::Equals": [{"Ref": "AllowSelfSignUp"}, "true"]}


def test_every_function_links_errors_to_the_page_the_operator_chooses() -> None:
    parameter = PARAMETERS["ErrorsDocumentationUrl"]
    assert GLOBALS["Environment"]["Variables"]["ERRORS_DOCUMENTATION_URL"] == {"Ref": "ErrorsDocumentationUrl"}
    # The template's default and the code's are one page: the one `make run` serves.
    assert parameter["Default"] == ERRORS_DOCUMENTATION_URL_DEFAULT
    assert function_environment("t")["ERRORS_DOCUMENTATION_URL"] == ERRORS_DOCUMENTATION_URL_DEFAULT


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://docs.example.com/clarity/errors", True),
        ("http://127.0.0.1:3000/docs/errors", True),
        ("docs/errors.md", False),
        ("https://", False),
        ("https://docs.example.com/my errors", False),
    ],
)
def test_the_errors_page_parameter_takes_only_an_absolute_http_url(url: str, allowed: bool) -> None:
    # CloudFormation matches AllowedPattern against the whole value.
    pattern = PARAMETERS["ErrorsDocumentationUrl"]["AllowedPattern"]
    assert (re.fullmatch(pattern, url) is not None) is allowed


def _metric_names(alarm: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (metric["MetricStat"]["Metric"]["Namespace"], metric["MetricStat"]["Metric"]["MetricName"])
        for metric in alarm["Properties"]["Metrics"]
        if "MetricStat" in metric
    }


def test_every_function_and_the_api_have_an_alarm_sent_to_the_optional_topic() -> None:
    alarms = {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    watched = {}
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == {
            "Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]
        }, name
        for metric in alarm["Properties"]["Metrics"]:
            for dimension in metric.get("MetricStat", {}).get("Metric", {}).get("Dimensions", []):
                if dimension["Name"] == "FunctionName":
                    watched[dimension["Value"]["Ref"]] = _metric_names(alarm)
    assert watched == {f: {("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles")} for f in FUNCTIONS}
    api_alarm = alarms["ApiServerErrorRateAlarm"]
    assert _metric_names(api_alarm) == {("AWS/ApiGateway", "5xx"), ("AWS/ApiGateway", "Count")}
    assert PARAMETERS["AlarmTopicArn"]["Default"] == ""


def _event_source(function: str, source_type: str) -> dict[str, Any]:
    [event] = RESOURCES[function]["Properties"]["Events"].values()
    assert event["Type"] == source_type
    properties: dict[str, Any] = event["Properties"]
    return properties


def _watched_queues(alarm: dict[str, Any]) -> set[str]:
    return {
        dimension["Value"]["Fn::GetAtt"][0]
        for metric in alarm["Properties"]["Metrics"]
        for dimension in metric.get("MetricStat", {}).get("Metric", {}).get("Dimensions", [])
        if dimension["Name"] == "QueueName"
    }


def test_the_dead_letter_alarm_watches_what_the_pipeline_gave_up_on() -> None:
    alarm = RESOURCES["WebhookDeadLetterAlarm"]

    assert alarm["Type"] == "AWS::CloudWatch::Alarm"
    assert _watched_queues(alarm) == {"WebhookDeadLetterQueue", "WebhookStreamFailureQueue"}
    assert _metric_names(alarm) == {("AWS/SQS", "ApproximateNumberOfMessagesVisible")}
    assert alarm["Properties"]["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["Properties"]["Threshold"] == 1  # one message given up on is worth a look
    assert alarm["Properties"]["AlarmActions"] == {
        "Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]
    }


def test_every_queue_is_encrypted() -> None:
    queues = sorted(name for name, resource in RESOURCES.items() if resource["Type"] == "AWS::SQS::Queue")

    assert queues == sorted(QUEUES)
    for name in queues:
        properties = RESOURCES[name]["Properties"]
        assert properties.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in properties, name


def test_the_stream_is_read_with_bisection_partial_batches_bounded_retries_and_a_place_for_failures() -> None:
    table = RESOURCES["ConversationsTable"]["Properties"]
    source = _event_source("WebhookEventsFunction", "DynamoDB")

    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert source["Stream"] == {"Fn::GetAtt": ["ConversationsTable", "StreamArn"]}
    assert source["BisectBatchOnFunctionError"] is True
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 0 <= source["MaximumRetryAttempts"] <= 10_000  # -1 (the default) retries until the record expires
    assert source["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["WebhookStreamFailureQueue", "Arn"]},
    }


def test_the_delivery_queue_reports_partial_batches_and_outlasts_six_function_timeouts() -> None:
    source = _event_source("WebhookDeliveryFunction", "SQS")
    queue = RESOURCES["WebhookDeliveryQueue"]["Properties"]
    timeout = RESOURCES["WebhookDeliveryFunction"]["Properties"].get("Timeout", GLOBALS["Timeout"])

    assert source["Queue"] == {"Fn::GetAtt": ["WebhookDeliveryQueue", "Arn"]}
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert queue["VisibilityTimeout"] >= 6 * timeout  # AWS's advice for a queue a function polls
    # A delivery whose function keeps crashing still ends in the dead-letter queue, but only
    # after the attempts the function makes itself (it dead-letters the last, logged and counted).
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["WebhookDeadLetterQueue", "Arn"]}
    assert queue["RedrivePolicy"]["maxReceiveCount"] > WebhookSettings().max_attempts


def test_a_delivery_is_kept_longer_than_its_retries_can_take() -> None:
    assert not {"WEBHOOK_RETRY_BASE_SECONDS", "WEBHOOK_RETRY_CAP_SECONDS", "WEBHOOK_MAX_ATTEMPTS"} & set(
        function_environment("table")
    )
    settings = WebhookSettings()  # so AWS runs the defaults
    schedule = RetrySchedule(settings.retry_base_seconds, cap_seconds=settings.retry_cap_seconds)
    longest = sum(schedule.delay_after(attempt, draw=lambda: 1.0) for attempt in range(1, settings.max_attempts))

    assert RESOURCES["WebhookDeliveryQueue"]["Properties"]["MessageRetentionPeriod"] > longest
