"""Developer tooling: the local API server, its token issuer, and template readers shared with tests."""
