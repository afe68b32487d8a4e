"""What an operator needs from the template: logs kept for a set time, sign-up a choice, alarms."""

from typing import Any

from devtools.template import function_routes, load_template

RESOURCES: dict[str, Any] = load_template()["Resources"]
PARAMETERS: dict[str, Any] = load_template()["Parameters"]
FUNCTIONS = sorted({route.logical_id for route in function_routes()})


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
