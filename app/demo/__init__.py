"""Demo data: accounts for `make run` and `flask seed`, and learners for the trainer overview; never on the request path."""
