"""Contacts: the people you talk with."""
