"""The rest of the demo faculty's term: every control and exam of every journal filled with
deterministic marks and closed, every grade sheet formed (regular, integrated, individual).

:func:`complete_term` runs after :func:`journal_rules.testing.run_term` (which fills part of
the term). Its marks depend on the journals it finds, so it stays Python, not a world file.
Marks are chosen so that the sheets show every case: letters across the scale, a student not
admitted, a failed exam, an exam missed («н/б»), an ИД block without marks (a missing part), a
failed modular discipline and a module missing a part; and one exam is reopened and corrected,
which gives the individual sheet (R4).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from journal_rules._clock import ManualClock
from journal_rules._commands import (
    ApproveNote,
    CloseJournal,
    CorrectMark,
    EnterMarks,
    GiveVisa,
    HoldControl,
    Reopen,
    SubmitNote,
)
from journal_rules._errors import InvalidInput, Problem
from journal_rules._gradebook import Gradebook
from journal_rules._grading._policy import Grading
from journal_rules._grading._sheets import GradeSheet, compute_grade_sheet, form_grade_sheet
from journal_rules._model import ControlKind, CourseKind, ExplanatoryNote, JournalSpec
from journal_rules._ruleset import Ruleset, default_ruleset

# Cases the demo shows (journal key without the term, student) -> what happens there.
NOT_ADMITTED = ("anat/102", "s10205")  # low marks all term: rating below the threshold
EXAM_FAILED = ("anat/102", "s10204")  # a failing exam (then reopened and corrected, R4)
EXAM_ABSENT = ("cell/cell-phys/101", "s10102")  # «н/б» at the exam: a failed modular discipline
BLOCK_MISSING = ("nerv/nerv-phys/101", "s10103")  # no marks in one block of the ИД
PART_MISSING = ("cell/cell-bio/102", "s10201")  # no marks in one modular discipline


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def _key(spec: JournalSpec) -> str:
    return spec.id.rsplit("/", 1)[0]


def _points(seed: int, student: int, n: int, low: bool) -> str:
    base = 55 + (seed * 7 + student * 17) % 45
    if low:
        base = 30
    return str(max(0, min(100, base + (n * 3 + student) % 7 - 3)))


def _cell(book: Gradebook, case: tuple[str, str], *, seed: int, student: int, n: int,
          exam: bool, current: bool) -> str | None:
    """The demo's mark for one cell (None: no mark), with the cases of the module docstring."""
    if case in (BLOCK_MISSING, PART_MISSING) or (exam and case == NOT_ADMITTED):
        return None
    low = case == NOT_ADMITTED
    codes = book.policy.marks.codes
    if exam and case == EXAM_FAILED:
        return "38"
    if (exam and case == EXAM_ABSENT) or (current and not low and (n + student + seed) % 9 == 4):
        return codes["absent"]
    if current and not low and (n + 2 * student + seed) % 13 == 5:
        return codes["unprepared"]
    return _points(seed, student, n, low)


def complete_term(book: Gradebook, clock: ManualClock,
                  ruleset: Ruleset | None = None) -> list[GradeSheet]:
    """Fill and close every open control of every journal, in time order, and form the grade
    sheets; return the sheets formed. Nothing happens when no control is open any more."""
    ruleset = ruleset or default_ruleset()
    grading = ruleset.grading
    if grading is None:
        raise InvalidInput(ruleset.id, [Problem("the ruleset has no grading section",
                                                path="grading")])
    exam_id = grading.exam_control
    rating_controls = set(grading.rating.controls)
    steps: list[tuple[datetime, int, Callable[[], object]]] = []
    sheets: list[GradeSheet] = []

    def step(moment: datetime, action: Callable[[], object]) -> None:
        steps.append((moment, len(steps), action))

    directory = book.directory
    last_close: dict[tuple[str, str, str], datetime] = {}
    for journal_id in book.journals():
        spec = directory.journal(journal_id)
        state = book.journal(journal_id)
        unit = directory.unit(spec.unit)
        teacher = spec.teachers[0]
        students = [s.id for s in directory.students_of(spec.group)]
        seed = zlib.crc32(journal_id.encode("utf-8"))
        key = _key(spec)
        whole = spec.part is None and unit.kind is not CourseKind.DISCIPLINE
        for cid, control in state.controls.items():
            if control.state != "open":
                continue
            point = control.point
            fill = (cid == exam_id and (unit.kind is CourseKind.INTEGRATED) == whole) or \
                (cid in rating_controls and not whole)
            if (fill and cid == exam_id) or (fill and point.kind is ControlKind.MILESTONE):
                step(_at(point.ends, 10),
                     partial(book.execute, teacher, HoldControl(journal_id, cid, point.ends)))
            if fill:
                days = [point.starts + timedelta(days=k)
                        for k in range(0, (point.ends - point.starts).days + 1, 7)]
                if point.kind is not ControlKind.CURRENT:
                    days = [point.ends]
                current = point.kind is ControlKind.CURRENT
                for n, day in enumerate(days):
                    marks = {s: cell for i, s in enumerate(students)
                             if (cell := _cell(book, (key, s), seed=seed, student=i, n=n,
                                               exam=cid == exam_id, current=current)) is not None}
                    step(_at(day, 16), partial(book.execute, teacher,
                                               EnterMarks(journal_id, day, marks, control=cid)))
            close_at = _at(point.ends + timedelta(days=1), 10)
            step(close_at, partial(book.execute, teacher, CloseJournal(journal_id, cid)))
            group_key = (spec.unit, spec.group, spec.term)
            last_close[group_key] = max(close_at, last_close.get(group_key, close_at))
            if cid == exam_id and not whole and unit.kind is not CourseKind.INTEGRATED:
                step(close_at + timedelta(hours=2),
                     partial(_form, book, grading, journal_id, teacher, sheets))
    for (unit_id, group, term), moment in sorted(last_close.items()):
        unit = directory.unit(unit_id)
        own = next((s for s in directory.journals.values()
                    if (s.unit, s.group, s.term, s.part) == (unit_id, group, term, None)), None)
        if unit.kind is CourseKind.DISCIPLINE or own is None:
            continue
        step(moment + timedelta(hours=3), partial(_form, book, grading, own.id, None, sheets))
    if not steps:
        return []
    for moment, _, action in sorted(steps, key=lambda s: (s[0], s[1])):
        clock.set(max(clock.now(), moment))
        action()
    _reopen_exam(book, clock, grading.exam_control, sheets, grading)
    return sheets


def _form(book: Gradebook, grading: Grading, journal: str, actor: str | None,
          sheets: list[GradeSheet], *, kind: str | None = None,
          student: str | None = None) -> None:
    sheet = compute_grade_sheet(book, grading, journal, kind=kind, student=student)
    who = actor or book.directory.journal(sheet.journal).teachers[0]
    form_grade_sheet(book, who, sheet)
    sheets.append(sheet)


def _reopen_exam(book: Gradebook, clock: ManualClock, exam: str, sheets: list[GradeSheet],
                 grading: Grading) -> None:
    """The failed exam of EXAM_FAILED was entered wrongly: the reopening procedure (T14,
    R1-R3), the correction, and the individual grade sheet (R4)."""
    spec = next((s for s in book.directory.journals.values()
                 if _key(s) == EXAM_FAILED[0]), None)
    if spec is None:
        return
    journal, student, teacher = spec.id, EXAM_FAILED[1], spec.teachers[0]
    exam_day = book.journal(journal).controls[exam].point.ends
    clock.advance(days=1)
    book.execute(teacher, SubmitNote(journal, exam, ExplanatoryNote(
        error_date=exam_day, cause="техническая ошибка при вводе", class_types=["экзамен"],
        wrong_entry_date=exam_day, reason="балл экзамена введён с ошибкой (38 вместо 83)")))
    clock.advance(hours=3)
    book.execute("head-anat", GiveVisa(journal, exam, "department_head"))
    book.execute("curator", GiveVisa(journal, exam, "curation_dean"))
    book.execute("dean", GiveVisa(journal, exam, "school_dean"))
    clock.advance(days=1)
    book.execute("or-senior", ApproveNote(journal, exam))
    book.execute("or-head", Reopen(journal, exam))
    clock.advance(hours=5)
    book.execute(teacher, CorrectMark(journal, student, exam_day, "83",
                                      reason="исправление по объяснительной", control=exam))
    book.execute(teacher, CloseJournal(journal, exam))
    clock.advance(hours=1)
    _form(book, grading, journal, teacher, sheets, kind="individual", student=student)
