"""Backup and restore of any store: a gzip'd JSON-lines archive with a header and a checksum.

The archive holds a header line, then every event (``StoredEvent.to_record()``) stream by
stream in version order, then a footer with the event count and the sha256 of the event lines.
It is verified after it is written (before it gets its final name) and again, completely, before
a restore writes anything.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any

import attrs

from ._anchor import CHECKPOINT_STREAM, Checkpoint, SigningKey, make_checkpoint
from ._clock import ManualClock
from ._commands import RecordBackup
from ._errors import CommandRefused, StoreError, TamperDetected, VersionConflict
from ._events import BackupMade, Stream
from ._gradebook import Gradebook
from ._log import EventLog
from ._ruleset import Ruleset
from ._storage import (
    GENESIS_HASH,
    NewEvent,
    Storage,
    StoredEvent,
    StreamInfo,
    append_all,
)

BACKUP_FORMAT = "journal-rules-backup"
BACKUP_FORMAT_VERSION = 1
OPERATIONS_STREAM = BackupMade.stream
_BATCH = 5000


@attrs.frozen
class BackupInfo:
    """What an archive holds: its file, how many streams and events, the sha256 of the events,
    and the signed checkpoint it carries (its newest ``store:checkpoints`` event; None when it
    has none). ``heads`` maps each stream to its last version and hash in the archive."""

    file: str
    streams: int
    events: int
    sha256: str
    checkpoint: Checkpoint | None = None
    heads: dict[str, tuple[int, str]] = attrs.field(factory=dict, repr=False, eq=False)


def _line(value: Any) -> bytes:
    return (json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            + "\n").encode("utf-8")


def backup_store(store: Storage, path: str | os.PathLike[str], *, actor: str,
                 at: datetime, overwrite: bool = False, ruleset: Ruleset | None = None,
                 signing_key: SigningKey | None = None) -> BackupInfo:
    """Write every event of ``store`` to the archive ``path`` and record a ``backup_made`` event.

    Each stream is read up to the head seen when the backup started, so appends made meanwhile
    never leave half a batch in the archive. A stream whose hash chain is broken is refused
    (:class:`TamperDetected`); ``at`` is the time recorded on the ``backup_made`` event, which
    goes to the ``registry:operations`` stream attributed to ``actor``.

    With a ``ruleset``, the backup is recorded through the gradebook as the ``record_backup``
    command (P9): an actor the ruleset does not allow is refused (:class:`CommandRefused`)
    before anything is written. Without one, or on a store that registers no people yet (nobody
    could be allowed anything there), the event is appended as a storage-level operation; the
    command line always passes a ruleset.

    With a ``signing_key`` a signed checkpoint of every stream's head is taken first (see
    :func:`make_checkpoint`; refused when the store does not match the previous one) and the
    archive holds exactly what it signs, so :func:`restore_store` can prove the archive; the
    ``backup_made`` event names the checkpoint. Without one the archive is unsigned.
    """
    book: Gradebook | None = None
    if ruleset is not None and _has_people(store):
        book = Gradebook.for_ruleset(store, ruleset, clock=ManualClock(at))
        probe = RecordBackup(os.path.basename(os.fspath(path)), 0, "")
        decision = book.check(actor, probe)
        if not decision:
            raise CommandRefused(type(probe).__name__, decision.refusals)
    target = os.fspath(path)
    if os.path.exists(target) and not overwrite:
        raise StoreError(f"{target} already exists; choose another file name")
    checkpoint: Checkpoint | None = None
    if signing_key is not None:
        checkpoint = make_checkpoint(store, signing_key, actor=actor, at=at, full=False)
        heads = _signed_heads(store, checkpoint)
    else:
        heads = store.streams()
    tmp = f"{target}.{os.getpid()}.partial"
    digest = hashlib.sha256()
    count = 0
    try:
        with open(tmp, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as archive:
                archive.write(_line({"format": BACKUP_FORMAT, "version": BACKUP_FORMAT_VERSION,
                                     "streams": len(heads),
                                     "heads": {h.name: h.version for h in heads}}))
                for head in heads:
                    for event in _checked(head.name, store.read(head.name), head.version, tmp):
                        line = _line(event.to_record())
                        digest.update(line)
                        archive.write(line)
                        count += 1
                archive.write(_line({"footer": True, "events": count,
                                     "sha256": digest.hexdigest()}))
            raw.flush()
            os.fsync(raw.fileno())
        info = verify_backup(tmp)  # read it back before it may be called a backup
        if (info.events, info.sha256) != (count, digest.hexdigest()):
            raise StoreError(f"{tmp}: the archive does not read back as it was written")
        os.replace(tmp, target)
    except OSError as exc:
        raise StoreError(f"cannot write the backup {target}: {exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    info = BackupInfo(os.path.basename(target), len(heads), count, digest.hexdigest(),
                      checkpoint)
    seq = None if checkpoint is None else checkpoint.seq
    signed = None if checkpoint is None else checkpoint.digest
    if book is not None:
        book.refresh()  # appends made while the archive was written
        book.execute(actor, RecordBackup(info.file, info.events, info.sha256, seq, signed))
    else:
        _record(store, actor, at, info)
    return info


def _signed_heads(store: Storage, checkpoint: Checkpoint) -> list[StreamInfo]:
    """The heads a signed archive holds: what the checkpoint signs, plus the checkpoint stream
    up to (and with) that checkpoint, whatever was appended since."""
    heads = [StreamInfo(name, version, digest)
             for name, (version, digest) in checkpoint.heads.items()]
    for event in store.read(CHECKPOINT_STREAM):
        if event.data.get("digest") == checkpoint.digest:
            heads.append(StreamInfo(CHECKPOINT_STREAM, event.version, event.hash))
            break
    return sorted(heads, key=lambda info: info.name)


def _has_people(store: Storage) -> bool:
    return next(store.read(Stream.PEOPLE), None) is not None


def _record(store: Storage, actor: str, at: datetime, info: BackupInfo) -> None:
    checkpoint = info.checkpoint
    new = NewEvent(type=BackupMade.type, actor=actor, recorded_at=at,
                   data={"file": info.file, "events": info.events, "sha256": info.sha256,
                         "checkpoint_seq": None if checkpoint is None else checkpoint.seq,
                         "checkpoint_digest": None if checkpoint is None else
                         checkpoint.digest})
    log = EventLog(store)
    for _ in range(100):
        try:
            log.append(OPERATIONS_STREAM, [new])
            return
        except VersionConflict:
            continue  # another writer recorded an operation at the same moment
    raise StoreError(f"could not record the backup in {OPERATIONS_STREAM!r}: too many conflicts")


def _checked(stream: str, events: Iterator[StoredEvent], upto: int | None,
             where: str) -> Iterator[StoredEvent]:
    """Events of one stream, refusing any break of numbering or of the hash chain."""
    prev, version = GENESIS_HASH, 0
    for event in events:
        if upto is not None and event.version > upto:
            return
        problem = None
        if event.stream != stream:
            problem = f"belongs to stream {event.stream!r}"
        elif event.version != version + 1:
            problem = f"expected version {version + 1}"
        elif event.expected_hash() != event.hash:
            problem = "content does not match its hash (edited)"
        elif event.prev_hash != prev:
            problem = "does not follow the event before it"
        if problem is not None:
            raise TamperDetected([{"stream": stream, "version": event.version,
                                   "problem": "backup", "message":
                                   f"{where}: {stream}#{event.version}: {problem}"}])
        prev, version = event.hash, event.version
        yield event
    if upto is not None and version != upto:
        raise TamperDetected([{"stream": stream, "version": version, "problem": "backup",
                               "message": f"{where}: {stream} ends at version {version}, "
                                          f"expected {upto}"}])


#: Bounds on an archive being read: one line (one event; a whole contingent fits in a few MB) and
#: the whole archive unpacked, so a gzip bomb or a line without end is refused, not swallowed.
MAX_ARCHIVE_LINE_BYTES = 16 * 1024 * 1024
MAX_ARCHIVE_BYTES = 4 * 1024 * 1024 * 1024


def _archive(path: str) -> Iterator[tuple[int, Any]]:
    """The parsed lines of an archive, numbered; any damage is a :class:`StoreError`."""
    total = 0
    try:
        with gzip.open(path, "rb") as archive:
            number = 0
            while True:
                line = archive.readline(MAX_ARCHIVE_LINE_BYTES + 1)
                if not line:
                    break
                number += 1
                total += len(line)
                if len(line) > MAX_ARCHIVE_LINE_BYTES:
                    raise StoreError(f"{path}:{number}: a line longer than "
                                     f"{MAX_ARCHIVE_LINE_BYTES} bytes: not an archive of ours")
                if total > MAX_ARCHIVE_BYTES:
                    raise StoreError(f"{path}:{number}: the archive unpacks to more than "
                                     f"{MAX_ARCHIVE_BYTES} bytes")
                if not line.endswith(b"\n"):
                    raise StoreError(f"{path}:{number}: the archive is truncated")
                try:
                    value = json.loads(line)
                except (ValueError, RecursionError) as exc:
                    raise StoreError(f"{path}:{number}: not JSON ({exc})") from None
                yield number, value
    except FileNotFoundError as exc:
        raise StoreError(f"no backup file {path}") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise StoreError(f"{path}: not a readable gzip archive ({exc})") from exc


def _events(path: str) -> Iterator[StoredEvent]:
    """Every event of a verified archive, in archive order."""
    for number, value in _archive(path):
        if number == 1 or (isinstance(value, dict) and value.get("footer") is True):
            continue
        if not isinstance(value, dict):
            raise StoreError(f"{path}:{number}: not an event record")
        yield StoredEvent.from_record(value)


def verify_backup(path: str | os.PathLike[str]) -> BackupInfo:
    """Read a whole archive and check its header, every hash chain, the count and the sha256."""
    where = os.fspath(path)
    digest = hashlib.sha256()
    header: dict[str, Any] | None = None
    footer: dict[str, Any] | None = None
    count = 0
    seen: dict[str, tuple[int, str]] = {}
    last_checkpoint: StoredEvent | None = None
    for number, value in _archive(where):
        if not isinstance(value, dict):
            raise StoreError(f"{where}:{number}: not an object")
        if number == 1:
            if value.get("format") != BACKUP_FORMAT:
                raise StoreError(f"{where}: not a journal-rules backup")
            if value.get("version") != BACKUP_FORMAT_VERSION:
                raise StoreError(f"{where}: backup format version {value.get('version')!r} is "
                                 f"not supported (this library reads {BACKUP_FORMAT_VERSION})")
            header = value
            continue
        if footer is not None:
            raise StoreError(f"{where}:{number}: data after the footer")
        if value.get("footer") is True:
            footer = value
            continue
        event = StoredEvent.from_record(value)
        digest.update(_line(event.to_record()))
        version, prev = seen.get(event.stream, (0, GENESIS_HASH))
        if (event.version != version + 1 or event.prev_hash != prev
                or event.expected_hash() != event.hash):
            raise TamperDetected([{"stream": event.stream, "version": event.version,
                                   "problem": "backup", "message":
                                   f"{where}:{number}: {event.stream}#{event.version} is not "
                                   "the next link of its stream's hash chain"}])
        seen[event.stream] = (event.version, event.hash)
        if event.stream == CHECKPOINT_STREAM:
            last_checkpoint = event
        count += 1
    if header is None:
        raise StoreError(f"{where}: empty archive")
    if footer is None:
        raise StoreError(f"{where}: the archive is truncated (no footer)")
    if footer.get("events") != count or footer.get("sha256") != digest.hexdigest():
        raise StoreError(f"{where}: checksum mismatch: the footer says {footer.get('events')} "
                         f"events with sha256 {footer.get('sha256')}, the archive holds {count} "
                         f"with sha256 {digest.hexdigest()}")
    heads = header.get("heads", {})
    if {name: v for name, (v, _) in seen.items()} != heads:
        raise StoreError(f"{where}: the streams in the archive do not match its header")
    checkpoint = None if last_checkpoint is None else Checkpoint.from_data(
        last_checkpoint.data, f"{where}: {CHECKPOINT_STREAM}#{last_checkpoint.version}")
    return BackupInfo(os.path.basename(where), len(seen), count, digest.hexdigest(),
                      checkpoint, seen)


def archive_findings(info: BackupInfo, public_keys: Collection[str],
                     where: str) -> tuple[list[dict[str, Any]], str | None]:
    """How an archive stands against its checkpoint: (proofs of tampering, why it is unproven).

    The first list names every stream the archive holds otherwise than its checkpoint, validly
    signed by a trusted key, says (``missing``, ``added``, ``re-chained``), or a forged
    checkpoint; the second is a reason when nothing proves the archive (no checkpoint, no
    trusted key), None when the archive matches a signed checkpoint.
    """
    checkpoint = info.checkpoint
    if checkpoint is None:
        return [], f"{where} holds no signed checkpoint (it was made without a signing key)"
    if not checkpoint.signature_valid():
        return [{"stream": CHECKPOINT_STREAM, "version": info.heads[CHECKPOINT_STREAM][0],
                 "problem": "checkpoint-forged", "message":
                 f"{where}: {CHECKPOINT_STREAM}: checkpoint #{checkpoint.seq}'s signature does "
                 "not match its content (forged)"}], None
    if not public_keys:
        return [], (f"no trusted public key to check {where}'s checkpoint #{checkpoint.seq} "
                    "against (give --public-key or the signing key)")
    if checkpoint.public_key not in public_keys:
        return [{"stream": CHECKPOINT_STREAM, "version": info.heads[CHECKPOINT_STREAM][0],
                 "problem": "checkpoint-forged", "message":
                 f"{where}: {CHECKPOINT_STREAM}: checkpoint #{checkpoint.seq} is signed by key "
                 f"{checkpoint.public_key[:16]}…, which is not trusted"}], None
    findings: list[dict[str, Any]] = []
    held = {n: h for n, h in info.heads.items() if n != CHECKPOINT_STREAM}
    differ = {n for n in set(held) | set(checkpoint.heads)
              if held.get(n) != checkpoint.heads.get(n)}
    scanned = _scan(where, checkpoint, differ) if differ else {}
    later: list[str] = []
    for name in sorted(differ):
        signed, found = checkpoint.heads.get(name), held.get(name)
        at_signed, early = scanned.get(name, (None, 0))
        tag, cp = f"{where}: {name}", f"checkpoint #{checkpoint.seq}"
        if found is None:
            assert signed is not None
            findings.append(_problem(name, signed[0], "missing",
                                     f"{tag}: missing ({cp} holds {signed[0]} event(s))"))
        elif signed is not None and found[0] < signed[0]:
            findings.append(_problem(name, found[0] + 1, "missing",
                                     f"{tag}: {found[0]} event(s), {cp} holds {signed[0]}"))
        elif signed is not None and at_signed != signed[1]:
            findings.append(_problem(name, signed[0], "re-chained",
                                     f"{tag}: its history up to version {signed[0]} differs "
                                     f"from {cp} (edited or inserted, then re-hashed)"))
        elif early:
            findings.append(_problem(name, 1 if signed is None else signed[0] + 1, "added",
                                     f"{tag}: {early} event(s) recorded before {cp} that it "
                                     "does not hold (added)"))
        else:
            later.append(name)
    if findings or not later:
        return findings, None
    return [], (f"{len(later)} stream(s) of {where} (e.g. {later[0]!r}) hold events recorded "
                f"after its checkpoint #{checkpoint.seq}, which no signature covers")


def _problem(stream: str, version: int, problem: str, message: str) -> dict[str, Any]:
    return {"stream": stream, "version": version, "problem": problem, "message": message}


def _scan(where: str, checkpoint: Checkpoint,
          names: Collection[str]) -> dict[str, tuple[str | None, int]]:
    """For each of ``names``: the archive's hash at the checkpoint's version of the stream, and
    how many later events claim a time before the checkpoint's cut (a second pass, needed only
    when the archive does not match its checkpoint exactly)."""
    out: dict[str, tuple[str | None, int]] = {}
    for event in _events(where):
        if event.stream not in names:
            continue
        at, early = out.get(event.stream, (None, 0))
        signed = checkpoint.heads.get(event.stream, (0, ""))[0]
        if event.version == signed:
            at = event.hash
        elif (event.version > signed and checkpoint.cut is not None
              and event.recorded_at < checkpoint.cut):
            early += 1
        out[event.stream] = (at, early)
    return out


def restore_store(path: str | os.PathLike[str], store: Storage, *,
                  public_keys: Collection[str] = (), trust_unsigned: bool = False,
                  step: int = _BATCH) -> BackupInfo:
    """Verify the archive ``path`` completely, then load it into ``store``, which must be empty
    or hold an interrupted restore of this same archive (then the restore resumes and completes
    it; anything else in the store is refused before a single event is written).

    The archive must match a checkpoint signed by one of ``public_keys``; an archive that
    contradicts its signed checkpoint (or carries a forged one) is refused
    (:class:`TamperDetected`, naming each stream), and one that nothing proves (no checkpoint,
    no trusted key) is refused (:class:`StoreError`) unless ``trust_unsigned``.

    Events are written in atomic steps of several streams at once (:func:`append_all`), of up
    to ``step`` events each (what is held in memory at once), so a restore that is killed leaves
    whole steps only, and running it again finishes the job."""
    where = os.fspath(path)
    info = verify_backup(where)
    findings, unproven = archive_findings(info, public_keys, where)
    if findings:
        raise TamperDetected(findings)
    if unproven is not None and not trust_unsigned:
        raise StoreError(f"cannot restore {where}: {unproven}; restore it only if you trust "
                         "where it came from (--trust-unsigned)")
    done = {i.name: i for i in store.streams()}
    if done:
        _check_resumable(where, done)
    pending: list[StoredEvent] = []

    def flush() -> None:
        batches: dict[str, list[StoredEvent]] = {}
        for event in pending:
            batches.setdefault(event.stream, []).append(event)
        append_all(store, [(name, events[0].version - 1, events)
                           for name, events in batches.items()])
        pending.clear()

    for event in _events(where):
        already = done.get(event.stream)
        if already is not None and event.version <= already.version:
            continue
        pending.append(event)
        if len(pending) >= step:
            flush()
    if pending:
        flush()
    return info


def _check_resumable(where: str, done: dict[str, StreamInfo]) -> None:
    """Refuse a non-empty target unless every stream in it is a prefix of the archive's."""
    seen: set[str] = set()
    for event in _events(where):
        info = done.get(event.stream)
        if info is not None and event.version == info.version:
            if event.hash != info.last_hash:
                break
            seen.add(event.stream)
    missing = sorted(set(done) - seen)
    if missing:
        raise StoreError(
            f"cannot restore {where}: the target store is not empty and is not an interrupted "
            f"restore of this archive (it holds {len(done)} stream(s); {missing[0]!r} differs "
            "from the archive's); restore into an empty store")
