"""Edits made behind the library's back, in TinyDB files and SQLite rows, are named by
``verify_store`` and by ``journal-rules store verify``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journal_rules import open_store, verify_store
from journal_rules.storage import StoredEvent
from journal_rules.testing import make_events
from journal_rules_cli._store_commands import store_app
from journal_rules_tinydb import TinyDBStore

STREAM = "journal:ГР-101:Анатомия"


def _forged(after: StoredEvent) -> dict[str, Any]:
    """A self-consistent event that was never appended: right hash, wrong history."""
    return make_events(STREAM, 1, after=after, actor="intruder")[0].to_record()


# -- TinyDB -------------------------------------------------------------------------------------

def _segment(store: TinyDBStore) -> Path:
    return Path(store.segment_path(STREAM, 1))


def _edit_docs(store: TinyDBStore, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    path = _segment(store)
    content = json.loads(path.read_text("utf-8"))
    content["events"] = change(content["events"])
    path.write_text(json.dumps(content, ensure_ascii=False), "utf-8")


def _tiny_edit(docs: dict[str, Any]) -> dict[str, Any]:
    docs["3"]["data"] = {"n": 99, "mark": "A"}
    return docs


def _tiny_delete(docs: dict[str, Any]) -> dict[str, Any]:
    del docs["3"]
    return docs


def _tiny_insert(docs: dict[str, Any]) -> dict[str, Any]:
    before = StoredEvent.from_record(docs["2"])
    shifted = {str(int(k) + 1) if int(k) >= 3 else k: v for k, v in docs.items()}
    shifted["3"] = _forged(before)
    return shifted


def _tiny_reorder(docs: dict[str, Any]) -> dict[str, Any]:
    docs["3"], docs["4"] = docs["4"], docs["3"]
    return docs


def _tiny_truncate(docs: dict[str, Any]) -> dict[str, Any]:
    del docs["6"]
    return docs


CASES = {  # what was done -> the versions a finding must name
    "edit": (_tiny_edit, {3}),
    "delete": (_tiny_delete, {4}),
    "insert": (_tiny_insert, {3}),
    "reorder": (_tiny_reorder, {3, 4}),
    "delete-last": (_tiny_truncate, {6}),
}


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[str, TinyDBStore]:
    url = f"tinydb://{tmp_path}/store"
    store = open_store(url)
    assert isinstance(store, TinyDBStore)
    store.append(STREAM, 0, make_events(STREAM, 6, data={"mark": "н/б"}))
    store.append("other", 0, make_events("other", 2))
    assert verify_store(store) == []
    return url, store


@pytest.mark.parametrize("case", sorted(CASES))
def test_tinydb_tampering_is_named(tiny: tuple[str, TinyDBStore], case: str) -> None:
    url, store = tiny
    change, versions = CASES[case]
    _edit_docs(store, change)
    findings = verify_store(store)
    assert findings, case
    assert {f["stream"] for f in findings} == {STREAM}
    assert versions <= {f["version"] for f in findings}, findings
    result = CliRunner().invoke(store_app, ["verify", "--store", url])
    assert result.exit_code == 1
    for version in versions:
        assert f"{STREAM} version {version}" in result.output


def test_tinydb_head_edit_is_named(tiny: tuple[str, TinyDBStore]) -> None:
    _, store = tiny
    head = Path(store.stream_path(STREAM)) / "head.json"
    content = json.loads(head.read_text("utf-8"))
    content["last_hash"] = "f" * 64
    head.write_text(json.dumps(content), "utf-8")
    assert [f["problem"] for f in verify_store(store)] == ["head"]


def test_tinydb_garbage_is_a_clear_error(tiny: tuple[str, TinyDBStore]) -> None:
    url, store = tiny
    _segment(store).write_text("{not json", "utf-8")
    result = CliRunner().invoke(store_app, ["verify", "--store", url])
    assert result.exit_code == 2
    assert "seg-00000000.json" in result.output
    assert "Traceback" not in result.output


# -- SQLite -------------------------------------------------------------------------------------

def _sql_edit(db: sqlite3.Connection) -> None:
    db.execute("UPDATE journal_events SET data = '{\"n\":99}' WHERE stream = ? AND version = 3",
               (STREAM,))


def _sql_delete(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM journal_events WHERE stream = ? AND version = 3", (STREAM,))


def _sql_insert(db: sqlite3.Connection) -> None:
    row = db.execute("SELECT * FROM journal_events WHERE stream = ? AND version = 2",
                     (STREAM,)).fetchone()
    names = [d[0] for d in db.execute("SELECT * FROM journal_events LIMIT 0").description]
    record = dict(zip(names, row, strict=True))
    record["data"] = json.loads(record["data"])
    forged = _forged(StoredEvent.from_record(record))
    db.execute("UPDATE journal_events SET version = -version WHERE stream = ? AND version >= 3",
               (STREAM,))
    db.execute("UPDATE journal_events SET version = 1 - version WHERE stream = ? AND version < 0",
               (STREAM,))
    forged["data"] = json.dumps(forged["data"])
    forged["recorded_at"] = row[names.index("recorded_at")]
    db.execute(f"INSERT INTO journal_events ({', '.join(forged)}) VALUES "
               f"({', '.join('?' for _ in forged)})", list(forged.values()))


def _sql_reorder(db: sqlite3.Connection) -> None:
    db.execute("UPDATE journal_events SET version = -1 WHERE stream = ? AND version = 3",
               (STREAM,))
    db.execute("UPDATE journal_events SET version = 3 WHERE stream = ? AND version = 4", (STREAM,))
    db.execute("UPDATE journal_events SET version = 4 WHERE stream = ? AND version = -1",
               (STREAM,))


def _sql_head(db: sqlite3.Connection) -> None:
    db.execute("UPDATE journal_streams SET version = 5 WHERE name = ?", (STREAM,))


SQL_CASES = {
    "edit": (_sql_edit, {3}),
    "delete": (_sql_delete, {4}),
    "insert": (_sql_insert, {3, 4}),
    "reorder": (_sql_reorder, {3, 4}),
    "head": (_sql_head, {5}),
}


@pytest.mark.parametrize("case", sorted(SQL_CASES))
def test_sqlite_tampering_is_named(tmp_path: Path, case: str) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    store = open_store(url)
    try:
        store.append(STREAM, 0, make_events(STREAM, 6))
        store.append("other", 0, make_events("other", 2))
        change, versions = SQL_CASES[case]
        db = sqlite3.connect(tmp_path / "store.db")
        try:
            with db:
                change(db)
        finally:
            db.close()
        findings = verify_store(store)
        assert {f["stream"] for f in findings} == {STREAM}
        assert versions <= {f["version"] for f in findings}, findings
    finally:
        store.close()
    result = CliRunner().invoke(store_app, ["verify", "--store", url])
    assert result.exit_code == 1
    assert f"{STREAM} version {min(versions)}" in result.output


def test_verify_on_a_sound_store_exits_0(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path}/store"
    store = open_store(url)
    store.append(STREAM, 0, make_events(STREAM, 3))
    store.close()
    result = CliRunner().invoke(store_app, ["verify", "--store", url])
    assert result.exit_code == 0, result.output
    assert "1 stream(s)" in result.output
