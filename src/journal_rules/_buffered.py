"""A store middleware that holds appends in memory until ``flush``: tinydb's CachingMiddleware
for event stores. Bulk writers (the generator, imports) use it to write each stream in one
batch instead of one durable write per event."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from ._errors import VersionConflict
from ._storage import Storage, StoredEvent, StreamInfo, append_all, check_batch, sort_key


class BufferedStore(Storage):
    """Wraps a :class:`Storage`; reads see buffered events, ``flush`` writes them through.

    Appends are checked against the versions the wrapped store had plus what is buffered, so the
    optimistic-concurrency contract holds; another writer's append to the same stream is caught
    at ``flush`` by the wrapped store. Not for sharing between threads.
    """

    def __init__(self, inner: Storage) -> None:
        self.inner = inner
        self._base: dict[str, list[StoredEvent]] = {}
        self._pending: dict[str, list[StoredEvent]] = {}

    def _inner_events(self, stream: str) -> list[StoredEvent]:
        events = self._base.get(stream)
        if events is None:
            events = self._base[stream] = list(self.inner.read(stream))
        return events

    def append(self, stream: str, expected_version: int, events: Sequence[StoredEvent]) -> None:
        check_batch(stream, expected_version, events)
        current = len(self._inner_events(stream)) + len(self._pending.get(stream, ()))
        if current != expected_version:
            raise VersionConflict(stream, expected_version, current)
        if events:
            self._pending.setdefault(stream, []).extend(events)

    def read(self, stream: str, start: int = 1) -> Iterator[StoredEvent]:
        events = self._inner_events(stream) + self._pending.get(stream, [])
        return iter(events[max(start, 1) - 1:])

    def read_recorded(self, since: datetime | None = None,
                      until: datetime | None = None) -> Iterator[StoredEvent]:
        pending = sorted((e for events in self._pending.values() for e in events
                          if (since is None or e.recorded_at >= since)
                          and (until is None or e.recorded_at < until)), key=sort_key)
        return heapq.merge(self.inner.read_recorded(since, until), pending, key=sort_key)

    def streams(self) -> list[StreamInfo]:
        infos = {info.name: info for info in self.inner.streams()}
        for name, events in self._pending.items():
            if events:
                infos[name] = StreamInfo(name, events[-1].version, events[-1].hash)
        return [infos[name] for name in sorted(infos)]

    def pending(self) -> int:
        """How many events wait to be written."""
        return sum(len(events) for events in self._pending.values())

    def flush(self, stream: str | None = None) -> int:
        """Write buffered events through, one batch per stream; return how many were written."""
        names = [stream] if stream is not None else sorted(self._pending)
        written = 0
        for name in names:
            events = self._pending.pop(name, [])
            if not events:
                continue
            base = self._inner_events(name)
            self.inner.append(name, len(base), events)
            written += len(events)
            self._base.pop(name, None)  # re-read lazily rather than keep every event twice
        return written

    def commit(self, streams: Iterable[str] | None = None) -> int:
        """Write every buffered event (or those of ``streams``) through in ONE atomic step
        across streams (the wrapped store's ``append_all``): all of them are stored, or none.
        Return how many."""
        chosen = None if streams is None else set(streams)
        batches = [(name, len(self._inner_events(name)), events)
                   for name, events in sorted(self._pending.items())
                   if events and (chosen is None or name in chosen)]
        if not batches:
            return 0
        append_all(self.inner, batches)
        written = sum(len(events) for _, _, events in batches)
        for name, _, _ in batches:
            self._pending.pop(name, None)
            self._base.pop(name, None)
        return written

    def discard(self) -> None:
        """Forget every buffered event (nothing was written)."""
        self._pending.clear()
        self._base.clear()

    def close(self) -> None:
        """Flush, then close the wrapped store."""
        try:
            self.flush()
        finally:
            self.inner.close()
