"""Filling quality (T3, T15, P12) and the term deadline calendar (T12) through the public path:
the guarded gradebook, the audit, and `journal-rules import deadlines`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.commands import CloseJournal, EnterMarks, LoadCurriculum, OpenJournal
from journal_rules.model import (
    ControlKind,
    ControlPoint,
    CourseKind,
    CourseUnit,
    CurriculumEntry,
    JournalSpec,
)
from journal_rules.testing import build_faculty, demo_clock, demo_gradebook
from journal_rules_cli import app

ROOT = Path(__file__).resolve().parents[2]
GROUP_101 = ["s10101", "s10102", "s10103", "s10104", "s10105"]


def _faculty(ruleset: jr.Ruleset) -> tuple[jr.Gradebook, jr.ManualClock]:
    clock = demo_clock()
    book = jr.Gradebook.for_ruleset(jr.MemoryStore(), ruleset, clock=clock)
    build_faculty(book, clock)
    return book, clock


def test_closing_with_unmarked_students_is_refused_naming_them() -> None:
    ruleset = jr.load_ruleset(ROOT / "rulesets/tests/rulesets/refuse-incomplete-close.yaml")
    book, clock = _faculty(ruleset)
    journal = "anat/101/2025-1"
    clock.set(datetime(2025, 10, 22, 5, tzinfo=UTC))
    book.execute("t-anat", EnterMarks(journal, date(2025, 10, 22), {"s10101": "70"},
                                         control="milestone-1"))
    with pytest.raises(jr.CommandRefused) as caught:
        book.execute("t-anat", CloseJournal(journal, "milestone-1"))
    (refusal,) = [r for r in caught.value.refusals if r.rule_id == "complete-marks"]
    assert refusal.clauses == ("T3", "T15", "T19")
    assert refusal.facts["missing"] == GROUP_101[1:]
    for lang in ("ru", "kk", "en"):
        assert "s10102, s10103, s10104, s10105" in refusal.message(lang)
    book.execute("t-anat", EnterMarks(journal, date(2025, 10, 22), dict.fromkeys(
        GROUP_101[1:], "н/б"), control="milestone-1"))
    book.execute("t-anat", CloseJournal(journal, "milestone-1"))  # now every one has a cell


def test_closing_with_unmarked_students_is_a_finding_by_default() -> None:
    ruleset = jr.default_ruleset()
    book, clock = _faculty(ruleset)
    journal = "anat/101/2025-1"
    clock.set(datetime(2025, 10, 22, 5, tzinfo=UTC))
    book.execute("t-anat", EnterMarks(journal, date(2025, 10, 22),
                                         {"s10101": "70", "s10104": "О"}, control="milestone-1"))
    book.execute("t-anat", CloseJournal(journal, "milestone-1"))
    report = jr.audit(book.store, ruleset, date(2025, 10, 31))
    (finding,) = [f for f in report.findings if f.rule_id == "complete-marks"]
    assert (finding.kind, finding.journal, finding.control) == ("violation", journal,
                                                                "milestone-1")
    assert finding.facts["missing"] == ["s10102", "s10103", "s10105"]
    assert "s10102, s10103, s10105" in finding.message("ru")
    assert "t-anat" in finding.responsible


def test_one_students_mark_no_longer_satisfies_the_group() -> None:
    """On a short course each class day needs a cell for every student: the finding names the
    students without one."""
    ruleset = jr.default_ruleset()
    book, clock = _faculty(ruleset)
    clock.set(datetime(2025, 8, 25, 5, tzinfo=UTC))
    unit = CourseUnit("short", "Краткий курс", CourseKind.DISCIPLINE, "dep-anat", 1,
                         date(2025, 9, 2), date(2025, 9, 5))
    book.execute("methodist", LoadCurriculum([], [unit],
                                                [CurriculumEntry("101", "short", "2025-1")]))
    book.execute("or-insp", OpenJournal(JournalSpec(
        "short/101", "short", "101", "2025-1", ["t-anat"],
        [ControlPoint("current-1", ControlKind.CURRENT, date(2025, 9, 2),
                         date(2025, 9, 5))])))
    clock.set(datetime(2025, 9, 2, 11, tzinfo=UTC))
    book.execute("t-anat", EnterMarks("short/101", date(2025, 9, 2),
                                         {"s10101": "80", "s10102": "н/б"}))
    report = jr.audit(book.store, ruleset, date(2025, 9, 3))
    day = [f for f in report.findings if f.rule_id == "daily-marking"
           and f.facts["day"] == "2025-09-02"]
    assert [f.kind for f in day] == ["violation"]
    assert day[0].facts["missing"] == ["s10103", "s10104", "s10105"]
    assert "s10103, s10104, s10105" in day[0].message("en")


def test_a_deadline_calendar_imported_from_a_file_serves_each_control_by_its_row(
        tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path / 'store'}"
    store = jr.open_store(url)
    try:
        demo_gradebook(store)
    finally:
        store.close()
    calendar = tmp_path / "deadlines.csv"
    calendar.write_text(
        "term,control_kind,marks_by,close_by,order_number,order_date\n"
        "2025-1,current,2025-10-24,2025-10-26,РП-12,2025-08-25\n"
        "2025-1,current,,2025-12-20,РП-12,2025-08-25\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "deadlines", str(calendar), "--actor",
                                      "or-head", "--store", url])
    assert result.exit_code == 0, result.output
    store = jr.open_store(url)
    try:
        # The command line records with the system clock: audit as of the day it was recorded.
        (recorded,) = store.read("registry:calendar")
        as_of = recorded.recorded_at.date() + timedelta(days=1)
        report = jr.audit(store, jr.default_ruleset(), as_of)
    finally:
        store.close()
    due = {(f.journal, f.control): f for f in report.findings if f.rule_id == "close-deadline"}
    # anat/102 was never closed: each current control is late by its own row's date.
    for control, day in (("current-1", date(2025, 10, 26)), ("current-2", date(2025, 12, 20))):
        finding = due[("anat/102/2025-1", control)]
        assert (finding.kind, finding.due) == ("violation", day)
        assert finding.facts["deadline_source"] == "term_calendar"
