"""Attachments: files sent in messages, their records in DynamoDB and their bytes in S3."""
