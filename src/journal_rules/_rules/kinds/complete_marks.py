"""Complete marks: a closed control holds a mark for every student of the group (T3, T15)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

import attrs

from journal_rules._errors import Problem
from journal_rules._events import JournalClosed
from journal_rules._model import ControlPoint, CourseKind
from journal_rules._policy import Policy
from journal_rules._rules._facts import Fact, JournalView, World, group_members

from ._base import (
    GUARD_FIELDS,
    GuardAsk,
    RuleBase,
    RuleContext,
    all_of,
    controls,
    eq,
    op,
)


@attrs.frozen(kw_only=True)
class CompleteMarksRule(RuleBase):
    """When a control of ``control_kinds`` is closed, every student of the group has at least one
    mark (or code) in it (T3, T15: missing marks are findings, not silence). Controls the SOP's
    structure leaves empty are not asked (an ИД's own journal holds only its exam, its blocks no
    exam, a module's own journal nothing: T6, T7). ``refuse``: the guard refuses such a closing,
    naming the students (otherwise the audit reports it)."""

    kind_name: ClassVar[str] = "complete_marks"
    message_fields: ClassVar[frozenset[str]] = GUARD_FIELDS | frozenset({
        "journal", "control", "on", "students", "missing", "count", "key"})
    kind: Literal["complete_marks"] = "complete_marks"
    control_kinds: tuple[str, ...] = ("current", "milestone", "intermediate", "final")
    refuse: bool = False

    def at_guard(self) -> bool:
        return self.refuse

    def asks(self, action: str) -> bool:
        return action == "close"

    def journal_facts(self, view: JournalView, world: World, policy: Policy) -> list[Fact]:
        return complete_facts(self, view, world)

    def guard_facts(self, ask: GuardAsk) -> list[Fact]:
        control, view, world = ask.context.control, ask.view, ask.world
        if control is None or view is None or world is None or ask.context.journal is None:
            return []
        point = control.point
        if point.kind.value not in self.control_kinds or not holds_marks(view, world, point):
            return []
        return [complete_fact(self, view, world, point,
                              position=ask.context.journal.version + 1, day=ask.today, n=0)]

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {"violation": all_of(eq("rule", self.id), op("$gt", "missing", 0))}

    def problems(self, context: RuleContext) -> list[Problem]:
        return controls(self.control_kinds)


def complete_fact(rule: CompleteMarksRule, view: JournalView, world: World, point: ControlPoint,
                  *, position: int, day: date, n: int) -> Fact:
    """Students of the group with no mark or code in ``point`` before log position
    ``position`` (a closing, or the guard's closing about to happen)."""
    firsts = view.student_first.get(point.id, {})
    students = group_members(world, view.spec.group, day)
    missing = [s for s in students if firsts.get(s, position) >= position]
    data = {"id": f"{rule.id}|{view.spec.id}|{point.id}|{n}", "rule": rule.id,
            "missing": len(missing)}
    show = {"journal": view.spec.id, "control": point.id, "on": day.isoformat(),
            "students": ", ".join(missing) or None, "missing": missing,
            "count": len(missing), "key": f"{point.id}#{n}"}
    return Fact(data, show, "journal", view.spec.id, journal=view.spec.id, control=point.id,
                department=view.department, on=day)


def holds_marks(view: JournalView, world: World, point: ControlPoint) -> bool:
    """Whether the SOP's structure puts marks in this control of this journal (T6, T7): an
    integrated discipline's own journal holds only its integrated exam (intermediate or final
    attestation) and its blocks' journals only current and milestone control; a module's own
    journal holds none (each modular discipline has its own exam in its own journal)."""
    unit = world.directory.units.get(view.spec.unit)
    if unit is None or unit.kind == CourseKind.DISCIPLINE:
        return True
    attestation = point.kind.value in ("intermediate", "final")
    if unit.kind == CourseKind.INTEGRATED:
        return attestation if view.spec.part is None else not attestation
    return view.spec.part is not None


def complete_facts(rule: CompleteMarksRule, view: JournalView, world: World) -> list[Fact]:
    out: list[Fact] = []
    for point in view.spec.controls:
        if point.kind.value not in rule.control_kinds or not holds_marks(view, world, point):
            continue
        closings = [e for e in view.by_control.get(point.id, []) if e.type == JournalClosed.type]
        for n, e in enumerate(closings):
            out.append(complete_fact(rule, view, world, point, position=e.position, day=e.day,
                                     n=n))
    return out
