"""The events a gradebook records: their type names, the streams they belong to, their payloads,
and replaying them into projections (``EventLog``, ``replay_journal``)."""

from ._events import EVENT_TYPES, Stream, journal_stream, payload_of
from ._gradebook import replay_journal
from ._log import EventLog

__all__ = [
    "EVENT_TYPES",
    "EventLog",
    "Stream",
    "journal_stream",
    "payload_of",
    "replay_journal",
]
