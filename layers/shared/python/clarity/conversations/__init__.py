"""Conversations: the containers of messages between the caller, a contact or a group."""
