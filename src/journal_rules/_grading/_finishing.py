"""Which department finishes the teaching of an ИД or a module (T10, P11) and so forms its
integrated grade sheet."""

from __future__ import annotations

from journal_rules._errors import InvalidInput, Problem
from journal_rules._model import CoursePart, CourseUnit


def finishing_part(unit: CourseUnit) -> CoursePart:
    """The block or modular discipline that ends last per the timetable (its ``ends`` date).

    Ties (several parts end on the same last day), a rule of ours since the SOP is silent: the
    one that starts last (the part that is taught at the very end); still tied, the one taught by
    the unit's own department if it is among them; still tied, the first in the curriculum's
    order of parts.
    """
    if not unit.parts:
        raise InvalidInput(unit.id, [Problem(
            f"{unit.kind.value} {unit.id!r} has no blocks or modular disciplines", path="parts")])
    last = max(p.ends for p in unit.parts)
    tied = [p for p in unit.parts if p.ends == last]
    latest_start = max(p.starts for p in tied)
    tied = [p for p in tied if p.starts == latest_start]
    own = [p for p in tied if p.department == unit.department]
    return (own or tied)[0]


def finishing_department(unit: CourseUnit) -> str:
    """The department that finishes the teaching of ``unit`` (T10); for a discipline, its own."""
    if not unit.parts:
        return unit.department
    return finishing_part(unit).department
