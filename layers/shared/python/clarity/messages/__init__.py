"""Messages: what conversations are made of."""
