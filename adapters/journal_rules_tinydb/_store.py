"""The TinyDB store: the embedded default, durable, locked, with a write cost independent of the
size of the store.

Layout of a store folder::

    journal-rules-store.json     marker: format, layout version, segment size
    .lock                        flock target: exclusive for writers, shared for readers
    pending.json                 redo record of the batch being applied (only mid-append)
    streams/<slug>-<hash>/head.json            the stream's name, version and last hash
    streams/<slug>-<hash>/seg-00000000.json    a TinyDB file with up to ``segment_size`` events
    index/YYYY-MM-DD.jsonl       time index: one line [recorded_us, stream, version] per event

TinyDB rewrites a whole file on every write, so a stream is cut into fixed-size segments (each a
TinyDB database written through :class:`DurableJSONStorage`): an append rewrites at most the
segments its batch touches, plus the stream's tiny head file and one line per event in a day's
index file. The commit point is ``pending.json``: the batch is written there durably first, then
applied; whoever takes the lock next and finds it re-applies it (every step is idempotent), so a
crash at any moment leaves the batch either wholly absent or wholly present.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tinydb import TinyDB
from tinydb.table import Document

from journal_rules import Storage, StoreError, VersionConflict
from journal_rules.storage import Batch, StoredEvent, StreamInfo, check_batch, check_batches

from ._files import (
    DurableJSONStorage,
    append_durable,
    dump,
    flocked,
    fsync_dir,
    loads,
    read_json,
    write_atomic,
    write_new,
)

FORMAT = "journal-rules-tinydb"
LAYOUT_VERSION = 1
DEFAULT_SEGMENT_SIZE = 256
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TABLE = "events"


def _micros(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@functools.lru_cache(maxsize=1 << 16)
def stream_dirname(stream: str) -> str:
    """The folder name of a stream: a readable slug plus a hash, safe on every file system."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", stream)[:40].strip("._") or "stream"
    return f"{slug}-{hashlib.sha256(stream.encode('utf-8')).hexdigest()[:20]}"


def _undo_record(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan as its undo record keeps it: each batch's events reduced to their versions."""
    return {**plan, "batches": [{**part, "events": [{"version": int(r["version"])}
                                                     for r in part["events"]]}
                                for part in plan["batches"]]}


class TinyDBStore(Storage):
    """An append-only event store in a folder of TinyDB files. See the module docstring.

    Safe for several threads and several processes on one folder; every write is durable when
    :meth:`append` returns. ``segment_size`` applies only when the store is created.

    ``read_only`` (also chosen by itself when the folder is not writable) opens an existing
    store without writing anything, not even the lock file: it can be read, verified and
    audited; an append is a :class:`StoreError`. An append that never confirmed (its undo
    record is still there) cannot be taken back then, so reading refuses with a message until
    the store is opened writable once.
    """

    def __init__(self, folder: str | os.PathLike[str], *,
                 segment_size: int = DEFAULT_SEGMENT_SIZE, read_only: bool = False) -> None:
        self.folder = os.path.abspath(os.fspath(folder))
        self.read_only = read_only or (os.path.isdir(self.folder)
                                       and not os.access(self.folder, os.W_OK))
        self._marker = os.path.join(self.folder, "journal-rules-store.json")
        self._lock = os.path.join(self.folder, ".lock")
        self._pending = os.path.join(self.folder, "pending.json")
        self._streams_dir = os.path.join(self.folder, "streams")
        self._index_dir = os.path.join(self.folder, "index")
        self.segment_size = self._open_or_create(segment_size)

    # -- opening -------------------------------------------------------------------------------

    def _open_read_only(self) -> int:
        marker = self._read_json(self._marker)
        if not isinstance(marker, dict) or marker.get("format") != FORMAT:
            raise StoreError(f"{self.folder} is not a journal-rules TinyDB store (opened "
                             "read-only: nothing is created)")
        if marker.get("layout") != LAYOUT_VERSION:
            raise StoreError(f"{self._marker}: layout {marker.get('layout')!r} is not "
                             f"supported (this adapter reads layout {LAYOUT_VERSION})")
        return int(marker["segment_size"])

    def _open_or_create(self, segment_size: int) -> int:
        if self.read_only:
            return self._open_read_only()
        if segment_size < 1:
            raise StoreError(f"TinyDB store {self.folder}: segment size must be positive")
        try:
            os.makedirs(self.folder, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the TinyDB store folder {self.folder}: {exc}") from exc
        if not os.path.isdir(self.folder):
            raise StoreError(f"TinyDB store {self.folder} is not a folder")
        try:
            with flocked(self._lock, exclusive=True):
                marker = self._read_json(self._marker)
                if marker is None:
                    # What a creation killed before its marker was renamed into place leaves
                    # (empty folders, temporary files) is finished, not refused.
                    stray = [n for n in os.listdir(self.folder)
                             if not n.startswith(".") and not self._left_by_creation(n)]
                    if stray:
                        raise StoreError(
                            f"{self.folder} is not empty and is not a journal-rules TinyDB store "
                            f"(no journal-rules-store.json; found {', '.join(sorted(stray)[:5])})"
                        )
                    os.makedirs(self._streams_dir, exist_ok=True)
                    os.makedirs(self._index_dir, exist_ok=True)
                    fsync_dir(self.folder)
                    marker = {"format": FORMAT, "layout": LAYOUT_VERSION,
                              "segment_size": segment_size}
                    write_atomic(self._marker, dump(marker))
                if not isinstance(marker, dict) or marker.get("format") != FORMAT:
                    raise StoreError(f"{self._marker}: not a journal-rules TinyDB store marker")
                if marker.get("layout") != LAYOUT_VERSION:
                    raise StoreError(f"{self._marker}: layout {marker.get('layout')!r} is not "
                                     f"supported (this adapter reads layout {LAYOUT_VERSION})")
                self.segment_size = int(marker["segment_size"])
                # A writer killed while writing its undo record (before the rename), or a
                # creation cut off before its marker, left only temporary files: nothing was
                # written yet, so only the files go (the lock is held: no writer is at work).
                # Done once per open, not on every append.
                self._remove_temporary(self.folder)
                self._recover()
                return self.segment_size
        except OSError as exc:
            raise StoreError(f"TinyDB store {self.folder}: {exc}") from exc

    def _read_json(self, path: str) -> Any:
        try:
            return read_json(path)
        except (ValueError, UnicodeDecodeError) as exc:
            raise StoreError(f"{path}: unreadable JSON ({exc})") from exc

    # -- paths ---------------------------------------------------------------------------------

    def stream_path(self, stream: str) -> str:
        """The folder holding a stream's files (for administrators and tests)."""
        return os.path.join(self._streams_dir, stream_dirname(stream))

    def segment_path(self, stream: str, version: int) -> str:
        """The TinyDB file that holds ``version`` of ``stream``."""
        return os.path.join(self.stream_path(stream),
                            f"seg-{(version - 1) // self.segment_size:08d}.json")

    def _index_path(self, day: date) -> str:
        return os.path.join(self._index_dir, f"{day.isoformat()}.jsonl")

    # -- writing -------------------------------------------------------------------------------

    def append(self, stream: str, expected_version: int, events: Sequence[StoredEvent]) -> None:
        """Append ``events`` all or nothing; :class:`VersionConflict` if the stream moved on."""
        check_batch(stream, expected_version, events)
        self._append_batches([(stream, expected_version, events)], stream)

    def append_all(self, batches: Sequence[Batch]) -> None:
        """Append to several streams in one atomic step: every batch is stored, or none."""
        parts = check_batches(batches)
        self._append_batches(parts, ", ".join(stream for stream, _, _ in parts[:3])
                             + (" ..." if len(parts) > 3 else ""))

    def _append_batches(self, batches: Sequence[Batch], what: str) -> None:
        if self.read_only:
            raise StoreError(f"TinyDB store {self.folder} is open read-only: cannot append to "
                             f"stream(s) {what}")
        try:
            with flocked(self._lock, exclusive=True):
                self._recover()
                heads: dict[str, str | None] = {}
                for stream, expected_version, _ in batches:
                    actual, heads[stream] = self._head(stream)
                    if actual != expected_version:
                        raise VersionConflict(stream, expected_version, actual)
                plan = self._plan([b for b in batches if b[2]], heads)
                if not plan["batches"]:
                    return
                self._commit(plan)
        except OSError as exc:
            raise StoreError(f"TinyDB store {self.folder}: cannot append to stream(s) "
                             f"{what}: {exc}; nothing was written") from exc

    def _plan(self, batches: Sequence[Batch], heads: dict[str, str | None]) -> dict[str, Any]:
        """The undo/redo record of an append: the batches, each stream's head before it and
        the size of every index file it will extend (so a failed append can be taken back)."""
        parts: list[dict[str, Any]] = []
        days: set[date] = set()
        for stream, expected_version, events in batches:
            parts.append({"stream": stream, "expected": expected_version,
                          "last_hash": heads[stream],
                          "events": [e.to_record() for e in events]})
            days.update(e.recorded_at.astimezone(UTC).date() for e in events)
        sizes: dict[str, int | None] = {}
        for day in sorted(days):
            path = self._index_path(day)
            sizes[os.path.basename(path)] = (os.path.getsize(path) if os.path.exists(path)
                                             else None)
        return {"batches": parts, "index_sizes": sizes}

    def _commit(self, plan: dict[str, Any]) -> None:
        """Write the undo record, apply the batches, delete the record: the append is confirmed
        (and returns) only once the record is gone. Any failure before that takes the batches
        back out, here or, if even that fails (a disk that stays full), by the next writer or
        reader to take the lock, so an append that reports failure leaves nothing behind."""
        # Many streams at once (an import): files that did not exist before are written without
        # a sync each, and one sync() makes them all durable before the commit point; a rollback
        # deletes such files, so it never needs their content. Replaced files keep their syncs.
        deferred = len(plan["batches"]) > 1
        try:
            # The undo record names what to take back, not the events themselves (a rollback
            # needs each batch's stream, head before it and versions): an import writes its
            # events once, not twice.
            write_atomic(self._pending, dump(_undo_record(plan)))
            for part in plan["batches"]:
                self._apply_segments(part, deferred=deferred)
            self._apply_index(plan)
            if deferred:
                os.sync()
        except BaseException as exc:
            try:
                self._rollback(plan)
            except OSError as undo:
                raise StoreError(
                    f"TinyDB store {self.folder}: an append failed ({exc}) and could not be "
                    f"rolled back yet ({undo}); its events are not in the store, and the store "
                    "rolls the rest back when it is next opened (free disk space first)"
                ) from exc
            raise
        os.remove(self._pending)  # the commit point
        # Durability of the removal; the append is confirmed whatever this says.
        with contextlib.suppress(OSError):
            fsync_dir(self.folder)

    def _recover(self) -> None:
        """Take back (or, for a record of layout 1's first release, redo) an append that never
        confirmed: its writer died or failed with the undo record still there (lock held)."""
        pending = self._read_json(self._pending)
        if pending is None:
            return
        if isinstance(pending, dict) and "batches" in pending:
            self._rollback(pending)
            return
        try:
            stream, expected = str(pending["stream"]), int(pending["expected"])
            records = list(pending["events"])
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{self._pending}: malformed redo record ({exc})") from exc
        actual = self._head(stream)[0]
        if actual not in (expected, expected + len(records)):
            raise StoreError(f"{self._pending}: stream {stream!r} is at version {actual}, "
                             f"neither before ({expected}) nor after the pending batch")
        self._apply(pending, recovering=True)
        os.remove(self._pending)

    def _drop_new_segments(self, stream: str, expected: int,
                           versions: list[int]) -> list[tuple[str, int]]:
        """Remove the segment files of ``stream`` that a batch of ``versions`` created after
        version ``expected``; the segments it grew are returned, to be cut back later."""
        grown: list[tuple[str, int]] = []
        for segment in range((versions[0] - 1) // self.segment_size,
                             (versions[-1] - 1) // self.segment_size + 1):
            path = os.path.join(self.stream_path(stream), f"seg-{segment:08d}.json")
            if segment * self.segment_size >= expected:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
            elif os.path.exists(path):
                grown.append((path, expected))
        return grown

    def _rollback(self, plan: dict[str, Any]) -> None:
        """Undo whatever part of ``plan`` reached the files; idempotent, so it can be redone.

        What frees space goes first (new segment files, head files of new streams, index
        growth), the rewrites after; the undo record is removed last."""
        try:
            parts = [(str(p["stream"]), int(p["expected"]),
                      None if p["last_hash"] is None else str(p["last_hash"]),
                      [int(r["version"]) for r in p["events"]]) for p in plan["batches"]]
            sizes = {str(k): (None if v is None else int(v))
                     for k, v in dict(plan["index_sizes"]).items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{self._pending}: malformed undo record ({exc})") from exc
        rewrite: list[tuple[str, int]] = []
        for stream, expected, _, versions in parts:
            if not versions:
                continue
            rewrite.extend(self._drop_new_segments(stream, expected, versions))
            if expected == 0:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(self.stream_path(stream), "head.json"))
            self._remove_temporary(self.stream_path(stream))
            if expected == 0:
                with contextlib.suppress(OSError):
                    os.rmdir(self.stream_path(stream))
        self._remove_temporary(self.folder)
        for name, size in sizes.items():
            path = os.path.join(self._index_dir, name)
            if size is None:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
            elif os.path.exists(path) and os.path.getsize(path) > size:
                with open(path, "r+b") as handle:
                    handle.truncate(size)
                    os.fsync(handle.fileno())
        for stream, expected, last_hash, _ in parts:
            if expected > 0 and self._head(stream)[0] != expected:
                write_atomic(os.path.join(self.stream_path(stream), "head.json"),
                             dump({"stream": stream, "version": expected,
                                   "last_hash": last_hash}))
        for path, expected in rewrite:
            with TinyDB(path, storage=DurableJSONStorage) as db:
                table = db.table(_TABLE)
                extra = [doc.doc_id for doc in table.all() if doc.doc_id > expected]
                if extra:
                    table.remove(doc_ids=extra)
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._pending)
        fsync_dir(self._streams_dir)
        fsync_dir(self._index_dir)
        fsync_dir(self.folder)

    def _left_by_creation(self, name: str) -> bool:
        """Our own empty folders, or our marker's temporary file: a folder holding only these
        is a store whose creation was cut off, not someone else's folder."""
        path = os.path.join(self.folder, name)
        if path in (self._streams_dir, self._index_dir):
            return os.path.isdir(path) and not os.listdir(path)
        return name.startswith(os.path.basename(self._marker) + ".") and name.endswith(".tmp")

    @staticmethod
    def _remove_temporary(folder: str) -> None:
        """Delete the temporary files a killed writer left in ``folder`` (they hold nothing
        committed: every file is renamed into place only once written)."""
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return
        for name in names:
            if name.endswith(".tmp"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(folder, name))

    def _apply_segments(self, part: dict[str, Any], *, deferred: bool) -> None:
        """Write one stream's batch into its segments and head (the index comes after)."""
        stream = str(part["stream"])
        records: list[dict[str, Any]] = list(part["events"])
        folder = self.stream_path(stream)
        self._make_stream_folder(stream, durable=not deferred)
        for path, chunk in self._by_segment(stream, records).items():
            if deferred and not os.path.exists(path):
                # A new file of a many-stream append (an import): written in place, unsynced,
                # as TinyDB would lay it out; the append's one sync makes it durable before the
                # commit point, and a rollback deletes it. No reader sees it half-written: the
                # writer holds the lock throughout.
                write_new(path, dump({_TABLE: {str(int(r["version"])): r for r in chunk}}))
                continue
            with TinyDB(path, storage=DurableJSONStorage) as db:
                try:
                    db.table(_TABLE).insert_multiple(
                        [Document(r, doc_id=int(r["version"])) for r in chunk])
                except ValueError as exc:  # TinyDB: a document with this id exists
                    raise StoreError(f"{path}: stream {stream!r} holds an event beyond its "
                                     f"recorded head ({exc}); the store was altered") from exc
        last = records[-1]
        head = dump({"stream": stream, "version": int(last["version"]),
                     "last_hash": str(last["hash"])})
        if deferred and int(part["expected"]) == 0:
            write_new(os.path.join(folder, "head.json"), head)  # new too: see above
        else:
            write_atomic(os.path.join(folder, "head.json"), head)

    def _apply_index(self, plan: dict[str, Any]) -> None:
        """One durable append per day file for every event of the plan (an existing file: its
        sync is what reports a full disk; see ``_commit``)."""
        by_day: dict[date, list[str]] = {}
        for part in plan["batches"]:
            for record in part["events"]:
                moment = datetime.fromisoformat(str(record["recorded_at"])).astimezone(UTC)
                by_day.setdefault(moment.date(), []).append(
                    dump([_micros(moment), str(part["stream"]), int(record["version"])]) + "\n")
        for day, lines in by_day.items():
            append_durable(self._index_path(day), "".join(lines))

    def _apply(self, pending: dict[str, Any], *, recovering: bool = False) -> None:
        """Redo a batch of the first release's redo record (idempotent)."""
        stream = str(pending["stream"])
        records: list[dict[str, Any]] = list(pending["events"])
        self._make_stream_folder(stream, durable=True)
        for path, part in self._by_segment(stream, records).items():
            with TinyDB(path, storage=DurableJSONStorage) as db:
                table = db.table(_TABLE)
                present = {doc.doc_id for doc in table.all()} if recovering else set()
                missing = [Document(r, doc_id=int(r["version"])) for r in part
                           if int(r["version"]) not in present]
                if missing:
                    table.insert_multiple(missing)
        self._write_head(stream, records[-1], durable=True)
        self._index(stream, records, recovering=recovering)

    def _make_stream_folder(self, stream: str, *, durable: bool) -> None:
        folder = self.stream_path(stream)
        if not os.path.isdir(folder):
            os.makedirs(folder, exist_ok=True)
            if durable:
                fsync_dir(self._streams_dir)

    def _by_segment(self, stream: str,
                    records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        """The records grouped by the segment file each belongs in."""
        by_segment: dict[str, list[dict[str, Any]]] = {}
        for record in records:
            by_segment.setdefault(self.segment_path(stream, int(record["version"])),
                                  []).append(record)
        return by_segment

    def _write_head(self, stream: str, last: dict[str, Any], *, durable: bool) -> None:
        write_atomic(os.path.join(self.stream_path(stream), "head.json"),
                     dump({"stream": stream, "version": int(last["version"]),
                           "last_hash": str(last["hash"])}), durable=durable)

    def _index(self, stream: str, records: list[dict[str, Any]], *, recovering: bool) -> None:
        by_day: dict[date, list[str]] = {}
        for record in records:
            moment = datetime.fromisoformat(str(record["recorded_at"])).astimezone(UTC)
            line = dump([_micros(moment), stream, int(record["version"])]) + "\n"
            by_day.setdefault(moment.date(), []).append(line)
        for day, day_lines in by_day.items():
            path = self._index_path(day)
            lines = self._missing_index_lines(path, day_lines) if recovering else day_lines
            if lines:
                append_durable(path, "".join(lines))

    def _missing_index_lines(self, path: str, lines: list[str]) -> list[str]:
        """Cut a torn last line and return the lines a crashed writer did not get to write."""
        try:
            with open(path, "rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            return lines
        cut = content.rfind(b"\n") + 1
        if cut != len(content):
            with open(path, "r+b") as handle:
                handle.truncate(cut)
                os.fsync(handle.fileno())
        present = set(content[:cut].decode("utf-8").splitlines(keepends=True))
        return [line for line in lines if line not in present]

    # -- reading -------------------------------------------------------------------------------

    def _head(self, stream: str) -> tuple[int, str | None]:
        head = self._read_json(os.path.join(self.stream_path(stream), "head.json"))
        if head is None:
            return 0, None
        if head.get("stream") != stream:
            raise StoreError(f"{self.stream_path(stream)}/head.json names stream "
                             f"{head.get('stream')!r}, not {stream!r}")
        return int(head["version"]), str(head["last_hash"])

    def _reading(self) -> contextlib.AbstractContextManager[None]:
        """A shared lock, after finishing any batch a crashed writer left behind."""
        if self.read_only:
            if os.path.exists(self._pending):
                raise StoreError(f"TinyDB store {self.folder}: an append that never confirmed "
                                 "is pending and a read-only store cannot take it back; open "
                                 "the store writable once (any command does it), then retry")
            return flocked(self._lock, exclusive=False, read_only=True)
        if os.path.exists(self._pending):
            with flocked(self._lock, exclusive=True):
                self._recover()
        return flocked(self._lock, exclusive=False)

    def _segment_docs(self, path: str) -> list[tuple[int, dict[str, Any]]]:
        """A segment's records by version, read straight from its JSON (orjson), not through
        TinyDB: a reader needs no ``Document`` per event. A missing file is an OSError."""
        with open(path, "rb") as handle:
            raw = handle.read()
        try:
            content = loads(raw)
        except ValueError as exc:
            raise StoreError(f"{path}: unreadable TinyDB segment ({exc})") from exc
        if not isinstance(content, dict):
            raise StoreError(f"{path}: unreadable TinyDB segment (not a TinyDB file)")
        table = content.get(_TABLE, {})
        try:
            docs = sorted((int(key), record) for key, record in table.items())
        except (ValueError, TypeError, AttributeError) as exc:
            raise StoreError(f"{path}: unreadable TinyDB segment ({exc})") from exc
        for _, record in docs:
            if not isinstance(record, dict):
                raise StoreError(f"{path}: unreadable TinyDB segment (a document is not an "
                                 "object)")
        return docs

    def read(self, stream: str, start: int = 1) -> Iterator[StoredEvent]:
        """The stream's events from ``start``, read one segment at a time."""
        start = max(start, 1)
        segment = (start - 1) // self.segment_size
        folder = self.stream_path(stream)
        while True:
            path = os.path.join(folder, f"seg-{segment:08d}.json")
            try:
                with self._reading():
                    if not os.path.exists(path):
                        return
                    docs = self._segment_docs(path)
                    # Checked under the same lock as the read: a batch that reaches the next
                    # segment is then wholly visible, so the reader never sees half of one.
                    more = os.path.exists(os.path.join(folder, f"seg-{segment + 1:08d}.json"))
            except OSError as exc:
                raise StoreError(f"TinyDB store {self.folder}: cannot read stream "
                                 f"{stream!r}: {exc}") from exc
            for doc_id, record in docs:
                if doc_id >= start:
                    yield StoredEvent.from_record(record)
            if not more:
                return
            segment += 1

    def scan(self, prefix: str = "") -> Iterator[StoredEvent]:
        """Every event of the streams whose names start with ``prefix``, by stream then version
        (see :func:`journal_rules.read_streams`): each stream up to the head it had when it was
        reached, its segments read under one shared lock."""
        for info in self.streams():
            if not info.name.startswith(prefix):
                continue
            folder = self.stream_path(info.name)
            events: list[StoredEvent] = []
            try:
                with self._reading():
                    for segment in range((info.version - 1) // self.segment_size + 1):
                        path = os.path.join(folder, f"seg-{segment:08d}.json")
                        for version, record in self._segment_docs(path):
                            if version <= info.version:
                                events.append(StoredEvent.from_record(record))
            except OSError as exc:
                raise StoreError(f"TinyDB store {self.folder}: cannot read stream "
                                 f"{info.name!r}: {exc}") from exc
            yield from events

    def read_recorded(self, since: datetime | None = None,
                      until: datetime | None = None) -> Iterator[StoredEvent]:
        """Events of every stream with ``since <= recorded_at < until``, one day at a time."""
        low = None if since is None else _micros(since.astimezone(UTC))
        high = None if until is None else _micros(until.astimezone(UTC))
        try:
            names = sorted(n for n in os.listdir(self._index_dir) if n.endswith(".jsonl"))
        except OSError as exc:
            raise StoreError(f"TinyDB store {self.folder}: cannot list its index: {exc}") from exc
        first = None if since is None else since.astimezone(UTC).date()
        last = None if until is None else until.astimezone(UTC).date()
        for name in names:
            try:
                day = date.fromisoformat(name[:-len(".jsonl")])
            except ValueError:
                continue
            if (first is not None and day < first) or (last is not None and day > last):
                continue
            try:
                events = self._read_day(day, low, high)
            except OSError as exc:
                raise StoreError(f"TinyDB store {self.folder}: cannot read its index: "
                                 f"{exc}") from exc
            yield from events

    def _read_day(self, day: date, low: int | None, high: int | None) -> list[StoredEvent]:
        path = self._index_path(day)
        with self._reading():
            pointers: set[tuple[int, str, int]] = set()
            with open(path, encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.endswith("\n"):
                        break  # a torn line of a batch that is being applied: not committed
                    try:
                        micros, stream, version = json.loads(line)
                        pointer = (int(micros), str(stream), int(version))
                    except (ValueError, TypeError) as exc:
                        raise StoreError(f"{path}:{number}: malformed index line") from exc
                    if (low is None or pointer[0] >= low) and (high is None or pointer[0] < high):
                        pointers.add(pointer)
            ordered = sorted(pointers)
            segments: dict[str, dict[int, dict[str, Any]]] = {}
            events: list[StoredEvent] = []
            for _, stream, version in ordered:
                seg = self.segment_path(stream, version)
                if seg not in segments:
                    segments[seg] = dict(self._segment_docs(seg)) if os.path.exists(seg) else {}
                record = segments[seg].get(version)
                if record is None:
                    raise StoreError(f"{path}: the time index names {stream!r} version {version}"
                                     f" but {seg} does not hold it; run `journal-rules store "
                                     "verify`")
                events.append(StoredEvent.from_record(record))
        # The index orders by time; an equal time is ordered by stream and version here too.
        events.sort(key=lambda e: (e.recorded_at, e.stream, e.version))
        return events

    def streams(self) -> list[StreamInfo]:
        """Every stream with its version and last hash, sorted by name."""
        found: list[StreamInfo] = []
        try:
            with self._reading():
                for entry in os.listdir(self._streams_dir):
                    head = self._read_json(os.path.join(self._streams_dir, entry, "head.json"))
                    if head is None:
                        continue  # a folder made by a writer that died before committing
                    try:
                        found.append(StreamInfo(str(head["stream"]), int(head["version"]),
                                                str(head["last_hash"])))
                    except (KeyError, TypeError, ValueError) as exc:
                        raise StoreError(f"{self._streams_dir}/{entry}/head.json: malformed "
                                         f"({exc})") from exc
        except OSError as exc:
            raise StoreError(f"TinyDB store {self.folder}: cannot list streams: {exc}") from exc
        return sorted(found, key=lambda info: info.name)

    def close(self) -> None:
        """Nothing stays open between calls: every operation opens and closes its files."""

    def __repr__(self) -> str:
        return f"TinyDBStore({self.folder!r})"


def open_tinydb_store(url: str) -> TinyDBStore:
    """The ``tinydb://`` factory: ``tinydb:///abs/folder`` or ``tinydb://relative/folder``.

    ``?segment_size=N`` sets the events per TinyDB file when the store is created;
    ``?read_only=1`` opens an existing store for reading, verifying and auditing only.
    """
    parts = urlsplit(url)
    if parts.scheme != "tinydb":
        raise StoreError(f"not a tinydb:// URL: {url!r}")
    path = unquote(parts.netloc + parts.path)
    if not path:
        raise StoreError(f"{url!r} names no folder (try tinydb://journal-store)")
    options = parse_qs(parts.query)
    unknown = set(options) - {"segment_size", "read_only"}
    if unknown:
        raise StoreError(f"{url!r}: unknown option(s) {', '.join(sorted(unknown))}; "
                         "known: segment_size, read_only")
    read_only = options.get("read_only", ["0"])[-1].lower()
    if read_only not in ("0", "1", "true", "false", "yes", "no"):
        raise StoreError(f"{url!r}: read_only must be 1 or 0")
    segment_size = DEFAULT_SEGMENT_SIZE
    if "segment_size" in options:
        try:
            segment_size = int(options["segment_size"][-1])
        except ValueError as exc:
            raise StoreError(f"{url!r}: segment_size must be a whole number") from exc
    return TinyDBStore(path, segment_size=segment_size,
                       read_only=read_only in ("1", "true", "yes"))

