"""The webhook limits and the "every event" subscription, apart from the API's pydantic models:
the workers read them without loading pydantic."""

MAX_WEBHOOKS_PER_OWNER = 16
ALL_EVENTS = "*"
