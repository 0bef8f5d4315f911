"""The tamper suite: an attacker who can write the store's files or tables, against a store
anchored by signed checkpoints, over TinyDB, SQLite and PostgreSQL.

The legitimate data is made through the public path only (the demo term through the guarded
``Gradebook``, a signed backup, a restore, a signed backup through the command line); the
tampering is done the attacker's way, by editing files and rows directly. With the signing
key's public half every case is detected and named (the kind of finding is asserted), by
``verify_store``, by ``journal-rules store verify``, and where the fast head check reaches, by
``journal-rules audit`` refusing to read the store.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.events import Stream
from journal_rules.storage import (
    CHECKPOINT_STREAM,
    GENESIS_HASH,
    SIGNING_KEY_ENV,
    SIGNING_KEY_FILE_ENV,
    VERIFY_KEY_ENV,
    Checkpoint,
    SigningKey,
    StoredEvent,
    check_heads,
    check_store,
    generate_signing_key,
    latest_checkpoint,
    load_checkpoint,
    load_signing_key,
    make_checkpoint,
    verify_backup,
)
from journal_rules.testing import demo_gradebook
from journal_rules_cli._app import app
from journal_rules_tinydb import stream_dirname

PG_BASE = os.environ.get("JOURNAL_RULES_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
DEMO_END = datetime(2025, 10, 31, 18, tzinfo=UTC)
ANAT = "journal:anat/101/2025-1"  # the demo's busy journal (53 events)
ANAT2 = "journal:anat/102/2025-1"
CELL = "journal:cell/101/2025-1"
PEOPLE = Stream.PEOPLE
KINDS = ("tinydb", "sqlite", "postgresql")
Record = dict[str, Any]


# -- the attacker's tools: raw records in, raw records out ---------------------------------------

class Attacker(Protocol):
    def records(self, stream: str) -> list[Record]: ...

    def put(self, stream: str, records: list[Record], *, head: bool = True) -> None:
        """Replace the stream's stored events; with ``head`` make its head match them."""

    def drop(self, stream: str) -> None: ...


class TinyAttacker:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _dir(self, stream: str) -> Path:
        return self.folder / "streams" / stream_dirname(stream)

    def records(self, stream: str) -> list[Record]:
        out: list[Record] = []
        for segment in sorted(self._dir(stream).glob("seg-*.json")):
            docs = json.loads(segment.read_text("utf-8"))["events"]
            out.extend(docs[k] for k in sorted(docs, key=int))
        return out

    def put(self, stream: str, records: list[Record], *, head: bool = True) -> None:
        folder = self._dir(stream)
        folder.mkdir(parents=True, exist_ok=True)
        for segment in folder.glob("seg-*.json"):
            segment.unlink()
        size = json.loads((self.folder / "journal-rules-store.json").read_text())["segment_size"]
        segments: dict[int, dict[str, Record]] = {}
        for position, record in enumerate(records):
            segments.setdefault(position // size, {})[str(record["version"])] = record
        for number, docs in segments.items():
            (folder / f"seg-{number:08d}.json").write_text(
                json.dumps({"events": docs}, ensure_ascii=False), "utf-8")
        if head:
            (folder / "head.json").write_text(json.dumps(
                {"stream": stream, "version": records[-1]["version"],
                 "last_hash": records[-1]["hash"]}), "utf-8")

    def drop(self, stream: str) -> None:
        shutil.rmtree(self._dir(stream))


_COLUMNS = ("stream", "version", "type", "actor", "recorded_at", "occurred_on", "reason", "data",
            "prev_hash", "hash")


class SQLAttacker:
    """Edits the two tables with the database's own driver, as a DBA could."""

    def __init__(self, connect: Callable[[], Any], mark: str) -> None:
        self.connect, self.mark = connect, mark

    def _run(self, *statements: tuple[str, tuple[Any, ...]]) -> list[Any]:
        conn = self.connect()
        try:
            rows: list[Any] = []
            for sql, args in statements:
                cursor = conn.execute(sql.replace("?", self.mark), args)
                if cursor.description is not None:
                    rows = list(cursor.fetchall())
            conn.commit()
            return rows
        finally:
            conn.close()

    def records(self, stream: str) -> list[Record]:
        rows = self._run((f"SELECT {', '.join(_COLUMNS)} FROM journal_events WHERE stream = ? "
                          "ORDER BY version", (stream,)))
        return [{**dict(zip(_COLUMNS, row, strict=True)), "data": json.loads(row[7])}
                for row in rows]

    def put(self, stream: str, records: list[Record], *, head: bool = True) -> None:
        marks = ", ".join("?" for _ in _COLUMNS)
        statements = [("DELETE FROM journal_events WHERE stream = ?", (stream,))]
        for r in records:
            stamp = datetime.fromisoformat(r["recorded_at"]).astimezone(UTC)
            # The stream column is where a row lives, whatever its content says (a rename).
            row = {**r, "stream": stream, "recorded_at": stamp.isoformat(timespec="microseconds"),
                   "data": json.dumps(r["data"], sort_keys=True, separators=(",", ":"),
                                      ensure_ascii=False)}
            statements.append((f"INSERT INTO journal_events ({', '.join(_COLUMNS)}) VALUES "
                               f"({marks})", tuple(row[c] for c in _COLUMNS)))
        if head:
            statements += [("DELETE FROM journal_streams WHERE name = ?", (stream,)),
                           ("INSERT INTO journal_streams (name, version, last_hash) VALUES "
                            "(?, ?, ?)", (stream, records[-1]["version"], records[-1]["hash"]))]
        self._run(*statements)

    def drop(self, stream: str) -> None:
        self._run(("DELETE FROM journal_events WHERE stream = ?", (stream,)),
                  ("DELETE FROM journal_streams WHERE name = ?", (stream,)))


def _attacker(kind: str, url: str) -> Attacker:
    if kind == "tinydb":
        return TinyAttacker(Path(url.removeprefix("tinydb://")))
    if kind == "sqlite":
        path = url.removeprefix("sqlite:///")
        return SQLAttacker(lambda: sqlite3.connect(path), "?")
    import psycopg

    schema = parse_qs(urlsplit(url).query)["schema"][0]

    def connect() -> Any:
        conn = psycopg.connect(PG_BASE)
        conn.execute(f'SET search_path TO "{schema}"')
        return conn

    return SQLAttacker(connect, "%s")


def rechain(records: list[Record], start: int = 0) -> list[Record]:
    """Renumber and re-hash from ``start`` on: what an attacker does to hide an edit."""
    for i in range(start, len(records)):
        records[i]["version"] = i + 1
        records[i]["prev_hash"] = records[i - 1]["hash"] if i else GENESIS_HASH
        records[i]["hash"] = StoredEvent.from_record(records[i]).expected_hash()
    return records


def intruder(template: Record) -> Record:
    """A people_registered event for someone holding the ОР head's role."""
    forged = copy.deepcopy(template)
    forged["data"] = {"people": [{"id": "intruder", "name": "Нарушитель Н.Н.", "email": None,
                                  "position": None, "roles": ["registrar_head"],
                                  "units": ["or"]}]}
    return forged


# -- the legitimate store -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def legit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SigningKey, Path]:
    """The demo term, recorded through the guarded gradebook, and its signed archive."""
    folder = tmp_path_factory.mktemp("legit")
    key_file = folder / "it.key"
    key = generate_signing_key(key_file)
    store = jr.MemoryStore()
    demo_gradebook(store)
    jr.backup_store(store, folder / "demo.jsonl.gz", actor="it-admin", at=DEMO_END,
                    ruleset=jr.default_ruleset(), signing_key=key)
    return key_file, key, folder / "demo.jsonl.gz"


class Target:
    def __init__(self, kind: str, url: str, key: SigningKey, key_file: Path) -> None:
        self.kind, self.url, self.key, self.key_file = kind, url, key, key_file
        self.attacker = _attacker(kind, url)

    @property
    def keys(self) -> set[str]:
        return {self.key.public_key}

    def findings(self, fast: bool = False) -> list[dict[str, Any]]:
        store = jr.open_store(self.url)
        try:
            if fast:
                return check_heads(store, public_keys=self.keys)
            return jr.verify_store(store, public_keys=self.keys)
        finally:
            store.close()


@pytest.fixture(params=KINDS)
def target(request: pytest.FixtureRequest, tmp_path: Path,
           legit: tuple[Path, SigningKey, Path]) -> Target:
    kind = request.param
    url = (request.getfixturevalue("pg_url") if kind == "postgresql"
           else request.getfixturevalue(f"{kind}_url"))
    key_file, key, archive = legit
    store = jr.open_store(url)
    try:
        jr.restore_store(archive, store, public_keys={key.public_key})
    finally:
        store.close()
    # A signed backup through the command line: checkpoint #2, and a backup_made event naming it.
    result = CliRunner().invoke(app, ["store", "backup", "--store", url, "--actor", "it-admin",
                                      "--key", str(key_file), str(tmp_path / "b.jsonl.gz")])
    assert result.exit_code == 0, result.output
    assert "matches checkpoint #2" in result.output
    return Target(kind, url, key, key_file)


# -- the cases ----------------------------------------------------------------------------------

def edit(a: Attacker) -> tuple[str, str]:
    records = a.records(ANAT)
    records[9]["actor"] = "t-anat2"  # someone else's marks, says the store now
    a.put(ANAT, records, head=False)
    return ANAT, "edited"


def rehash(a: Attacker) -> tuple[str, str]:
    records = a.records(ANAT)
    records[9]["actor"] = "t-anat2"
    a.put(ANAT, rechain(records, 9))
    return ANAT, "re-chained"


def delete_event(a: Attacker) -> tuple[str, str]:
    records = a.records(ANAT)
    del records[9]
    a.put(ANAT, records, head=False)
    return ANAT, "removed"


def delete_event_rechained(a: Attacker) -> tuple[str, str]:
    records = a.records(ANAT)
    del records[9]
    a.put(ANAT, rechain(records, 9))
    return ANAT, "missing"


def delete_tail(a: Attacker) -> tuple[str, str]:
    a.put(ANAT, a.records(ANAT)[:-5])  # and the head rewritten to the new last event
    return ANAT, "missing"


def delete_stream(a: Attacker) -> tuple[str, str]:
    a.drop(ANAT2)
    return ANAT2, "missing"


def add_stream(a: Attacker) -> tuple[str, str]:
    name = "journal:anat/103/2025-1"
    records = a.records(ANAT2)  # a journal_opened event of the right time and shape
    for r in records:
        r["stream"] = name
        r["data"]["spec"]["id"] = "anat/103/2025-1"
    a.put(name, rechain(records))
    return name, "added"


def swap_streams(a: Attacker) -> tuple[str, str]:
    first, second = a.records(ANAT2), a.records(CELL)
    a.put(ANAT2, second)
    a.put(CELL, first)
    return ANAT2, "swapped"


def forge_person_rechained(a: Attacker) -> tuple[str, str]:
    records = a.records(PEOPLE)
    records.insert(1, intruder(records[1]))
    a.put(PEOPLE, rechain(records, 1))
    return PEOPLE, "re-chained"


def forge_person_appended(a: Attacker) -> tuple[str, str]:
    records = a.records(PEOPLE)
    records.append(intruder(records[-1]))  # as if registered on the day everybody was
    a.put(PEOPLE, rechain(records, len(records) - 1))
    return PEOPLE, "added"


def delete_checkpoints(a: Attacker) -> tuple[str, str]:
    rehash(a)
    a.drop(CHECKPOINT_STREAM)  # hide the re-hash by removing the anchor
    return CHECKPOINT_STREAM, "checkpoint-missing"


def forge_checkpoint(a: Attacker) -> tuple[str, str]:
    rehash(a)
    records = a.records(CHECKPOINT_STREAM)
    latest = records[-1]["data"]
    latest["heads"][ANAT] = [len(a.records(ANAT)), a.records(ANAT)[-1]["hash"]]
    a.put(CHECKPOINT_STREAM, rechain(records, len(records) - 1))
    return CHECKPOINT_STREAM, "checkpoint-forged"


def garble_checkpoint(a: Attacker) -> tuple[str, str]:
    records = a.records(CHECKPOINT_STREAM)
    records[-1]["data"] = {"seq": "not a number"}
    a.put(CHECKPOINT_STREAM, rechain(records, len(records) - 1))
    return CHECKPOINT_STREAM, "checkpoint-forged"


CASES: dict[str, Callable[[Attacker], tuple[str, str]]] = {
    "edit": edit,
    "re-hash": rehash,
    "delete event": delete_event,
    "delete event, re-chained": delete_event_rechained,
    "delete tail, head rewritten": delete_tail,
    "delete stream": delete_stream,
    "add stream": add_stream,
    "swap streams": swap_streams,
    "forged person, re-chained": forge_person_rechained,
    "forged person, appended": forge_person_appended,
    "delete the checkpoints": delete_checkpoints,
    "forged checkpoint": forge_checkpoint,
    "garbled checkpoint": garble_checkpoint,
}
# What the fast head check (run by audit and sheets before reading) catches by itself; the
# others need the full walk of `store verify` (an edit that was not re-hashed leaves the heads
# as they were).
FAST: dict[str, str] = {
    "re-hash": "re-chained",
    "delete event, re-chained": "missing",
    "delete tail, head rewritten": "missing",
    "delete stream": "missing",
    "add stream": "added",
    "swap streams": "swapped",
    "forged person, re-chained": "re-chained",
    "forged person, appended": "added",
    "delete the checkpoints": "checkpoint-missing",
    "forged checkpoint": "checkpoint-forged",
    "garbled checkpoint": "checkpoint-forged",
}


def test_the_legitimate_store_verifies(target: Target) -> None:
    store = jr.open_store(target.url)
    try:
        check = check_store(store, public_keys=target.keys)
        assert check.findings == []
        assert check.checkpoint is not None
        assert check.checkpoint.seq == 2
        assert check.signed
        # Only the backup_made event recorded after the archive is not covered yet.
        assert check.unanchored == {Stream.OPERATIONS: 1}
        assert check_heads(store, public_keys=target.keys) == []
        assert len(check.checkpoint.heads) == 21
    finally:
        store.close()
    result = CliRunner().invoke(app, ["store", "verify", "--store", target.url,
                                      "--public-key", target.key.public_key])
    assert result.exit_code == 0, result.output
    assert "every event up to checkpoint #2" in result.output


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_detected_and_named(target: Target, case: str) -> None:
    stream, kind = CASES[case](target.attacker)
    found = {(f["stream"], f["problem"]) for f in target.findings()}
    assert (stream, kind) in found, found
    fast = {(f["stream"], f["problem"]) for f in target.findings(fast=True)}
    if case in FAST:
        assert (stream, FAST[case]) in fast, fast
    result = CliRunner().invoke(app, ["store", "verify", "--store", target.url,
                                      "--public-key", target.key.public_key])
    assert result.exit_code == 1, result.output
    assert f"{stream} version" in result.output
    assert f": {kind}: " in result.output
    audit = CliRunner(env={VERIFY_KEY_ENV: target.key.public_key}).invoke(
        app, ["audit", "--store", target.url, "--as-of", "2025-10-31"])
    if case in FAST:
        # Refused as the user sees it: one message naming the edited stream, exit 2.
        assert audit.exit_code == 2, audit.output
        assert " integrity finding(s): " in audit.stderr
        assert stream in audit.stderr


def test_a_planted_pending_batch_is_named(target: Target) -> None:
    if target.kind != "tinydb":
        pytest.skip("only the TinyDB store has a redo record")
    attacker = target.attacker
    assert isinstance(attacker, TinyAttacker)
    records = attacker.records(PEOPLE)
    records.append(intruder(records[-1]))
    batch = rechain(records, len(records) - 1)[-1:]
    (attacker.folder / "pending.json").write_text(json.dumps(
        {"stream": PEOPLE, "expected": len(records) - 1, "events": batch}), "utf-8")
    assert (PEOPLE, "added") in {(f["stream"], f["problem"]) for f in target.findings()}
    assert not (attacker.folder / "pending.json").exists()  # the next opener applied it
    assert (PEOPLE, "added") in {(f["stream"], f["problem"]) for f in target.findings(True)}


def test_audit_and_sheets_refuse_an_edited_store_unless_told(target: Target,
                                                             tmp_path: Path) -> None:
    delete_tail(target.attacker)
    runner = CliRunner(env={VERIFY_KEY_ENV: target.key.public_key})
    sheets = runner.invoke(app, ["sheets", "--store", target.url, "--out", str(tmp_path)])
    assert isinstance(sheets.exception, jr.TamperDetected)
    assert ANAT in str(sheets.exception)
    audit = runner.invoke(app, ["audit", "--store", target.url, "--as-of", "2025-10-31",
                                "--no-verify"])
    assert audit.exit_code == 0, audit.output


# -- forged archives ----------------------------------------------------------------------------

def _line(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def forge_archive(source: Path, target: Path,
                  change: Callable[[dict[str, list[Record]]], None]) -> None:
    """Rewrite an archive's events and make its header, count and checksum agree again."""
    lines = [json.loads(x) for x in gzip.decompress(source.read_bytes()).splitlines()]
    streams: dict[str, list[Record]] = {}
    for record in lines[1:-1]:
        streams.setdefault(record["stream"], []).append(record)
    change(streams)
    events = [r for name in sorted(streams) for r in streams[name]]
    body = "".join(_line(r) for r in events)
    header = {**lines[0], "streams": len(streams),
              "heads": {n: rs[-1]["version"] for n, rs in streams.items()}}
    footer = {"footer": True, "events": len(events),
              "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()}
    target.write_bytes(gzip.compress((_line(header) + body + _line(footer)).encode("utf-8")))


def _with_intruder(streams: dict[str, list[Record]]) -> None:
    people = streams[PEOPLE]
    people.insert(1, intruder(people[1]))
    rechain(people, 1)


def _checkpoint_agrees(streams: dict[str, list[Record]]) -> None:
    _with_intruder(streams)
    checkpoints = streams[CHECKPOINT_STREAM]
    checkpoints[-1]["data"]["heads"][PEOPLE] = [len(streams[PEOPLE]), streams[PEOPLE][-1]["hash"]]
    rechain(checkpoints, len(checkpoints) - 1)


def _resigned(streams: dict[str, list[Record]]) -> None:
    _with_intruder(streams)
    checkpoints = streams[CHECKPOINT_STREAM]
    data = checkpoints[-1]["data"]
    data["heads"][PEOPLE] = [len(streams[PEOPLE]), streams[PEOPLE][-1]["hash"]]
    mine = SigningKey.generate()
    forged = Checkpoint.from_data({**data, "public_key": mine.public_key})
    data.update(forged.to_data(), signature=mine.sign(forged.body()),
                public_key=mine.public_key)
    data["digest"] = forged.digest
    rechain(checkpoints, len(checkpoints) - 1)


ARCHIVES = {  # how the archive was forged -> (stream, kind) restore names
    "person inserted, re-chained": (_with_intruder, PEOPLE, "re-chained"),
    "and the checkpoint's heads edited": (_checkpoint_agrees, CHECKPOINT_STREAM,
                                          "checkpoint-forged"),
    "and re-signed with another key": (_resigned, CHECKPOINT_STREAM, "checkpoint-forged"),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(ARCHIVES))
def test_a_forged_archive_is_refused_and_named(
    request: pytest.FixtureRequest, tmp_path: Path, legit: tuple[Path, SigningKey, Path],
    kind: str, case: str,
) -> None:
    _, key, archive = legit
    change, stream, problem = ARCHIVES[case]
    forged = tmp_path / "forged.jsonl.gz"
    forge_archive(archive, forged, change)
    verify_backup(forged)  # every chain and the checksum hold: only the anchor can tell
    url = (request.getfixturevalue("pg_url") if kind == "postgresql"
           else request.getfixturevalue(f"{kind}_url"))
    store = jr.open_store(url)
    try:
        with pytest.raises(jr.TamperDetected) as caught:
            jr.restore_store(forged, store, public_keys={key.public_key}, trust_unsigned=True)
        assert (stream, problem) in {(f["stream"], f["problem"]) for f in caught.value.findings}
        assert store.streams() == []
    finally:
        store.close()
    result = CliRunner().invoke(app, ["store", "restore", str(forged), "--store", url,
                                      "--public-key", key.public_key])
    assert result.exit_code == 2
    assert stream in result.output
    assert "Traceback" not in result.output


def test_unsigned_or_unprovable_archives_need_trust(tmp_path: Path,
                                                    legit: tuple[Path, SigningKey, Path]
                                                    ) -> None:
    _, key, archive = legit
    store = jr.MemoryStore()
    demo_gradebook(store)
    jr.backup_store(store, tmp_path / "unsigned.jsonl.gz", actor="it-admin", at=DEMO_END)
    for path, keys in ((tmp_path / "unsigned.jsonl.gz", {key.public_key}), (archive, set())):
        runner = CliRunner(env={VERIFY_KEY_ENV: "", SIGNING_KEY_ENV: "",
                                SIGNING_KEY_FILE_ENV: ""})
        args = ["store", "restore", str(path), "--store", f"tinydb://{tmp_path}/into-{path.stem}"]
        args += [x for k in keys for x in ("--public-key", k)]
        refused = runner.invoke(app, args)
        assert refused.exit_code == 2
        assert "--trust-unsigned" in refused.output
        trusted = runner.invoke(app, [*args, "--trust-unsigned"])
        assert trusted.exit_code == 0, trusted.output


# -- keys, checkpoints and what is proven ---------------------------------------------------------

def test_keys_stay_outside_the_store(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path}/store"
    runner = CliRunner(env={SIGNING_KEY_ENV: "", SIGNING_KEY_FILE_ENV: "",
                            VERIFY_KEY_ENV: ""})
    made = runner.invoke(app, ["store", "keygen", str(tmp_path / "it.key")])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "it.key").stat().st_mode & 0o077 == 0
    again = runner.invoke(app, ["store", "keygen", str(tmp_path / "it.key")])
    assert again.exit_code == 2
    assert "never overwritten" in again.output
    store = jr.open_store(url)
    try:
        demo_gradebook(store)
    finally:
        store.close()
    # Without a key nothing is signed, and verify says what it cannot prove.
    nokey = runner.invoke(app, ["store", "checkpoint", "--store", url, "--actor", "it-admin"])
    assert nokey.exit_code == 2
    assert "signing key" in nokey.output
    plain = runner.invoke(app, ["store", "verify", "--store", url])
    assert plain.exit_code == 0
    assert "CANNOT PROVE" in plain.output
    assert "no checkpoint" in plain.output
    key = load_signing_key(tmp_path / "it.key")
    assert key is not None
    # The key from the environment (as the IT department's service would hold it).
    env_runner = CliRunner(env={SIGNING_KEY_FILE_ENV: str(tmp_path / "it.key"),
                                SIGNING_KEY_ENV: "", VERIFY_KEY_ENV: ""})
    taken = env_runner.invoke(app, ["store", "checkpoint", "--store", url, "--actor", "it-admin"])
    assert taken.exit_code == 0, taken.output
    assert "checkpoint #1" in taken.output
    unsigned = runner.invoke(app, ["store", "verify", "--store", url])
    assert unsigned.exit_code == 0
    assert "CANNOT PROVE that the checkpoint itself" in unsigned.output
    signed = runner.invoke(app, ["store", "verify", "--store", url,
                                 "--public-key", key.public_key])
    assert "every event up to checkpoint #1" in signed.output
    secret = key.pem().decode("ascii").splitlines()[1]
    for file in (tmp_path / "store").rglob("*"):
        if file.is_file():
            text = file.read_text("utf-8", errors="replace")
            assert secret not in text, file
    assert key.public_key in "".join(
        f.read_text("utf-8") for f in (tmp_path / "store").rglob("seg-*.json"))


def test_a_head_kept_over_deleted_events_is_named_without_a_key(tmp_path: Path) -> None:
    """The old bug: verify skipped the head check when a stream read back empty."""
    url = f"tinydb://{tmp_path}/store"
    store = jr.open_store(url)
    try:
        demo_gradebook(store)
    finally:
        store.close()
    attacker = TinyAttacker(tmp_path / "store")
    for segment in attacker._dir(ANAT2).glob("seg-*.json"):
        segment.unlink()
    store = jr.open_store(url)
    try:
        assert (ANAT2, "missing") in {(f["stream"], f["problem"]) for f in jr.verify_store(store)}
        assert (ANAT2, "missing") in {(f["stream"], f["problem"]) for f in check_heads(store)}
    finally:
        store.close()


def test_a_checkpoint_does_not_launder_tampering(target: Target) -> None:
    rehash(target.attacker)
    store = jr.open_store(target.url)
    try:
        with pytest.raises(jr.TamperDetected, match="re-hashed"):
            make_checkpoint(store, target.key, actor="it-admin", at=DEMO_END)
        assert latest_checkpoint(store) is not None
        assert latest_checkpoint(store).seq == 2  # type: ignore[union-attr]
    finally:
        store.close()


def test_a_checkpoint_kept_outside_names_checkpoints_cut_back(target: Target,
                                                              tmp_path: Path) -> None:
    """Checkpoints are in the store, so an attacker can cut them back to an older one and
    change what only the newer one covered; the copy the IT department keeps tells."""
    runner = CliRunner(env={SIGNING_KEY_ENV: "", SIGNING_KEY_FILE_ENV: "",
                            VERIFY_KEY_ENV: ""})
    kept = tmp_path / "checkpoint-3.json"
    taken = runner.invoke(app, ["store", "checkpoint", "--store", target.url, "--actor",
                                "it-admin", "--key", str(target.key_file), "--out", str(kept)])
    assert taken.exit_code == 0, taken.output
    assert load_checkpoint(kept).seq == 3
    attacker = target.attacker
    attacker.put(CHECKPOINT_STREAM, attacker.records(CHECKPOINT_STREAM)[:2])
    attacker.drop(Stream.OPERATIONS)  # only checkpoint #3 covered the backup's record
    assert target.findings() == []  # checkpoint #2 does not know the operations stream
    args = ["store", "verify", "--store", target.url, "--public-key", target.key.public_key]
    result = runner.invoke(app, [*args, "--checkpoint", str(kept)])
    assert result.exit_code == 1, result.output
    assert f"{CHECKPOINT_STREAM} version 3: checkpoint-missing" in result.output
    assert f"{Stream.OPERATIONS} version 1: missing" in result.output
    forged = {**json.loads(kept.read_text("utf-8")), "seq": 9}
    kept.write_text(json.dumps(forged), "utf-8")
    result = runner.invoke(app, [*args, "--checkpoint", str(kept)])
    assert "checkpoint-forged" in result.output
