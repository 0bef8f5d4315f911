"""The storage protocol: an append-only event store with streams, and the in-memory store.

An adapter implements four methods (``append``, ``read``, ``read_recorded``, ``streams``) plus
``close``, and ``append_all`` when it can append to several streams in one atomic step (imports
need it; see :func:`append_all`). Hashing, verification and every rule live in the core, so an
adapter stores records and keeps its promises (atomic batches, optimistic versions), nothing more.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Protocol, Self, runtime_checkable

import attrs

from ._errors import InvalidInput, Problem, StoreError, VersionConflict

GENESIS_HASH = "0" * 64


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise InvalidInput("event", [Problem("recorded_at must carry a time zone",
                                             path="recorded_at")])
    return value.astimezone(UTC)


@attrs.frozen
class StoredEvent:
    """One immutable, attributed, hash-chained event as a store keeps it.

    ``version`` is the event's 1-based position in its ``stream``; ``recorded_at`` is when it was
    recorded (UTC), ``occurred_on`` the date it concerns (a class day, a closing day), ``reason``
    the why where the SOP requires one. ``data`` is plain JSON data; ``hash`` covers every other
    field and the predecessor's hash, so an edit made behind the library's back shows.
    """

    stream: str
    version: int
    type: str
    actor: str
    recorded_at: datetime = attrs.field(converter=_utc)
    occurred_on: date | None
    reason: str | None
    data: Mapping[str, Any]
    prev_hash: str
    hash: str

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-able data, the form adapters persist."""
        return {
            "stream": self.stream,
            "version": self.version,
            "type": self.type,
            "actor": self.actor,
            "recorded_at": self.recorded_at.isoformat(),
            "occurred_on": None if self.occurred_on is None else self.occurred_on.isoformat(),
            "reason": self.reason,
            "data": dict(self.data),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> StoredEvent:
        """The inverse of :meth:`to_record`; a malformed record is a :class:`StoreError`."""
        fast = _from_plain_record(cls, record)
        if fast is not None:
            return fast
        try:
            occurred = record["occurred_on"]
            return cls(
                stream=str(record["stream"]),
                version=int(record["version"]),
                type=str(record["type"]),
                actor=str(record["actor"]),
                recorded_at=datetime.fromisoformat(str(record["recorded_at"])),
                occurred_on=None if occurred is None else date.fromisoformat(str(occurred)),
                reason=None if record["reason"] is None else str(record["reason"]),
                data=dict(record["data"]),
                prev_hash=str(record["prev_hash"]),
                hash=str(record["hash"]),
            )
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise StoreError(f"malformed event record {dict(record)!r}: {exc}") from exc

    def expected_hash(self) -> str:
        """The hash this event must carry given its content and its predecessor's hash."""
        return event_hash(
            stream=self.stream, version=self.version, type=self.type, actor=self.actor,
            recorded_at=self.recorded_at, occurred_on=self.occurred_on, reason=self.reason,
            data=self.data, prev_hash=self.prev_hash,
        )


_new = object.__new__
_set = object.__setattr__


def _from_plain_record(cls: type[StoredEvent], record: Mapping[str, Any]) -> StoredEvent | None:
    """:meth:`StoredEvent.from_record` without its coercions and converter, for the record a
    store wrote itself (every field of its JSON type, the time in UTC): reading a store builds
    hundreds of thousands of events, and the general path costs several times more. None when
    anything is unusual; the general path then decides."""
    try:
        stream, version, type_, actor = (record["stream"], record["version"], record["type"],
                                         record["actor"])
        recorded, occurred, reason, data = (record["recorded_at"], record["occurred_on"],
                                            record["reason"], record["data"])
        prev_hash, digest = record["prev_hash"], record["hash"]
    except (KeyError, TypeError):
        return None
    if not (type(stream) is str and type(version) is int and type(type_) is str
            and type(actor) is str and type(recorded) is str and type(data) is dict
            and type(prev_hash) is str and type(digest) is str
            and (reason is None or type(reason) is str)
            and (occurred is None or type(occurred) is str)):
        return None
    try:
        at = datetime.fromisoformat(recorded)
        on = None if occurred is None else date.fromisoformat(occurred)
    except ValueError:
        return None
    if at.tzinfo is not UTC:
        return None
    event: StoredEvent = _new(cls)
    _set(event, "stream", stream)
    _set(event, "version", version)
    _set(event, "type", type_)
    _set(event, "actor", actor)
    _set(event, "recorded_at", at)
    _set(event, "occurred_on", on)
    _set(event, "reason", reason)
    _set(event, "data", data)
    _set(event, "prev_hash", prev_hash)
    _set(event, "hash", digest)
    return event


def canonical_json(value: Any) -> str:
    """Key-sorted, compact JSON with unicode kept: the form that is hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    *, stream: str, version: int, type: str, actor: str, recorded_at: datetime,
    occurred_on: date | None, reason: str | None, data: Mapping[str, Any], prev_hash: str,
) -> str:
    body = canonical_json([
        stream, version, type, actor, _utc(recorded_at).isoformat(),
        None if occurred_on is None else occurred_on.isoformat(), reason, data, prev_hash,
    ])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@attrs.frozen
class NewEvent:
    """An event before it is stored: the store gives it its version and place in the chain."""

    type: str
    actor: str
    recorded_at: datetime = attrs.field(converter=_utc)
    occurred_on: date | None = None
    reason: str | None = None
    data: Mapping[str, Any] = attrs.field(factory=dict)


def chain(stream: str, head: StoredEvent | None, events: Iterable[NewEvent]) -> list[StoredEvent]:
    """Number and hash-chain new events after ``head`` (the stream's last event, or None)."""
    version = 0 if head is None else head.version
    prev = GENESIS_HASH if head is None else head.hash
    out: list[StoredEvent] = []
    for new in events:
        version += 1
        digest = event_hash(
            stream=stream, version=version, type=new.type, actor=new.actor,
            recorded_at=new.recorded_at, occurred_on=new.occurred_on, reason=new.reason,
            data=new.data, prev_hash=prev,
        )
        out.append(StoredEvent(stream, version, new.type, new.actor, new.recorded_at,
                               new.occurred_on, new.reason, dict(new.data), prev, digest))
        prev = digest
    return out


@attrs.frozen
class StreamInfo:
    """A stream's name, its current version (its event count) and its last event's hash."""

    name: str
    version: int
    last_hash: str


@runtime_checkable
class Storage(Protocol):
    """What every store provides. Implement these five methods and pass the conformance suite;
    subclass ``Storage`` to inherit ``with store: ...`` (``__enter__`` returns the store,
    ``__exit__`` closes it).

    - ``append(stream, expected_version, events)``: add ``events`` (already numbered from
      ``expected_version + 1``) all or nothing; raise :class:`VersionConflict` when the stream is
      not at ``expected_version``. Once it returns, the events are durable.
    - ``read(stream, start=1)``: the stream's events from version ``start``, in order.
    - ``read_recorded(since, until)``: events of every stream with ``since <= recorded_at <
      until`` (either bound may be None), ordered by recorded time, then stream, then version.
    - ``streams()``: every stream with its version and last hash, sorted by name.
    - ``close()``: release files, connections and locks.
    """

    def append(self, stream: str, expected_version: int,
               events: Sequence[StoredEvent]) -> None: ...

    def read(self, stream: str, start: int = 1) -> Iterator[StoredEvent]: ...

    def read_recorded(self, since: datetime | None = None,
                      until: datetime | None = None) -> Iterator[StoredEvent]: ...

    def streams(self) -> list[StreamInfo]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Batch = tuple[str, int, Sequence[StoredEvent]]
"""One stream's part of a multi-stream append: ``(stream, expected_version, events)``."""


def check_batches(batches: Sequence[Batch]) -> list[Batch]:
    """Check every part of a multi-stream append (:func:`check_batch`), refuse a stream named
    twice, and return the parts sorted by stream name (the order in which to lock them)."""
    seen: set[str] = set()
    for stream, expected_version, events in batches:
        if stream in seen:
            raise StoreError(f"stream {stream!r} appears twice in one atomic append")
        seen.add(stream)
        check_batch(stream, expected_version, events)
    return sorted(batches, key=lambda batch: batch[0])


def append_all(store: Storage, batches: Sequence[Batch]) -> None:
    """Append to several streams all or nothing: every stream must be at its expected version
    (else :class:`VersionConflict` and nothing is written), and a crash or a failed write leaves
    either every batch or none.

    Uses the store's own ``append_all`` (every bundled store has one). A store without it can
    take one stream's batch only: more is a :class:`StoreError` before anything is written,
    because a half-finished import is exactly what this function exists to prevent.
    """
    parts = check_batches(batches)
    atomic = getattr(store, "append_all", None)
    if atomic is not None:
        atomic(parts)
        return
    if len(parts) > 1:
        raise StoreError(f"{type(store).__name__} cannot append to several streams in one "
                         "atomic step (it has no append_all method); nothing was written")
    for stream, expected_version, events in parts:
        store.append(stream, expected_version, events)


def read_streams(store: Storage, prefix: str = "") -> Iterator[tuple[str, list[StoredEvent]]]:
    """Every stream whose name starts with ``prefix``, with its events, in name order.

    One ordered scan when the store offers one (``scan(prefix)``: every such event ordered by
    stream, then version; the SQL store answers it with a few large queries instead of one per
    stream), else ``streams()`` and one ``read`` per stream. One stream is held at a time, so a
    reader of the whole store need not hold the whole store.
    """
    scan = getattr(store, "scan", None)
    if scan is None:
        for info in store.streams():
            if info.name.startswith(prefix):
                yield info.name, list(store.read(info.name))
        return
    name: str | None = None
    events: list[StoredEvent] = []
    for event in scan(prefix):
        if event.stream != name:
            if name is not None and events:
                yield name, events
            name, events = event.stream, []
        events.append(event)
    if name is not None and events:
        yield name, events


def check_batch(stream: str, expected_version: int, events: Sequence[StoredEvent]) -> None:
    """What every adapter checks before writing: the batch belongs here and is numbered in order.

    Adapters call it so that a malformed batch is refused the same way on every store.
    """
    for offset, event in enumerate(events, start=1):
        if event.stream != stream:
            raise StoreError(f"event for stream {event.stream!r} appended to {stream!r}")
        if event.version != expected_version + offset:
            raise StoreError(
                f"stream {stream!r}: event numbered {event.version}, "
                f"expected {expected_version + offset}"
            )


def sort_key(event: StoredEvent) -> tuple[datetime, str, int]:
    """The global order of ``read_recorded``: recorded time, then stream, then version."""
    return (event.recorded_at, event.stream, event.version)


class MemoryStore(Storage):
    """The in-memory store: for tests and for short-lived work. Thread-safe; not durable."""

    def __init__(self) -> None:
        self._streams: dict[str, list[StoredEvent]] = {}
        self._lock = threading.Lock()

    def append(self, stream: str, expected_version: int, events: Sequence[StoredEvent]) -> None:
        check_batch(stream, expected_version, events)
        with self._lock:
            current = self._streams.get(stream, [])
            if len(current) != expected_version:
                raise VersionConflict(stream, expected_version, len(current))
            if events:
                self._streams[stream] = [*current, *events]

    def append_all(self, batches: Sequence[Batch]) -> None:
        """Several streams' batches in one step: all appended, or none (see :func:`append_all`)."""
        parts = check_batches(batches)
        with self._lock:
            for stream, expected_version, _ in parts:
                actual = len(self._streams.get(stream, ()))
                if actual != expected_version:
                    raise VersionConflict(stream, expected_version, actual)
            for stream, _, events in parts:
                if events:
                    self._streams[stream] = [*self._streams.get(stream, ()), *events]

    def read(self, stream: str, start: int = 1) -> Iterator[StoredEvent]:
        with self._lock:
            events = list(self._streams.get(stream, ())[max(start, 1) - 1:])
        return iter(events)

    def read_recorded(self, since: datetime | None = None,
                      until: datetime | None = None) -> Iterator[StoredEvent]:
        with self._lock:
            everything = [e for events in self._streams.values() for e in events]
        chosen = [e for e in everything
                  if (since is None or e.recorded_at >= since)
                  and (until is None or e.recorded_at < until)]
        return iter(sorted(chosen, key=sort_key))

    def streams(self) -> list[StreamInfo]:
        with self._lock:
            return [StreamInfo(name, len(ev), ev[-1].hash)
                    for name, ev in sorted(self._streams.items()) if ev]

    def close(self) -> None:
        """Nothing to release."""

    def _tamper(self, stream: str, events: list[StoredEvent]) -> None:
        """Replace a stream's events without any check: for tests of tamper evidence only."""
        with self._lock:
            self._streams[stream] = list(events)
