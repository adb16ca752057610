"""The project's common package: configuration, database, HTTP API setup, auth, events."""
