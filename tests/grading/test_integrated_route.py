"""The integrated sheet end to end (T6, T10, P10, P11): formed by the finishing department through
the guarded gradebook, recorded where docs/grading.md says, and found there by the audit; blocks
with and without their own exam control; parts that end on the same day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import journal_rules as jr
from journal_rules.commands import (
    CloseJournal,
    EnterMarks,
    HoldControl,
    LoadCurriculum,
    OpenJournal,
)
from journal_rules.grading import compute_grade_sheet, form_grade_sheet, recorded_grade_sheets
from journal_rules.model import (
    ControlKind,
    ControlPoint,
    CourseKind,
    CoursePart,
    CourseUnit,
    CurriculumEntry,
    JournalSpec,
)
from journal_rules.testing import build_faculty, demo_clock

RULESETS = Path(__file__).resolve().parents[2] / "rulesets"
SEP1, OCT1, DEC14, DEC17 = date(2025, 9, 1), date(2025, 10, 1), date(2025, 12, 14), \
    date(2025, 12, 17)


def _at(day: date, hour: int) -> datetime:
    # UTC hours 4-12 are the same day in the university's time (+05:00)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _world(ruleset: jr.Ruleset, *, block_exam: bool, same_end: bool
           ) -> tuple[jr.Gradebook, jr.ManualClock]:
    """The demo faculty plus an ИД «tie» of dep-anat, group 101: block tie-anat (dep-anat) and
    block tie-phys (dep-phys, from 1 October); tie-anat ends 14.12 (or 31.10 unless
    ``same_end``), tie-phys on 14.12; the integrated exam on 17.12 in tie's own journal."""
    clock = demo_clock()
    book = jr.Gradebook.for_ruleset(jr.MemoryStore(), ruleset, clock=clock)
    build_faculty(book, clock)
    anat_end = DEC14 if same_end else date(2025, 10, 31)
    unit = CourseUnit("tie", "Связанная ИД", CourseKind.INTEGRATED, "dep-anat", 4, SEP1,
                         DEC14, parts=[
                             CoursePart("tie-anat", "Блок анатомии", "dep-anat", 2, SEP1,
                                           anat_end),
                             CoursePart("tie-phys", "Блок физиологии", "dep-phys", 2, OCT1,
                                           DEC14)])
    book.execute("methodist", LoadCurriculum([], [unit], [CurriculumEntry("101", "tie",
                                                                                 "2025-1")]))

    def block(starts: date, ends: date) -> list[ControlPoint]:
        mid = starts + (ends - starts) / 2
        points = [ControlPoint("current-1", ControlKind.CURRENT, starts, mid),
                  ControlPoint("milestone-1", ControlKind.MILESTONE, mid, mid),
                  ControlPoint("current-2", ControlKind.CURRENT, mid, ends),
                  ControlPoint("milestone-2", ControlKind.MILESTONE, ends, ends)]
        if block_exam:
            points.append(ControlPoint("exam", ControlKind.INTERMEDIATE, ends, ends))
        return points

    exam = [ControlPoint("exam", ControlKind.INTERMEDIATE, DEC17, DEC17)]
    book.execute("or-insp", OpenJournal(JournalSpec("tie/101", "tie", "101", "2025-1",
                                                          ["t-anat"], exam)))
    for part, teacher, starts, ends in (("tie-anat", "t-anat", SEP1, anat_end),
                                        ("tie-phys", "t-phys", OCT1, DEC14)):
        book.execute("or-insp", OpenJournal(JournalSpec(
            f"tie/{part}/101", "tie", "101", "2025-1", [teacher], block(starts, ends),
            part=part)))
    students = [s.id for s in book.directory.students_of("101")]
    closings = sorted((state.point.ends, f"tie/{part}/101", control, teacher)
                      for part, teacher in (("tie-anat", "t-anat"), ("tie-phys", "t-phys"))
                      for control, state in book.journal(f"tie/{part}/101").controls.items())
    for day, journal, control, teacher in closings:  # in time order, each on its day
        clock.set(_at(day, 9))
        book.execute(teacher, EnterMarks(journal, day, dict.fromkeys(students, "80"),
                                            control=control))
        book.execute(teacher, CloseJournal(journal, control))
    clock.set(_at(DEC17, 9))
    book.execute("t-anat", HoldControl("tie/101", "exam", DEC17))
    book.execute("t-anat", EnterMarks("tie/101", DEC17, dict.fromkeys(students, "70"),
                                         control="exam"))
    book.execute("t-anat", CloseJournal("tie/101", "exam"))
    return book, clock


def _tie_findings(book: jr.Gradebook, ruleset: jr.Ruleset, rule: str,
                  as_of: date = date(2025, 12, 31)) -> list[jr.Finding]:
    report = jr.audit(book.store, ruleset, as_of)
    return [f for f in report.findings
            if f.rule_id == rule and (f.journal or "").startswith("tie/")]


@pytest.mark.parametrize("block_exam", [True, False], ids=["blocks-with-exam",
                                                           "blocks-without-exam"])
def test_route_of_docs_grading(block_exam: bool) -> None:
    ruleset = jr.default_ruleset()
    grading = ruleset.grading
    assert grading is not None
    book, clock = _world(ruleset, block_exam=block_exam, same_end=False)
    # Before forming: pending on the finishing block's journal, for its department's staff.
    pending = _tie_findings(book, ruleset, "integrated-sheet", DEC17)
    assert [(f.kind, f.journal, f.department) for f in pending] == \
        [("pending", "tie/tie-phys/101", "dep-phys")]
    assert set(pending[0].responsible) == {"t-phys", "head-phys"}
    clock.set(_at(date(2025, 12, 18), 9))
    sheet = compute_grade_sheet(book, grading, "tie/101")
    assert (sheet.kind, sheet.journal, sheet.department) == \
        ("integrated", "tie/tie-phys/101", "dep-phys")
    assert sheet.control == ("exam" if block_exam else "milestone-2")
    assert {r.status for r in sheet.rows} == {"passed"}
    # Only the finishing journal's teacher may record it (the guard, perm-journal-teacher).
    with pytest.raises(jr.CommandRefused) as refused:
        form_grade_sheet(book, "t-anat", sheet)
    assert "perm-journal-teacher" in {r.rule_id for r in refused.value.refusals}
    form_grade_sheet(book, "t-phys", sheet)
    assert recorded_grade_sheets(book, "tie/tie-phys/101") == [sheet]
    assert _tie_findings(book, ruleset, "integrated-sheet") == []
    # Neither the ИД's own journal nor its blocks owe a regular sheet (P10).
    assert _tie_findings(book, ruleset, "grade-sheet-deadline") == []


@pytest.mark.parametrize(("ruleset_file", "finishing"), [
    (None, "tie-phys"),  # starts_last (default): tie-phys starts on 1 October
    ("tests/rulesets/tie-unit-department.yaml", "tie-anat"),  # the unit's own department
])
def test_same_day_tie_break_is_shared_by_grading_and_rule(ruleset_file: str | None,
                                                          finishing: str) -> None:
    ruleset = jr.default_ruleset() if ruleset_file is None else \
        jr.load_ruleset(RULESETS / ruleset_file)
    grading = ruleset.grading
    assert grading is not None
    book, clock = _world(ruleset, block_exam=False, same_end=True)
    pending = _tie_findings(book, ruleset, "integrated-sheet", DEC17)
    assert [f.journal for f in pending] == [f"tie/{finishing}/101"]
    clock.set(_at(date(2025, 12, 18), 9))
    sheet = compute_grade_sheet(book, grading, "tie/101")
    assert sheet.journal == f"tie/{finishing}/101"
    teacher = book.directory.journal(sheet.journal).teachers[0]
    form_grade_sheet(book, teacher, sheet)
    assert _tie_findings(book, ruleset, "integrated-sheet") == []


def test_tie_break_values_are_checked_at_load() -> None:
    text = (RULESETS / "tests" / "rulesets" / "tie-unit-department.yaml").read_text(
        encoding="utf-8").replace("value: unit_department", "value: unit_departmnet")
    with pytest.raises(jr.InvalidInput) as error:
        jr.loads_ruleset(text, str(RULESETS / "tests" / "rulesets" / "bad.yaml"))
    assert "finishing_tie_break" in str(error.value)
    assert "unit_department" in str(error.value)
