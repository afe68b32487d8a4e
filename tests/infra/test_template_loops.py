"""devtools.template reads Fn::ForEach loops (AWS::LanguageExtensions) as the resources they make,
so the local server, the tests and the benchmarks see the template CloudFormation deploys."""

from typing import Any

import pytest

from devtools.template import expand_for_each

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
