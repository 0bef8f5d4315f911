"""What an import would change: each record of a file compared with what the registry already
holds, so that a repeated import records nothing and a changed row records exactly the change.

Records are keyed as the registry keys them (an org unit, a person, a group or a student by id;
a curriculum line by group, unit and term; a КТП by unit, academic year, year of study and
specialty; a unit's plan uploaders by unit; a term's deadline calendar by term; a journal by id),
and a later registration of the same key replaces the earlier one, so recording only the new and
changed records gives the registry the same content as recording the whole file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar

import attrs

from journal_rules._commands import (
    AssignPlanUploaders,
    Command,
    LoadCalendarPlan,
    LoadContingent,
    LoadCurriculum,
    OpenJournal,
    RegisterOrgUnits,
    RegisterPeople,
    SetDeadlineCalendar,
)
from journal_rules._directory import Directory

Status = Literal["new", "changed", "unchanged"]
T = TypeVar("T")


@attrs.frozen
class RecordChange:
    """One record of an import file and what importing it would do: ``new`` (not in the
    registry), ``changed`` (in it, with other values: ``fields`` names them) or ``unchanged``."""

    status: Status
    what: str
    key: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        changed = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.status:9} {self.what} {self.key}{changed}"


def _fields(old: Any, new: Any) -> tuple[str, ...]:
    if attrs.has(type(old)) and type(old) is type(new):
        return tuple(a.name for a in attrs.fields(type(old))
                     if getattr(old, a.name) != getattr(new, a.name))
    return ()


def _compare(what: str, key: str, old: Any, new: Any) -> RecordChange:
    if old is None:
        return RecordChange("new", what, key)
    if old == new:
        return RecordChange("unchanged", what, key)
    return RecordChange("changed", what, key, _fields(old, new))


def _split(what: str, records: Sequence[T], known: Mapping[Any, Any],
              key: Callable[[T], Any], show: Callable[[Any], str] = str,
              ) -> tuple[list[T], list[RecordChange]]:
    """The records to record (new or changed) and the change of each."""
    keep: list[T] = []
    changes: list[RecordChange] = []
    for record in records:
        k = key(record)
        change = _compare(what, show(k), known.get(k), record)
        changes.append(change)
        if change.status != "unchanged":
            keep.append(record)
    return keep, changes


def _same_uploaders(old: Any, new: AssignPlanUploaders) -> bool:
    return old is not None and (old.department, old.unit, tuple(old.people), old.minutes_number,
                                old.minutes_date, old.academic_year) == (
        new.department, new.unit, new.people, new.minutes_number, new.minutes_date,
        new.academic_year)


def _same_deadlines(old: Any, new: SetDeadlineCalendar) -> bool:
    if old is None or (old.order_number, old.order_date) != (new.order_number, new.order_date):
        return False
    seen = sorted((e.control_kind.value, e.marks_by, e.close_by) for e in old.entries)
    wanted = sorted((r.control_kind, r.marks_by, r.close_by) for r in new.rows)
    return seen == wanted


def _many(command: Command, d: Directory) -> tuple[Command | None, list[RecordChange]] | None:
    """A command of many records (org units, people, a contingent, a curriculum): the command
    of its new and changed records (None: nothing to record) and every record's change; None
    for a command of another kind."""
    match command:
        case RegisterOrgUnits():
            org, c = _split("org unit", command.units, d.org_units, lambda u: u.id)
            return (RegisterOrgUnits(org) if org else None), c
        case RegisterPeople():
            people, c = _split("person", command.people, d.people, lambda p: p.id)
            return (RegisterPeople(people) if people else None), c
        case LoadContingent():
            groups, c = _split("group", command.groups, d.groups, lambda g: g.id)
            students, s = _split("student", command.students, d.students, lambda x: x.id)
            kept = attrs.evolve(command, groups=groups, students=students)
            return (kept if groups or students else None), c + s
        case LoadCurriculum():
            terms, t = _split("term", command.terms, d.terms, lambda x: x.id)
            courses, u = _split("course unit", command.units, d.units, lambda x: x.id)
            entries, e = _split("curriculum line", command.entries, d.curriculum,
                                lambda x: (x.group, x.unit, x.term), "/".join)
            kept_curriculum = LoadCurriculum(terms, courses, entries)
            return (kept_curriculum if terms or courses or entries else None), t + u + e
    return None


def _one(command: Command, d: Directory) -> tuple[str, str, Any, bool] | None:
    """A command of one record (a КТП, a unit's uploaders, a term's deadlines, a journal): what
    it is, its key, the registry's record and whether the command repeats it; None for a
    command of another kind."""
    match command:
        case LoadCalendarPlan(plan=plan):
            key = (plan.unit, plan.academic_year, plan.year_of_study, plan.specialty)
            old: Any = d.plans.get(key)
            return "calendar plan", "/".join(map(str, key)), old, old == plan
        case AssignPlanUploaders():
            old = d.plan_uploaders.get(command.unit)
            return "plan uploaders of", command.unit, old, _same_uploaders(old, command)
        case SetDeadlineCalendar():
            old = d.deadlines.get(command.term)
            return ("deadline calendar of term", command.term, old,
                    _same_deadlines(old, command))
        case OpenJournal(spec=spec):
            old = d.journals.get(spec.id)
            return "journal", spec.id, old, old == spec
    return None


def changes(commands: Sequence[Command], d: Directory) -> tuple[list[Command],
                                                                list[RecordChange]]:
    """The commands that record only what is new or changed, and the change of every record."""
    out: list[Command] = []
    found: list[RecordChange] = []
    for command in commands:
        many = _many(command, d)
        if many is not None:
            kept, records = many
            found += records
            if kept is not None:
                out.append(kept)
            continue
        one = _one(command, d)
        if one is None:
            out.append(command)
            continue
        what, key, old, same = one
        status: Status = "new" if old is None else "unchanged" if same else "changed"
        found.append(RecordChange(status, what, key))
        if status != "unchanged":
            out.append(command)
    return out, found
