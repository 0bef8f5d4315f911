"""Which department finishes the teaching of an ИД or a module (T10, P11) and so forms its
integrated grade sheet; and where that sheet is recorded."""

from __future__ import annotations

from journal_rules._errors import InvalidInput, Problem
from journal_rules._model import ControlKind, CoursePart, CourseUnit, JournalSpec

# How a tie between parts that end on the same last day is broken (the SOP is silent; the
# ruleset's parameter `finishing_tie_break` chooses, for grading and the integrated-sheet rule
# alike). Each reading falls back to the curriculum's order of parts (the first tied part).
#   starts_last: the part that starts last (it is taught at the very end), then the unit's own
#                department among the tied;
#   unit_department: the unit's own department among the tied, then the part that starts last.
TIE_BREAKS: frozenset[str] = frozenset({"starts_last", "unit_department"})
DEFAULT_TIE_BREAK = "starts_last"


def finishing_part(unit: CourseUnit, tie_break: str = DEFAULT_TIE_BREAK) -> CoursePart:
    """The block or modular discipline that ends last per the timetable (its ``ends`` date),
    ties broken by ``tie_break`` (one of :data:`TIE_BREAKS`), then by the curriculum's order."""
    if not unit.parts:
        raise InvalidInput(unit.id, [Problem(
            f"{unit.kind.value} {unit.id!r} has no blocks or modular disciplines", path="parts")])
    if tie_break not in TIE_BREAKS:
        raise InvalidInput(unit.id, [Problem(
            f"unknown tie-break {tie_break!r}; one of: {', '.join(sorted(TIE_BREAKS))}",
            path="finishing_tie_break")])
    last = max(p.ends for p in unit.parts)
    tied = [p for p in unit.parts if p.ends == last]

    def latest_start(parts: list[CoursePart]) -> list[CoursePart]:
        start = max(p.starts for p in parts)
        return [p for p in parts if p.starts == start]

    def own(parts: list[CoursePart]) -> list[CoursePart]:
        return [p for p in parts if p.department == unit.department] or parts

    tied = own(latest_start(tied)) if tie_break == "starts_last" else latest_start(own(tied))
    return tied[0]


def finishing_department(unit: CourseUnit, tie_break: str = DEFAULT_TIE_BREAK) -> str:
    """The department that finishes the teaching of ``unit`` (T10); for a discipline, its own."""
    if not unit.parts:
        return unit.department
    return finishing_part(unit, tie_break).department


def sheet_control(spec: JournalSpec, exam_control: str) -> str:
    """The control of the finishing part's journal that records the integrated sheet: its exam
    control when the part has one (a modular discipline; a block with its own exam), else its
    last intermediate or final control, else its last control (a block with current and
    milestone control only)."""
    if any(p.id == exam_control for p in spec.controls):
        return exam_control
    closing = [p for p in spec.controls
               if p.kind in (ControlKind.INTERMEDIATE, ControlKind.FINAL)] or list(spec.controls)
    # the last to end; of those ending the same day, the last listed (milestone after current)
    return max(enumerate(closing), key=lambda ip: (ip[1].ends, ip[0]))[1].id
