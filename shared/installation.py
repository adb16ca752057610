"""Which installation this is: the campus identity (``CAMPUS_ID``, e.g. ``lzxd``).

Stamped on every event the relay publishes (the AMQP ``app_id`` of the message, so an
envelope found on another broker — the province's, a shovel's — says whose it is, including
events written before the setting existed: the relay stamps a row when it sends it) and on
every workbook the services export (its ``dc:identifier``), and the same id the province link
publishes under (docs/province.md). Read from the environment once per process, like the
other settings; the default names an installation that was never given an id."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache

ENV = "CAMPUS_ID"
UNNAMED = "campus"  # an installation without CAMPUS_ID (development, tests)
# Lowercase letters, digits and -: the broker user a campus publishes to the province as.
PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,31}$")


def read_campus_id(env: Mapping[str, str]) -> str:
    """``CAMPUS_ID`` from ``env``, checked; ValueError naming the setting if malformed."""
    value = env.get("CAMPUS_ID") or UNNAMED
    if not PATTERN.match(value):
        raise ValueError(
            f"{ENV} must be lowercase letters, digits and -, 2–32 characters, got {value!r}"
        )
    return value


@cache
def campus_id() -> str:
    """This process's installation id (``CAMPUS_ID``), read once."""
    return read_campus_id(os.environ)
