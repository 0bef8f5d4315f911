"""Data checks on commands that do not depend on policy: ids resolve, dates are in order, the
fields a document needs are filled. Every problem is collected; none stops the others."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._commands import (
    AssignPlanUploaders,
    Command,
    IssueLogin,
    LoadCalendarPlan,
    LoadContingent,
    LoadCurriculum,
    OpenJournal,
    RegisterSubstitution,
    RequestLogin,
    SetDeadlineCalendar,
    SubmitNote,
)
from ._directory import Directory
from ._errors import Problem, suggest
from ._model import ControlKind, CourseKind


class _Checker:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.problems: list[Problem] = []

    def fail(self, message: str, path: str, suggestion: str | None = None) -> None:
        self.problems.append(Problem(message, path=path, suggestion=suggestion))

    def known(self, table: dict[str, Any] | set[str], key: str, kind: str, path: str) -> None:
        if key not in table:
            self.fail(f"unknown {kind} {key!r}", path, suggest(key, set(table)))


def _open_journal(c: _Checker, command: OpenJournal) -> None:
    spec, d = command.spec, c.directory
    if spec.id in d.journals:
        c.fail(f"journal {spec.id!r} already exists", "spec.id")
    c.known(d.units, spec.unit, "course unit", "spec.unit")
    c.known(d.groups, spec.group, "group", "spec.group")
    c.known(d.terms, spec.term, "term", "spec.term")
    for i, teacher in enumerate(spec.teachers):
        c.known(d.people, teacher, "person", f"spec.teachers[{i}]")
    unit = d.units.get(spec.unit)
    if unit is not None and spec.part is not None:
        c.known({p.id for p in unit.parts}, spec.part, f"part of {unit.id!r}", "spec.part")
    if not spec.controls:
        c.fail("a journal needs at least one control", "spec.controls")
    ids = [p.id for p in spec.controls]
    if len(set(ids)) != len(ids):
        c.fail("control ids repeat", "spec.controls")
    for i, point in enumerate(spec.controls):
        if point.starts > point.ends:
            c.fail("starts after it ends", f"spec.controls[{i}]")


def _substitution(c: _Checker, command: RegisterSubstitution) -> None:
    sub, d = command.substitution, c.directory
    c.known(d.journals, sub.journal, "journal", "substitution.journal")
    c.known(d.people, sub.substitute, "person", "substitution.substitute")
    c.known(d.people, sub.replaces, "person", "substitution.replaces")
    if sub.starts > sub.ends:
        c.fail("starts after it ends", "substitution")
    # T13: the department meeting decides and the ОР is told by memo; both documents are named.
    for field, what in (("minutes_number", "the department meeting's minutes number"),
                        ("memo_number", "the number of the memo to the Registrar's Office")):
        if not str(getattr(sub, field) or "").strip():
            c.fail(f"{what} is required (T13)", f"substitution.{field}")
    for field, what in (("minutes_date", "the department meeting's minutes date"),
                        ("memo_date", "the date of the memo to the Registrar's Office")):
        if getattr(sub, field) is None:
            c.fail(f"{what} is required (T13)", f"substitution.{field}")


def _academic_year(c: _Checker, year: str, path: str) -> None:
    first, sep, second = year.partition("-")
    if not (sep and len(first) == len(second) == 4 and first.isdigit() and second.isdigit()
            and int(second) == int(first) + 1):
        c.fail(f"academic year {year!r} is not like 2025-2026", path)


def _contingent(c: _Checker, command: LoadContingent) -> None:
    _academic_year(c, command.academic_year, "academic_year")
    groups = {g.id for g in command.groups} | set(c.directory.groups)
    for i, student in enumerate(command.students):
        c.known(groups, student.group, "group", f"students[{i}].group")


def _curriculum(c: _Checker, command: LoadCurriculum) -> None:
    d = c.directory
    units = {u.id for u in command.units} | set(d.units)
    terms = {t.id for t in command.terms} | set(d.terms)
    for i, term in enumerate(command.terms):
        _academic_year(c, term.academic_year, f"terms[{i}].academic_year")
    for i, unit in enumerate(command.units):
        if (unit.kind is CourseKind.DISCIPLINE) == bool(unit.parts):
            c.fail("a discipline has no parts; an integrated discipline or a module has some",
                   f"units[{i}].parts")
    for i, entry in enumerate(command.entries):
        c.known(d.groups, entry.group, "group", f"entries[{i}].group")
        c.known(units, entry.unit, "course unit", f"entries[{i}].unit")
        c.known(terms, entry.term, "term", f"entries[{i}].term")


def _deadlines(c: _Checker, command: SetDeadlineCalendar) -> None:
    c.known(c.directory.terms, command.term, "term", "term")
    kinds = {k.value for k in ControlKind}
    for i, row in enumerate(command.rows):
        c.known(kinds, row.control_kind, "control kind", f"rows[{i}].control_kind")
    if command.order_date is None or not command.order_number:
        c.fail("the approving order's number and date are required", "order_number")


def _uploaders(c: _Checker, command: AssignPlanUploaders) -> None:
    _academic_year(c, command.academic_year, "academic_year")
    c.known(c.directory.units, command.unit, "course unit", "unit")
    for i, person in enumerate(command.people):
        c.known(c.directory.people, person, "person", f"people[{i}]")
    if command.minutes_date is None or not command.minutes_number:
        c.fail("the meeting minutes' number and date are required", "minutes_number")


def _plan(c: _Checker, command: LoadCalendarPlan) -> None:
    _academic_year(c, command.plan.academic_year, "plan.academic_year")
    c.known(c.directory.units, command.plan.unit, "course unit", "plan.unit")


def _login(c: _Checker, command: RequestLogin | IssueLogin) -> None:
    c.known(c.directory.people, command.person, "person", "person")


def _note(c: _Checker, command: SubmitNote) -> None:
    """Form F3 states the cause of the error, the class types of the journal to reopen and the
    reason for the changes: a note without them cannot be signed or reviewed (T14, R1)."""
    note = command.note
    if not note.cause.strip():
        c.fail("the cause of the error is required (F3)", "note.cause")
    if not note.reason.strip():
        c.fail("the reason for the changes is required (F3)", "note.reason")
    if not note.class_types:
        c.fail("at least one class type is required (F3)", "note.class_types")
    for i, kind in enumerate(note.class_types):
        if not kind.strip():
            c.fail("a class type is empty", f"note.class_types[{i}]")


_CHECKS: dict[type, Callable[[_Checker, Any], None]] = {
    OpenJournal: _open_journal,
    RegisterSubstitution: _substitution,
    LoadContingent: _contingent,
    LoadCurriculum: _curriculum,
    SetDeadlineCalendar: _deadlines,
    AssignPlanUploaders: _uploaders,
    LoadCalendarPlan: _plan,
    RequestLogin: _login,
    IssueLogin: _login,
    SubmitNote: _note,
}


def validate(command: Command, directory: Directory) -> list[Problem]:
    """Every data problem of ``command`` against the registry (an empty list when sound)."""
    checker = _Checker(directory)
    check = _CHECKS.get(type(command))
    if check is not None:
        check(checker, command)
    return checker.problems
