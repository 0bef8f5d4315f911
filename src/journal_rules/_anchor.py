"""Tamper evidence with an anchor: signed checkpoints over the head of every stream.

Each stream is a hash chain, but a chain alone has no secret: whoever can write the store can
edit an event and re-hash everything after it, delete a stream, or cut a tail and rewrite the
head. A *checkpoint* closes that gap the way ledger databases and transparency logs do: it lists
every stream's head (version and last hash), is signed with an Ed25519 key that is kept OUTSIDE
the store (a key file or an environment variable the IT department holds), and links to the
checkpoint before it, so the checkpoints form one chain over the whole store. Only the public
key and the signature are stored (in the ``store:checkpoints`` stream); the secret never is.

:func:`check_store` (and :func:`verify_store`, its findings) walks every chain and compares the
store with its latest checkpoint, naming what is missing, added, edited, re-chained or swapped;
:func:`check_heads` is the fast path the reading commands run first (one or two reads per
stream). Events recorded after the latest checkpoint are reported as not yet anchored: nothing
can prove them until the next checkpoint covers them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Collection, Container, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ._errors import InvalidInput, Problem, StoreError, TamperDetected, VersionConflict
from ._events import BackupMade
from ._log import EventLog
from ._storage import GENESIS_HASH, NewEvent, Storage, StoredEvent, StreamInfo, canonical_json

CHECKPOINT_STREAM = "store:checkpoints"
CHECKPOINT_EVENT = "checkpoint_made"
CHECKPOINT_FORMAT = "journal-rules-checkpoint/1"
#: The signing key itself (hex of the 32-byte seed, or PEM text), for services that take
#: secrets from the environment.
SIGNING_KEY_ENV = "JOURNAL_RULES_SIGNING_KEY"
#: The path of the signing key file (written by ``journal-rules store keygen``).
SIGNING_KEY_FILE_ENV = "JOURNAL_RULES_SIGNING_KEY_FILE"
#: Trusted public keys (hex, comma-separated: several during a key rotation).
VERIFY_KEY_ENV = "JOURNAL_RULES_VERIFY_KEY"
_OPERATIONS_STREAM = BackupMade.stream  # where backup events name their checkpoint


# --- keys --------------------------------------------------------------------------------------

class SigningKey:
    """An Ed25519 private key that signs checkpoints. It never enters the store or the log."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.public_key = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()

    @classmethod
    def generate(cls) -> SigningKey:
        """A new random key (kept in memory; :func:`generate_signing_key` writes one)."""
        return cls(Ed25519PrivateKey.generate())

    def sign(self, body: bytes) -> str:
        return self._key.sign(body).hex()

    def __repr__(self) -> str:  # never print the secret
        return f"SigningKey(public_key={self.public_key!r})"

    def pem(self) -> bytes:
        return self._key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())


def _parse_signing_key(text: bytes, where: str) -> SigningKey:
    stripped = text.strip()
    try:
        if stripped.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(stripped, password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(stripped.decode("ascii")))
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidInput(where, [Problem(f"not an Ed25519 private key ({exc})")]) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(where, [Problem("the key is not an Ed25519 key")])
    return SigningKey(key)


def generate_signing_key(path: str | os.PathLike[str]) -> SigningKey:
    """Create a new signing key in the file ``path`` (readable by its owner only); refuse to
    overwrite. Keep the file outside the store; publish ``.public_key`` for verification."""
    target = os.fspath(path)
    key = SigningKey.generate()
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise StoreError(f"{target} already exists; a signing key is never overwritten") from None
    except OSError as exc:
        raise StoreError(f"cannot write the signing key {target}: {exc}") from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.pem())
    return key


def load_signing_key(path: str | os.PathLike[str] | None = None, *,
                     environ: Mapping[str, str] | None = None) -> SigningKey | None:
    """The signing key from the file ``path``, else from ``JOURNAL_RULES_SIGNING_KEY`` (the key)
    or ``JOURNAL_RULES_SIGNING_KEY_FILE`` (its file); None when none is given."""
    env = os.environ if environ is None else environ
    if path is None and env.get(SIGNING_KEY_ENV):
        return _parse_signing_key(env[SIGNING_KEY_ENV].encode("utf-8"), SIGNING_KEY_ENV)
    if path is None:
        path = env.get(SIGNING_KEY_FILE_ENV) or None
    if path is None:
        return None
    where = os.fspath(path)
    try:
        with open(where, "rb") as handle:
            text = handle.read(64 * 1024)
    except OSError as exc:
        raise StoreError(f"cannot read the signing key {where}: {exc}") from exc
    return _parse_signing_key(text, where)


def _check_public_key(value: str, where: str) -> str:
    try:
        raw = bytes.fromhex(value.strip())
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise InvalidInput(where, [Problem(f"{value!r} is not an Ed25519 public key in hex "
                                           f"({exc})")]) from None
    return raw.hex()


def trusted_keys(values: Iterable[str] = (), *, signing: SigningKey | None = None,
                 environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The public keys a verifier trusts: ``values``, ``JOURNAL_RULES_VERIFY_KEY`` and the
    public half of ``signing``. Never the key a checkpoint names itself (anyone can sign)."""
    env = os.environ if environ is None else environ
    keys = {_check_public_key(v, "public key") for v in values}
    keys.update(_check_public_key(v, VERIFY_KEY_ENV)
                for v in env.get(VERIFY_KEY_ENV, "").split(",") if v.strip())
    if signing is not None:
        keys.add(signing.public_key)
    return frozenset(keys)


# --- checkpoints -------------------------------------------------------------------------------

@attrs.frozen
class Checkpoint:
    """A signed statement: "at ``taken_at`` the store held exactly these stream heads".

    ``seq`` numbers checkpoints from 1 and ``prev`` is the digest of the one before, so they
    form one chain over the whole store; ``cut`` is the latest recorded time among the heads (an
    event that claims to be older but is not covered was added behind the library's back).
    """

    seq: int
    taken_at: datetime
    actor: str
    cut: datetime | None
    heads: Mapping[str, tuple[int, str]]
    prev: str
    public_key: str
    signature: str = ""

    def body(self) -> bytes:
        """The signed bytes: everything but the signature, in canonical JSON."""
        return canonical_json({
            "format": CHECKPOINT_FORMAT, "seq": self.seq, "taken_at": self.taken_at.isoformat(),
            "actor": self.actor, "cut": None if self.cut is None else self.cut.isoformat(),
            "heads": {name: list(head) for name, head in sorted(self.heads.items())},
            "prev": self.prev, "public_key": self.public_key,
        }).encode("utf-8")

    @property
    def digest(self) -> str:
        """The sha256 of the signed body: what the next checkpoint and backups refer to."""
        return hashlib.sha256(self.body()).hexdigest()

    def signature_valid(self) -> bool:
        """Whether the signature matches the body under the key the checkpoint names."""
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.public_key)).verify(
                bytes.fromhex(self.signature), self.body())
        except (InvalidSignature, ValueError):
            return False
        return True

    def to_data(self) -> dict[str, Any]:
        return {"seq": self.seq, "taken_at": self.taken_at.isoformat(), "actor": self.actor,
                "cut": None if self.cut is None else self.cut.isoformat(),
                "heads": {n: list(h) for n, h in sorted(self.heads.items())},
                "prev": self.prev, "public_key": self.public_key, "signature": self.signature,
                "digest": self.digest}

    @classmethod
    def from_data(cls, data: Mapping[str, Any], where: str = "checkpoint") -> Checkpoint:
        try:
            cut = data["cut"]
            return cls(
                seq=int(data["seq"]), taken_at=datetime.fromisoformat(str(data["taken_at"])),
                actor=str(data["actor"]),
                cut=None if cut is None else datetime.fromisoformat(str(cut)),
                heads={str(n): (int(h[0]), str(h[1])) for n, h in dict(data["heads"]).items()},
                prev=str(data["prev"]), public_key=str(data["public_key"]),
                signature=str(data["signature"]))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise StoreError(f"{where}: malformed checkpoint ({exc})") from exc


def _head_event(store: Storage, info: StreamInfo) -> StoredEvent | None:
    return next(store.read(info.name, info.version), None)


def read_checkpoints(store: Storage) -> list[tuple[StoredEvent, Checkpoint | None]]:
    """Every checkpoint event of the store with its parsed checkpoint (None when malformed)."""
    out: list[tuple[StoredEvent, Checkpoint | None]] = []
    for event in store.read(CHECKPOINT_STREAM):
        try:
            out.append((event, Checkpoint.from_data(event.data,
                                                    f"{CHECKPOINT_STREAM}#{event.version}")))
        except StoreError:
            out.append((event, None))
    return out


def latest_checkpoint(store: Storage) -> Checkpoint | None:
    """The store's newest checkpoint (not yet checked), read with one query."""
    info = next((i for i in store.streams() if i.name == CHECKPOINT_STREAM), None)
    if info is None:
        return None
    event = _head_event(store, info)
    return None if event is None else Checkpoint.from_data(
        event.data, f"{CHECKPOINT_STREAM}#{event.version}")


def make_checkpoint(store: Storage, key: SigningKey, *, actor: str, at: datetime,
                    full: bool = True, public_keys: Collection[str] = ()) -> Checkpoint:
    """Sign the heads of every stream and append the checkpoint to ``store:checkpoints``.

    A store that does not verify is refused (:class:`TamperDetected`) before anything is signed,
    so a checkpoint never launders an edit: ``full`` walks every chain (what ``store
    checkpoint`` does); without it only the heads are compared with the previous checkpoint
    (what a backup does, since writing the archive walks every chain anyway).
    """
    keys = frozenset(public_keys) | {key.public_key}
    report = check_store(store, public_keys=keys) if full else None
    findings = report.findings if report is not None else check_heads(store, public_keys=keys)
    if findings:
        raise TamperDetected(findings)
    log = EventLog(store)
    for _ in range(100):
        infos = [i for i in store.streams() if i.name != CHECKPOINT_STREAM]
        heads: dict[str, tuple[int, str]] = {}
        cut: datetime | None = None
        for info in infos:
            heads[info.name] = (info.version, info.last_hash)
            last = _head_event(store, info)
            if last is not None and (cut is None or last.recorded_at > cut):
                cut = last.recorded_at
        head = log.head(CHECKPOINT_STREAM)
        previous = None if head is None else Checkpoint.from_data(head.data)
        unsigned = Checkpoint(
            seq=1 if previous is None else previous.seq + 1, taken_at=at, actor=actor, cut=cut,
            heads=heads, prev=GENESIS_HASH if previous is None else previous.digest,
            public_key=key.public_key)
        checkpoint = attrs.evolve(unsigned, signature=key.sign(unsigned.body()))
        try:
            log.append(CHECKPOINT_STREAM, [NewEvent(type=CHECKPOINT_EVENT, actor=actor,
                                                    recorded_at=at,
                                                    data=checkpoint.to_data())],
                       after=head, known_head=True)
        except VersionConflict:
            continue  # another checkpoint was taken at the same moment: chain after it
        return checkpoint
    raise StoreError(f"could not append to {CHECKPOINT_STREAM!r}: too many conflicts")


# --- verification ------------------------------------------------------------------------------

@attrs.frozen
class StoreCheck:
    """What :func:`check_store` found and what it could prove.

    ``findings`` are integrity problems (each a dict with ``stream``, ``version``, ``problem``
    and ``message``); ``checkpoint`` is the checkpoint the store was compared with and
    ``signed`` whether its signature was checked against a trusted key; ``unanchored`` counts,
    per stream, the events recorded after that checkpoint (sound chains, not yet provable).
    """

    findings: list[dict[str, Any]]
    streams: int
    checkpoint: Checkpoint | None
    signed: bool
    unanchored: dict[str, int]

    def proves(self) -> list[str]:
        """What this check proves, and what it cannot, in plain sentences."""
        out = ["every stream's hash chain and recorded head were checked"]
        if self.checkpoint is None:
            out.append("CANNOT PROVE: that no event was re-hashed, no stream deleted or added "
                       "and no tail cut with its head rewritten: the store has no checkpoint "
                       "(run `journal-rules store checkpoint` with the signing key)")
        elif not self.signed:
            out.append(f"compared with checkpoint #{self.checkpoint.seq} of "
                       f"{self.checkpoint.taken_at.isoformat()}, whose signature matches the key "
                       "it names; CANNOT PROVE that the checkpoint itself is genuine: no trusted "
                       f"public key (give --public-key or set {VERIFY_KEY_ENV})")
        else:
            out.append(f"every event up to checkpoint #{self.checkpoint.seq} of "
                       f"{self.checkpoint.taken_at.isoformat()} is as signed by key "
                       f"{self.checkpoint.public_key[:16]}…")
        if self.unanchored:
            count = sum(self.unanchored.values())
            out.append(f"CANNOT PROVE: {count} event(s) in {len(self.unanchored)} stream(s) "
                       "recorded after the checkpoint (sound chains, not yet covered by a "
                       "signature)")
        return out


def _finding(stream: str, version: int, problem: str, message: str) -> dict[str, Any]:
    return {"stream": stream, "version": version, "problem": problem, "message": message}


def _gone(checkpoint: Checkpoint, present: Container[str]) -> list[dict[str, Any]]:
    """A finding for every stream the checkpoint holds that the store no longer has."""
    return [_finding(name, version, "missing",
                     f"{name}: the whole stream is gone (checkpoint #{checkpoint.seq} holds it "
                     f"at version {version}): deleted")
            for name, (version, _) in sorted(checkpoint.heads.items()) if name not in present]


def _walk(info: StreamInfo, events: Iterable[StoredEvent], anchored: Mapping[str, str],
          keep_from: int) -> tuple[list[dict[str, Any]], dict[int, StoredEvent], int, list[str]]:
    """Check one stream's chain. Returns findings, the events from version ``keep_from`` on (by
    version), the last version read and the other streams whose anchored head this stream
    holds (a swap)."""
    name = info.name
    findings: list[dict[str, Any]] = []
    by_version: dict[int, StoredEvent] = {}
    prev_hash, expected, last = GENESIS_HASH, 1, None
    foreign: list[str] = []
    for event in events:
        where = f"{name}#{event.version}"
        if event.stream != name:
            findings.append(_finding(name, event.version, "misplaced",
                                     f"{where}: holds an event of stream {event.stream!r} "
                                     "(streams swapped or moved)"))
        if event.version != expected:
            kind = "removed" if event.version > expected else "inserted-or-reordered"
            findings.append(_finding(name, event.version, kind,
                                     f"{where}: expected version {expected} here (an event was "
                                     f"{kind.replace('-', ' ')})"))
        if event.expected_hash() != event.hash:
            findings.append(_finding(name, event.version, "edited",
                                     f"{where}: content does not match its hash (edited)"))
        elif event.prev_hash != prev_hash:
            findings.append(_finding(name, event.version, "chain-broken",
                                     f"{where}: does not follow the event before it (an event "
                                     "was removed, inserted or reordered)"))
        other = anchored.get(event.hash)
        if other is not None and other != name and other not in foreign:
            foreign.append(other)
        if event.version >= keep_from:
            by_version[event.version] = event
        prev_hash, expected, last = event.hash, event.version + 1, event
    if last is None and info.version > 0:
        findings.append(_finding(name, info.version, "missing",
                                 f"{name}: its head says {info.version} event(s) but none read "
                                 "back (events deleted)"))
    elif last is not None and (last.version != info.version or last.hash != info.last_hash):
        findings.append(_finding(name, info.version, "head",
                                 f"{name}: the stream's recorded head (version {info.version}) "
                                 f"does not match its last event (version {last.version})"))
    return findings, by_version, (0 if last is None else last.version), foreign


def _trusted_checkpoint(store: Storage, keys: Collection[str], findings: list[dict[str, Any]],
                        known: dict[int, str]) -> Checkpoint | None:
    """The newest sound checkpoint; every broken, forged or unchained one becomes a finding.
    ``known`` receives the digest of every checkpoint by number."""
    best: Checkpoint | None = None
    prev_digest, seq = GENESIS_HASH, 0
    for event, checkpoint in read_checkpoints(store):
        if checkpoint is not None:
            known[checkpoint.seq] = checkpoint.digest
        where = f"{CHECKPOINT_STREAM}#{event.version}"
        if checkpoint is None:
            findings.append(_finding(CHECKPOINT_STREAM, event.version, "checkpoint-forged",
                                     f"{where}: not a readable checkpoint"))
            continue
        if not checkpoint.signature_valid() or (keys and checkpoint.public_key not in keys):
            why = ("its signature does not match its content" if not
                   checkpoint.signature_valid() else
                   f"signed by key {checkpoint.public_key[:16]}…, which is not trusted")
            findings.append(_finding(CHECKPOINT_STREAM, event.version, "checkpoint-forged",
                                     f"{where}: checkpoint #{checkpoint.seq} is forged ({why})"))
            continue
        if checkpoint.seq != seq + 1 or checkpoint.prev != prev_digest:
            findings.append(_finding(CHECKPOINT_STREAM, event.version, "checkpoint-chain",
                                     f"{where}: checkpoint #{checkpoint.seq} does not follow "
                                     f"checkpoint #{seq} (a checkpoint was removed or "
                                     "reordered)"))
        best, prev_digest, seq = checkpoint, checkpoint.digest, checkpoint.seq
    return best


def _backup_references(store: Storage, known: Mapping[int, str],
                       findings: list[dict[str, Any]], *, newer_only: bool = False) -> None:
    """Every checkpoint a ``backup_made`` event names must still be in the store, unchanged
    (``newer_only``: only that none is newer than the newest of ``known``)."""
    newest = max(known, default=0)
    for event in store.read(_OPERATIONS_STREAM):
        seq, digest = event.data.get("checkpoint_seq"), event.data.get("checkpoint_digest")
        if event.type != BackupMade.type or not isinstance(seq, int):
            continue
        if (seq > newest) if newer_only else (known.get(seq) != digest):
            findings.append(_finding(CHECKPOINT_STREAM, int(seq), "checkpoint-missing",
                                     f"{CHECKPOINT_STREAM}: checkpoint #{seq}, named by the "
                                     "backup "
                                     f"{event.data.get('file')!r} ({_OPERATIONS_STREAM}"
                                     f"#{event.version}), is missing or changed"))


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """A checkpoint kept outside the store (``journal-rules store checkpoint --out FILE``)."""
    where = os.fspath(path)
    try:
        with open(where, encoding="utf-8") as handle:
            data = json.loads(handle.read(16 * 1024 * 1024))
    except (OSError, ValueError) as exc:
        raise StoreError(f"cannot read the checkpoint file {where}: {exc}") from exc
    if not isinstance(data, dict):
        raise StoreError(f"{where}: not a checkpoint")
    return Checkpoint.from_data(data, where)


def _outside(anchor: Checkpoint, checkpoint: Checkpoint | None, known: Mapping[int, str],
             keys: Collection[str], findings: list[dict[str, Any]]) -> Checkpoint | None:
    """The checkpoint to compare with, given one held outside the store: a store that lost or
    changed it is named, and the outside one is used when it is the newer."""
    if not anchor.signature_valid() or (keys and anchor.public_key not in keys):
        findings.append(_finding(CHECKPOINT_STREAM, anchor.seq, "checkpoint-forged",
                                 f"{CHECKPOINT_STREAM}: the checkpoint #{anchor.seq} given from "
                                 "outside the store is not validly signed by a trusted key"))
        return checkpoint
    if known.get(anchor.seq) == anchor.digest:
        return checkpoint
    findings.append(_finding(CHECKPOINT_STREAM, anchor.seq, "checkpoint-missing",
                             f"{CHECKPOINT_STREAM}: checkpoint #{anchor.seq}, held outside the "
                             "store, is missing from it or changed (checkpoints removed)"))
    return anchor if checkpoint is None or anchor.seq >= checkpoint.seq else checkpoint


def check_store(store: Storage, *, public_keys: Collection[str] = (),
                anchor: Checkpoint | None = None) -> StoreCheck:
    """Walk every stream and compare the store with its latest sound checkpoint.

    Finding kinds: ``edited``, ``removed``, ``inserted-or-reordered``, ``chain-broken``,
    ``misplaced``, ``head`` (a chain's own damage); ``missing`` (a stream or events the
    checkpoint holds are gone), ``re-chained`` (the history up to the checkpoint's head was
    rewritten and re-hashed), ``swapped`` (a stream holds another's history), ``added`` (a stream
    or events the checkpoint does not hold, claiming to be older than it); ``checkpoint-forged``,
    ``checkpoint-chain``, ``checkpoint-missing`` (the anchor itself was touched). ``anchor`` is
    a checkpoint kept outside the store (the copy the IT department holds): a store that no
    longer has it is named, and the store is compared with it when it is the newer.
    """
    keys = frozenset(public_keys)
    findings: list[dict[str, Any]] = []
    known: dict[int, str] = {}
    checkpoint = _trusted_checkpoint(store, keys, findings, known)
    if anchor is not None:
        checkpoint = _outside(anchor, checkpoint, known, keys, findings)
    infos = store.streams()
    anchored = {} if checkpoint is None else {h: n for n, (_, h) in checkpoint.heads.items()}
    present = {info.name for info in infos}
    unanchored: dict[str, int] = {}
    for info in infos:
        keep_from = (sys.maxsize if checkpoint is None
                     else checkpoint.heads.get(info.name, (1, ""))[0])
        walked, events, last, foreign = _walk(info, store.read(info.name), anchored, keep_from)
        findings.extend(walked)
        if info.name == CHECKPOINT_STREAM or checkpoint is None:
            continue
        findings.extend(_against(checkpoint, info.name, events, last=last, foreign=foreign,
                                 unanchored=unanchored))
    if checkpoint is not None:
        findings.extend(_gone(checkpoint, present))
    _backup_references(store, known, findings)
    return StoreCheck(findings, len(infos), checkpoint, checkpoint is not None and bool(keys),
                      unanchored)


def _against(checkpoint: Checkpoint, name: str, events: Mapping[int, StoredEvent], *,
             last: int, foreign: Sequence[str],
             unanchored: dict[str, int]) -> list[dict[str, Any]]:
    """One stream compared with the checkpoint (its events read already, by version)."""
    out: list[dict[str, Any]] = []
    tag = f"checkpoint #{checkpoint.seq}"
    head = checkpoint.heads.get(name)
    covered = 0 if head is None else head[0]
    if foreign:
        out.append(_finding(name, covered, "swapped",
                            f"{name}: holds the history of stream(s) {', '.join(foreign)} as "
                            f"{tag} signed it (streams swapped)"))
    elif head is not None:
        version, digest = head
        at = events.get(version)
        if last < version or at is None:
            out.append(_finding(name, min(last + 1, version), "missing",
                                f"{name}: {tag} holds {version} event(s), the store only "
                                f"{last} (events deleted, head rewritten)"))
        elif at.hash != digest:
            out.append(_finding(name, version, "re-chained",
                                f"{name}: its history up to version {version} differs from "
                                f"what {tag} signed (edited or inserted, then re-hashed)"))
    later = [e for v, e in events.items() if v > covered]
    cut = checkpoint.cut
    early = [e for e in later if cut is not None and e.recorded_at < cut]
    if early:
        first = min(early, key=lambda e: e.version)
        what = "stream" if head is None else "event(s)"
        out.append(_finding(name, first.version, "added",
                            f"{name}: {len(early)} {what} recorded at "
                            f"{first.recorded_at.isoformat()}, before {tag} "
                            f"({cut.isoformat() if cut else ''}), which does not hold them "
                            "(added behind the library's back)"))
    if len(later) > len(early):
        unanchored[name] = len(later) - len(early)
    return out


def verify_store(store: Storage, *, public_keys: Collection[str] = (),
                 anchor: Checkpoint | None = None) -> list[dict[str, Any]]:
    """The findings of :func:`check_store`: empty when the store is sound.

    Without a checkpoint this checks each chain and head only; with one it also names what is
    missing, added, re-chained or swapped since it; with ``public_keys`` the checkpoint must be
    signed by one of them.
    """
    return check_store(store, public_keys=public_keys, anchor=anchor).findings


def check_heads(store: Storage, *, public_keys: Collection[str] = ()) -> list[dict[str, Any]]:
    """The fast path: each stream's head against its last event, and the latest checkpoint's
    heads against the store (one or two reads per stream, no chain walk)."""
    findings: list[dict[str, Any]] = []
    infos = store.streams()
    by_name = {info.name: info for info in infos}
    checkpoint: Checkpoint | None = None
    cp_info = by_name.get(CHECKPOINT_STREAM)
    if cp_info is not None:
        event = _head_event(store, cp_info)
        try:
            checkpoint = None if event is None else Checkpoint.from_data(
                event.data, f"{CHECKPOINT_STREAM}#{event.version}")
        except StoreError:
            findings.append(_finding(CHECKPOINT_STREAM, cp_info.version, "checkpoint-forged",
                                     f"{CHECKPOINT_STREAM}#{cp_info.version}: not a readable "
                                     "checkpoint"))
        if checkpoint is not None and (not checkpoint.signature_valid() or (
                public_keys and checkpoint.public_key not in public_keys)):
            findings.append(_finding(CHECKPOINT_STREAM, cp_info.version, "checkpoint-forged",
                                     f"{CHECKPOINT_STREAM}#{cp_info.version}: the latest "
                                     "checkpoint's signature does not hold"))
            checkpoint = None
    anchored = {} if checkpoint is None else {h: n for n, (_, h) in checkpoint.heads.items()}
    for info in infos:
        last = _head_event(store, info)
        if last is None:
            findings.append(_finding(info.name, info.version, "missing",
                                     f"{info.name}: its head says {info.version} event(s) but "
                                     "the last one does not read back (events deleted)"))
        elif (last.version != info.version or last.hash != info.last_hash
              or last.stream != info.name or last.expected_hash() != last.hash):
            findings.append(_finding(info.name, info.version, "head",
                                     f"{info.name}: the recorded head does not match the last "
                                     "event (edited or cut)"))
        if checkpoint is None or info.name == CHECKPOINT_STREAM:
            continue
        head = checkpoint.heads.get(info.name)
        if head is not None and info.version < head[0]:
            findings.append(_finding(info.name, info.version + 1, "missing",
                                     f"{info.name}: checkpoint #{checkpoint.seq} holds {head[0]}"
                                     f" event(s), the store {info.version} (events deleted)"))
            continue
        # Only what the checkpoint does not cover is read: usually nothing or a few events.
        tail = ([last] if head is not None and info.version == head[0] and last is not None
                else list(store.read(info.name, 1 if head is None else head[0])))
        if head is not None:
            at = tail[0] if tail and tail[0].version == head[0] else None
            if at is None or at.hash != head[1]:
                other = anchored.get("" if at is None else at.hash)
                findings.append(
                    _finding(info.name, head[0], "swapped",
                             f"{info.name}: holds the history of stream {other} as checkpoint "
                             f"#{checkpoint.seq} signed it (streams swapped)")
                    if other is not None and other != info.name else
                    _finding(info.name, head[0], "re-chained",
                             f"{info.name}: its history up to version {head[0]} differs from "
                             f"checkpoint #{checkpoint.seq} (re-hashed)"))
                continue
            tail = tail[1:]
        early = [e for e in tail if checkpoint.cut is not None and e.recorded_at < checkpoint.cut]
        if early:
            findings.append(_finding(info.name, early[0].version, "added",
                                     f"{info.name}: {len(early)} event(s) recorded before "
                                     f"checkpoint #{checkpoint.seq}, which does not hold them "
                                     "(added)"))
    if checkpoint is not None:
        findings.extend(_gone(checkpoint, by_name))
    latest = {} if checkpoint is None else {checkpoint.seq: checkpoint.digest}
    _backup_references(store, latest, findings, newer_only=True)
    return findings


def ensure_sound(store: Storage, *, public_keys: Collection[str] = ()) -> None:
    """Run :func:`check_heads` and raise :class:`TamperDetected` naming what is wrong."""
    findings = check_heads(store, public_keys=public_keys)
    if findings:
        raise TamperDetected(findings)
