"""What every resource shares: ids, errors, shared models, settings and observability."""
