"""Recording a backup (P9) goes through the ruleset: only those it allows may record one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.events import Stream
from journal_rules.storage import StoredEvent
from journal_rules.testing import demo_clock, demo_gradebook
from journal_rules_cli._store_commands import store_app


def _demo(url: str) -> None:
    store = jr.open_store(url)
    try:
        demo_gradebook(store)
    finally:
        store.close()


def _backups(url: str) -> list[StoredEvent]:
    store = jr.open_store(url)
    try:
        return [e for e in store.read(Stream.OPERATIONS) if e.type == "backup_made"]
    finally:
        store.close()


def test_a_teacher_may_not_record_a_backup(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path}/s"
    _demo(url)
    archive = tmp_path / "b.jsonl.gz"
    result = CliRunner().invoke(store_app, ["backup", "--store", url, "--actor", "t-anat",
                                            str(archive)])
    assert result.exit_code == 2
    assert "perm-backup" in result.output
    assert not archive.exists()
    assert _backups(url) == []


def test_the_it_department_records_a_backup_the_audit_sees(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path}/s"
    _demo(url)
    store = jr.open_store(url)
    ruleset = jr.default_ruleset()
    try:
        info = jr.backup_store(store, tmp_path / "b.jsonl.gz", actor="it-admin",
                               at=datetime(2025, 10, 5, 3, tzinfo=UTC), ruleset=ruleset)
        (event,) = [e for e in store.read(Stream.OPERATIONS) if e.type == "backup_made"]
        assert event.actor == "it-admin"
        assert event.data["sha256"] == info.sha256
        report = jr.audit(store, ruleset, demo_clock().now().date().replace(month=10, day=31))
        months = {f.facts.get("month") for f in report.findings if f.rule_id == "monthly-backup"}
        assert "2025-10" not in months
        assert "2025-09" in months  # no backup in September: still a finding
    finally:
        store.close()


def test_a_refused_backup_writes_no_archive(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path}/s"
    _demo(url)
    store = jr.open_store(url)
    try:
        with pytest.raises(jr.CommandRefused):
            jr.backup_store(store, tmp_path / "b.gz", actor="nobody",
                            at=datetime(2025, 10, 5, tzinfo=UTC), ruleset=jr.default_ruleset())
    finally:
        store.close()
    assert not (tmp_path / "b.gz").exists()
