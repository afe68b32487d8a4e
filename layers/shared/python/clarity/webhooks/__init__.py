"""Webhooks: registrations, the change events they receive, and their delivery."""
