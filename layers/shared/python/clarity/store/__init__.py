"""DynamoDB: the keys of the one table, and the mechanics every repository uses."""
