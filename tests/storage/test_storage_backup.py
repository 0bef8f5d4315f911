"""Backup and restore: verified archives, restore into an empty store only, recorded as events."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
from typer.testing import CliRunner

from journal_rules import (
    MemoryStore,
    StoreError,
    TamperDetected,
    backup_store,
    open_store,
    restore_store,
    verify_store,
)
from journal_rules.events import EventLog
from journal_rules.storage import CHECKPOINT_STREAM, NewEvent, generate_signing_key, verify_backup
from journal_rules.testing import UNICODE_SAMPLES, make_events
from journal_rules_cli._store_commands import store_app

AT = datetime(2024, 10, 1, 9, 0, tzinfo=UTC)


def _fill(url: str) -> None:
    store = open_store(url)
    try:
        for i, text in enumerate(UNICODE_SAMPLES):
            store.append(f"journal:{text}", 0, make_events(f"journal:{text}", 3 + i,
                                                           data={"mark": text}))
        # A big stream of raw events (not a registry stream: the gradebook reads those).
        store.append("archive:big", 0, make_events("archive:big", 1200))
    finally:
        store.close()


def _everything(url: str) -> list[dict[str, object]]:
    store = open_store(url)
    try:
        return [e.to_record() for s in store.streams() for e in store.read(s.name)
                if s.name != CHECKPOINT_STREAM]
    finally:
        store.close()


def test_round_trip_tinydb_postgresql_tinydb(tmp_path: Path, pg_url: str) -> None:
    source, back = f"tinydb://{tmp_path}/a", f"tinydb://{tmp_path}/b"
    _fill(source)
    original = _everything(source)
    key = generate_signing_key(tmp_path / "it.key")
    store = open_store(source)
    try:
        first = backup_store(store, tmp_path / "one.jsonl.gz", actor="registrar-1", at=AT,
                             signing_key=key)
    finally:
        store.close()
    assert first.checkpoint is not None
    # Every stream, plus the checkpoint the archive matches.
    assert (first.events, first.streams) == (len(original) + 1, len(UNICODE_SAMPLES) + 2)
    pg = open_store(pg_url)
    try:
        restored = restore_store(tmp_path / "one.jsonl.gz", pg, public_keys={key.public_key})
        assert restored == verify_backup(tmp_path / "one.jsonl.gz")
        assert verify_store(pg, public_keys={key.public_key}) == []
        # Unsigned, but nothing moved since the checkpoint: the archive still matches it.
        second = backup_store(pg, tmp_path / "two.jsonl.gz", actor="registrar-1", at=AT)
    finally:
        pg.close()
    # The backup_made event is appended after the archive is written, to the source store.
    assert (second.events, second.sha256) == (first.events, first.sha256)
    result = CliRunner().invoke(store_app, ["restore", str(tmp_path / "two.jsonl.gz"),
                                            "--store", back, "--public-key", key.public_key])
    assert result.exit_code == 0, result.output
    assert _everything(back) == original
    operations = [r for r in _everything(source) if r["stream"] == "registry:operations"]
    assert [(r["type"], r["actor"], r["data"]) for r in operations] == [
        ("backup_made", "registrar-1",
         {"file": "one.jsonl.gz", "events": first.events, "sha256": first.sha256,
          "checkpoint_seq": 1, "checkpoint_digest": first.checkpoint.digest})]


def test_backup_is_recorded_and_deterministic(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path}/s"
    _fill(url)
    store = open_store(url)
    try:
        info = backup_store(store, tmp_path / "b.jsonl.gz", actor="admin", at=AT)
        (event,) = store.read("registry:operations")
        assert (event.type, event.actor, event.recorded_at) == ("backup_made", "admin", AT)
        assert event.data == {"file": "b.jsonl.gz", "events": info.events,
                              "sha256": info.sha256, "checkpoint_seq": None,
                              "checkpoint_digest": None}
        with pytest.raises(StoreError, match="already exists"):
            backup_store(store, tmp_path / "b.jsonl.gz", actor="admin", at=AT)
    finally:
        store.close()
    assert not list(tmp_path.glob("*.partial"))


def test_restore_refuses_a_store_that_is_not_empty(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path}/s"
    _fill(url)
    store = open_store(url)
    try:
        backup_store(store, tmp_path / "b.jsonl.gz", actor="admin", at=AT)
        with pytest.raises(StoreError, match="not empty"):
            restore_store(tmp_path / "b.jsonl.gz", store, trust_unsigned=True)
    finally:
        store.close()


def _rewrite(path: Path, change: object) -> None:
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines(keepends=True)
    assert callable(change)
    path.write_bytes(gzip.compress("".join(change(lines)).encode("utf-8")))


@pytest.mark.parametrize(("change", "error"), [
    (lambda lines: [*lines[:5], lines[5].replace('"n":', '"n":1'), *lines[6:]], TamperDetected),
    (lambda lines: lines[:-1], StoreError),
    (lambda lines: [*lines[:3], *lines[4:]], TamperDetected),
    (lambda lines: [lines[0], *lines[1:-1], lines[-1].replace('"events":', '"events":1')],
     StoreError),
    (lambda lines: ['{"format":"other"}\n', *lines[1:]], StoreError),
])
def test_a_damaged_archive_restores_nothing(tmp_path: Path, change: object,
                                            error: type[Exception]) -> None:
    url = f"tinydb://{tmp_path}/s"
    _fill(url)
    store = open_store(url)
    try:
        backup_store(store, tmp_path / "b.jsonl.gz", actor="admin", at=AT)
    finally:
        store.close()
    _rewrite(tmp_path / "b.jsonl.gz", change)
    target = open_store(f"tinydb://{tmp_path}/t")
    try:
        with pytest.raises(error):
            restore_store(tmp_path / "b.jsonl.gz", target, trust_unsigned=True)
        assert target.streams() == []
    finally:
        target.close()


def test_truncated_gzip_is_a_clear_error(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path}/s"
    _fill(url)
    result = CliRunner().invoke(store_app, ["backup", "--store", url, "--actor", "admin",
                                            str(tmp_path / "b.gz")])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "b.gz").read_bytes()
    (tmp_path / "b.gz").write_bytes(data[: len(data) // 2])
    result = CliRunner().invoke(store_app, ["restore", str(tmp_path / "b.gz"), "--trust-unsigned",
                                            "--store", f"tinydb://{tmp_path}/t"])
    assert result.exit_code == 2
    assert "b.gz" in result.output
    assert "Traceback" not in result.output


def test_backup_refuses_a_tampered_store(tmp_path: Path) -> None:
    store = MemoryStore()
    log = EventLog(store)
    log.append("s", [NewEvent("e", "p", AT, data={"n": 1})])
    (event,) = store.read("s")
    store._tamper("s", [attrs.evolve(event, actor="someone else")])
    with pytest.raises(TamperDetected, match="s#1"):
        backup_store(store, tmp_path / "b.gz", actor="admin", at=AT)
    assert not (tmp_path / "b.gz").exists()


def test_restore_resumes_into_a_store_holding_a_prefix_of_the_archive(tmp_path: Path) -> None:
    """What an interrupted restore leaves (whole steps of the archive, in order) is completed by
    running the same restore again; here the prefix comes from an earlier backup of the same
    store, restored first."""
    url = f"tinydb://{tmp_path}/s"
    _fill(url)
    store = open_store(url)
    try:
        early = backup_store(store, tmp_path / "early.jsonl.gz", actor="admin", at=AT)
        store.append("archive:big", 1200, make_events("archive:big", 5,
                                                      after=list(store.read("archive:big"))[-1]))
        late = backup_store(store, tmp_path / "late.jsonl.gz", actor="admin", at=AT)
        heads = store.streams()
    finally:
        store.close()
    target = MemoryStore()
    restore_store(tmp_path / "early.jsonl.gz", target, trust_unsigned=True)
    assert sum(i.version for i in target.streams()) == early.events
    assert restore_store(tmp_path / "late.jsonl.gz", target, trust_unsigned=True) == late
    assert sum(i.version for i in target.streams()) == late.events
    assert [i for i in target.streams() if i.name != "registry:operations"] == [
        i for i in heads if i.name != "registry:operations"]
    assert verify_store(target) == []
    # The same archive again: nothing left to do, nothing written twice.
    restore_store(tmp_path / "late.jsonl.gz", target, trust_unsigned=True)
    assert sum(i.version for i in target.streams()) == late.events


def test_restore_refuses_a_store_that_is_not_a_prefix_of_the_archive(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path}/s"
    _fill(url)
    store = open_store(url)
    try:
        backup_store(store, tmp_path / "b.jsonl.gz", actor="admin", at=AT)
    finally:
        store.close()
    target = MemoryStore()
    target.append("archive:big", 0, make_events("archive:big", 2, data={"other": True}))
    with pytest.raises(StoreError, match="not an interrupted restore of this archive"):
        restore_store(tmp_path / "b.jsonl.gz", target, trust_unsigned=True)
    assert [i.version for i in target.streams()] == [2]  # nothing was written
