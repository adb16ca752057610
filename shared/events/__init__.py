"""Integration events: envelope, catalogue, outbox, relay, inbox, consumer, topology."""

from shared.events.envelope import Envelope
from shared.events.outbox import record_event

__all__ = ["Envelope", "record_event"]
