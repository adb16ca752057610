"""Security tests of the four services: fuzzing, access control, tokens, hostile input."""
