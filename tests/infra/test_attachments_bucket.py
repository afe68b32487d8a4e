"""The attachments bucket is private and hardened (issue 20): no public access and no ACLs,
encrypted by default, TLS only, and incomplete multipart uploads aborted after a day."""

from typing import Any

from devtools.template import load_template


def _resources() -> dict[str, Any]:
    resources: dict[str, Any] = load_template()["Resources"]
    return resources


def test_the_bucket_blocks_every_public_access_and_disables_acls() -> None:
    bucket = _resources()["AttachmentsBucket"]["Properties"]

    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def test_the_bucket_encrypts_by_default_and_aborts_incomplete_multipart_uploads_after_a_day() -> None:
    bucket = _resources()["AttachmentsBucket"]["Properties"]

    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    aborts = [rule for rule in bucket["LifecycleConfiguration"]["Rules"] if "AbortIncompleteMultipartUpload" in rule]
    assert [(rule["Status"], rule["AbortIncompleteMultipartUpload"]) for rule in aborts] == [
        ("Enabled", {"DaysAfterInitiation": 1})
    ]
    assert "Prefix" not in aborts[0] and "Filter" not in aborts[0]  # every upload, whatever its key


def test_the_bucket_policy_refuses_every_request_without_tls() -> None:
    policy = _resources()["AttachmentsBucketPolicy"]["Properties"]

    assert policy["Bucket"] == {"Ref": "AttachmentsBucket"}
    denials = [
        statement
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert len(denials) == 1
    assert denials[0]["Principal"] == "*" and denials[0]["Action"] == "s3:*"
    # The bucket itself and every object in it
    assert denials[0]["Resource"] == [
        {"Fn::GetAtt": ["AttachmentsBucket", "Arn"]},
        {"Fn::Sub": "${AttachmentsBucket.Arn}/*"},
    ]


def test_the_functions_are_told_the_bucket_and_no_other_s3_endpoint_in_aws() -> None:
    variables = load_template()["Globals"]["Function"]["Environment"]["Variables"]

    assert variables["ATTACHMENTS_BUCKET"] == {"Ref": "AttachmentsBucket"}
    assert variables["S3_ENDPOINT_URL"] == ""
