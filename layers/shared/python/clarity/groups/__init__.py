"""Groups: contacts you talk with together, in one conversation."""
