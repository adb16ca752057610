"""The project's common package: configuration, database, HTTP API setup, auth, events."""

from shared import messages

# Marshmallow's validation messages in Chinese before any schema of any service is defined
# (fields copy their messages when they are made): see shared.messages.
messages.install()
