"""Read-only stores can be verified and audited, and nothing in them changes.

The tests run as root, for whom file permissions do not forbid writing, so read-only is asked
for with the store URL's ``?read_only=1`` (what a non-root user gets by itself for a TinyDB
folder without write permission, and what SQLite's ``mode=ro`` and PostgreSQL's read-only
transactions enforce whoever runs them)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.events import EventLog
from journal_rules.storage import NewEvent
from journal_rules.testing import demo_clock
from journal_rules_cli import app

AS_OF = "2025-10-31"


def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the sha256 of its content, but SQLite's WAL index and
    log: a reader of a WAL database makes them (empty of changes) to coordinate with writers."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(("-wal", "-shm"))}


@pytest.mark.parametrize("kind", ["tinydb", "sqlite"])
def test_a_read_only_store_is_verified_and_audited_and_left_alone(tmp_path: Path,
                                                                  kind: str) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"tinydb://{folder}/store" if kind == "tinydb" else f"sqlite:///{folder}/store.db"
    assert CliRunner().invoke(app, ["demo", "--store", url]).exit_code == 0
    writable = jr.open_store(url)
    expected = jr.audit(writable, jr.default_ruleset(), date.fromisoformat(AS_OF))
    writable.close()
    before = _fingerprint(folder)

    store = jr.open_store(f"{url}?read_only=1")
    try:
        assert jr.verify_store(store) == []
        report = jr.audit(store, jr.default_ruleset(), date.fromisoformat(AS_OF))
        assert report.findings  # the demo term has some
        assert report.as_dict() == expected.as_dict()
        with pytest.raises(jr.StoreError, match="read-only"):
            EventLog(store).append("journal:x", [NewEvent(
                "mark_entered", "t", demo_clock().now())])
    finally:
        store.close()
    for command in (["store", "verify", "--store", f"{url}?read_only=1"],
                    ["audit", "--store", f"{url}?read_only=1", "--as-of", AS_OF]):
        result = subprocess.run([sys.executable, "-c",
                                 "from journal_rules_cli import main; main()", *command],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
    assert _fingerprint(folder) == before


def test_read_only_opens_nothing_new(tmp_path: Path) -> None:
    with pytest.raises(jr.StoreError, match="not a journal-rules TinyDB store"):
        jr.open_store(f"tinydb://{tmp_path}/none?read_only=1")
    assert not (tmp_path / "none").exists()
    with pytest.raises(jr.StoreError, match="no such database"):
        jr.open_store(f"sqlite:///{tmp_path}/none.db?read_only=1")
    assert not os.path.exists(tmp_path / "none.db")
    with pytest.raises(jr.StoreError, match="read_only must be"):
        jr.open_store(f"tinydb://{tmp_path}/x?read_only=maybe")


def test_a_read_only_postgresql_store_is_audited(pg_url: str) -> None:
    assert CliRunner().invoke(app, ["demo", "--store", pg_url]).exit_code == 0
    store = jr.open_store(f"{pg_url}&read_only=1")
    try:
        assert jr.verify_store(store) == []
        assert jr.audit(store, jr.default_ruleset(), date.fromisoformat(AS_OF)).findings
        with pytest.raises(jr.StoreError, match="read-only"):
            store.append("journal:x", 0, [])
    finally:
        store.close()
