"""Shared code of the Conversations API: models, rules, storage and HTTP glue."""
