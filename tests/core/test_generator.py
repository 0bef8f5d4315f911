"""The synthetic-university generator and the buffering store it writes through."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

import journal_rules as jr
from journal_rules.events import EventLog
from journal_rules.model import CourseKind
from journal_rules.storage import BufferedStore, NewEvent
from journal_rules.testing import demo_clock, generate_university


def _records(store: jr.Storage) -> list[dict[str, object]]:
    return [e.to_record() for e in store.read_recorded()]


def test_the_same_seed_gives_identical_stores(ruleset: jr.Ruleset) -> None:
    first, second, other = jr.MemoryStore(), jr.MemoryStore(), jr.MemoryStore()
    report = generate_university(first, ruleset.policy, students=240, seed=7)
    generate_university(second, ruleset.policy, students=240, seed=7)
    generate_university(other, ruleset.policy, students=240, seed=8)
    assert _records(first) == _records(second)
    assert _records(first) != _records(other)
    assert report.events == len(_records(first))
    assert jr.verify_store(first) == []


def test_a_generated_term_has_the_expected_shape(ruleset: jr.Ruleset) -> None:
    store = jr.MemoryStore()
    report = generate_university(store, ruleset.policy, students=1200, seed=1,
                                    reopen_rate=0.1, substitution_rate=0.1)
    assert report.groups == 50
    assert report.students == 1200
    assert report.journals > report.groups * 6
    assert report.mark_cells > 100_000
    assert report.reopenings > 0
    assert report.substitutions > 0
    assert report.late_closings > 0
    book = jr.Gradebook(store, ruleset.policy, clock=demo_clock())
    kinds = {book.directory.unit(book.directory.journal(j).unit).kind for j in book.journals()}
    assert kinds == set(CourseKind)
    # Every generated journal replays cleanly under the ruleset's lifecycle.
    for journal in book.journals()[:200]:
        assert book.journal(journal).anomalies == []


def test_settings_are_checked_before_anything_is_written(ruleset: jr.Ruleset) -> None:
    store = jr.MemoryStore()
    with pytest.raises(jr.InvalidInput) as caught:
        generate_university(store, ruleset.policy, students=0, absent_rate=2.0)
    assert {p.path for p in caught.value.problems} == {"students", "absent_rate"}
    assert store.streams() == []


def test_buffered_store_holds_writes_until_flushed() -> None:
    inner = jr.MemoryStore()
    buffered = BufferedStore(inner)
    log = EventLog(buffered)
    at = datetime(2025, 9, 1, tzinfo=UTC)
    log.append("a", [NewEvent("backup_made", "it", at)] * 3)
    assert inner.streams() == []
    assert [e.version for e in buffered.read("a", 2)] == [2, 3]
    assert [i.version for i in buffered.streams()] == [3]
    with pytest.raises(jr.VersionConflict):
        buffered.append("a", 1, [])
    assert buffered.flush() == 3
    assert [e.version for e in inner.read("a")] == [1, 2, 3]
    log.append("a", [NewEvent("backup_made", "it", at)])
    buffered.close()
    assert [e.version for e in inner.read("a")] == [1, 2, 3, 4]
    assert jr.verify_store(inner) == []


def test_a_generated_term_has_its_setup_and_a_few_lapses(ruleset: jr.Ruleset) -> None:
    """Logins (P7, P8), КТП uploaders and plans (P5, P6), the deadline calendar (T12) and monthly
    backups (P9) are there for most of the university, with a few realistic lapses."""
    store = jr.MemoryStore()
    report = generate_university(store, ruleset.policy, students=480, seed=3,
                                    late_login_rate=0.05, missing_uploaders_rate=0.1,
                                    missed_backup_rate=0.3)
    assert report.logins == report.people - 1  # everyone but the IT robot that registers them
    assert report.calendar_plans == report.units
    assert report.backups > 0
    book = jr.Gradebook(store, ruleset.policy, clock=demo_clock())
    directory = book.directory
    assert len(directory.logins_issued) == report.logins
    assert set(directory.deadlines) == {"T1"}
    audit = jr.audit(store, ruleset, date(2026, 2, 1))
    counts: dict[str, int] = {}
    for finding in audit.findings:
        if finding.kind == "violation":
            counts[finding.rule_id] = counts.get(finding.rule_id, 0) + 1
    teachers = sum(1 for p in directory.people.values() if "teacher" in p.roles)
    assert counts.get("login-before-work", 0) < teachers * 0.1
    assert counts.get("plan-uploaders-setup", 0) < report.units * 0.5
    assert counts.get("calendar-plan-setup", 0) < report.units * 0.2
    assert "term-deadline-calendar" not in counts
    assert counts.get("monthly-backup", 0) == 5 - report.backups  # September to January


def test_the_setup_has_its_own_random_stream(ruleset: jr.Ruleset) -> None:
    """Changing a setup rate leaves the journals of a seed as they were."""
    first, second = jr.MemoryStore(), jr.MemoryStore()
    generate_university(first, ruleset.policy, students=120, seed=4)
    generate_university(second, ruleset.policy, students=120, seed=4, late_login_rate=0.5)
    journals = [i.name for i in first.streams() if i.name.startswith("journal:")]
    assert journals
    for name in journals:
        assert [e.hash for e in first.read(name)] == [e.hash for e in second.read(name)]


def test_the_generator_root_names_still_work_with_a_deprecation_warning() -> None:
    from journal_rules import testing

    for name in ("generate_university", "GeneratorSettings", "GenerationReport"):
        with pytest.warns(DeprecationWarning, match=f"journal_rules.testing.{name}"):
            assert getattr(jr, name) is getattr(testing, name)
    with pytest.raises(AttributeError):
        _ = jr.no_such_name  # type: ignore[attr-defined]
