"""The event log over any store: chains new events onto a stream and appends them atomically."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ._storage import NewEvent, Storage, StoredEvent, chain


class EventLog:
    """Appends attributed events to streams of a :class:`Storage`, hash-chained.

    ``append`` reads the stream's head, so callers that already know it (projections) pass
    ``after`` to skip that read; either way a concurrent writer is caught by the store's
    optimistic version check and nothing is half-written.
    """

    def __init__(self, store: Storage) -> None:
        self.store = store

    def head(self, stream: str) -> StoredEvent | None:
        last: StoredEvent | None = None
        for last in self.store.read(stream):  # noqa: B007 - we want the final one
            pass
        return last

    def append(self, stream: str, events: Sequence[NewEvent], *,
               after: StoredEvent | None = None, known_head: bool = False) -> list[StoredEvent]:
        """Append ``events`` to ``stream`` after its head (read here unless ``known_head``)."""
        head = after if known_head else self.head(stream)
        stored = chain(stream, head, events)
        self.store.append(stream, 0 if head is None else head.version, stored)
        return stored

    def read(self, stream: str, start: int = 1) -> Iterator[StoredEvent]:
        return self.store.read(stream, start)
