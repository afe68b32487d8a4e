"""HTTP glue: the resolver every function uses, request bodies, auth and the error map."""
