"""Integrated grade sheets: formed in time by the finishing department (T10, P11)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import attrs

from journal_rules._convert import bounded
from journal_rules._errors import Problem
from journal_rules._events import GradeSheetFormed
from journal_rules._grading._finishing import (
    DEFAULT_TIE_BREAK,
    TIE_BREAKS,
    finishing_part,
    sheet_control,
)
from journal_rules._model import CourseKind, JournalSpec
from journal_rules._policy import Policy
from journal_rules._rules._calendar import DayCounting
from journal_rules._rules._facts import Fact, JournalView, World, counting_of

from ._base import (
    MAX_DAYS,
    RuleBase,
    RuleContext,
    all_of,
    any_of,
    choice,
    controls,
    eq,
    op,
)


@attrs.frozen(kw_only=True)
class IntegratedSheetRule(RuleBase):
    """For an integrated discipline or a module, the integrated grade sheet (``sheet_kind``) of
    its journal's ``control_kinds`` is formed within ``days`` by the department that finishes the
    teaching: the one whose block or modular discipline ends last, ties broken by ``tie_break``
    as grading breaks them (T10, P11). The sheet is looked for where the API records it: on the
    finishing part's journal."""

    kind_name: ClassVar[str] = "integrated_sheet"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "journal", "unit", "control", "recorded_on", "start", "due", "done_on", "finishing",
        "finishing_part", "by_department", "by", "elapsed", "days", "counting", "key"})
    kind: Literal["integrated_sheet"] = "integrated_sheet"
    days: int = attrs.field(metadata=bounded(0, MAX_DAYS))
    sheet_kind: str = "integrated"
    control_kinds: tuple[str, ...] = ("intermediate", "final")
    counting: DayCounting | None = None
    tie_break: str = DEFAULT_TIE_BREAK

    def conditions(self) -> dict[str, dict[str, Any]]:
        bad = any_of(op("$gt", "elapsed", self.days), all_of(eq("done", 1), eq("by_finishing", 0)))
        return {"violation": all_of(eq("rule", self.id), bad),
                "pending": all_of(eq("rule", self.id), eq("done", 0),
                                op("$lte", "elapsed", self.days))}

    def journal_facts(self, view: JournalView, world: World, policy: Policy) -> list[Fact]:
        return integrated_facts(self, view, world)

    def problems(self, context: RuleContext) -> list[Problem]:
        return controls(self.control_kinds) + choice(self.tie_break, TIE_BREAKS, "tie-break",
                                                       "tie_break")


def _unit_journals(world: World, spec: JournalSpec) -> list[JournalView]:
    """The journals of ``spec``'s course unit for the same group and term (own and parts')."""
    index = world.memo.get("unit-journals")
    if index is None:
        index = {}
        for v in world.journals.values():
            index.setdefault((v.spec.unit, v.spec.group, v.spec.term), []).append(v)
        world.memo["unit-journals"] = index
    found: list[JournalView] = index.get((spec.unit, spec.group, spec.term), [])
    return found


def integrated_facts(rule: IntegratedSheetRule, view: JournalView, world: World) -> list[Fact]:
    """One fact per ИД or module, group and term, on the finishing part's journal: that is where
    :func:`journal_rules.compute_grade_sheet` records the integrated sheet (T10, P11), so its
    department (``journal_department``) is the finishing one. The clock starts when the last of
    the unit's intermediate or final controls (the integrated exam, the last modular exam) ends.
    """
    unit = world.directory.units.get(view.spec.unit)
    if unit is None or view.spec.part is None or unit.kind == CourseKind.DISCIPLINE \
            or not unit.parts:
        return []
    finishing = finishing_part(unit, rule.tie_break)
    if view.spec.part != finishing.id:
        return []
    related = _unit_journals(world, view.spec)
    ends = [p.ends for v in related for p in v.spec.controls
            if p.kind.value in rule.control_kinds]
    if not ends:
        return []
    start = max(ends)
    if start > world.as_of:
        return []
    sheets = sorted((e for v in related for e in v.events
                     if e.type == GradeSheetFormed.type and e.payload.kind == rule.sheet_kind),
                    key=lambda e: (e.at, e.position))
    sheet = sheets[0] if sheets else None
    cal = world.calendar
    counting = counting_of(rule.counting, cal)
    person = None if sheet is None else (
        world.directory.at(sheet.at).people.get(sheet.actor))  # as of the sheet
    by_units: tuple[str, ...] = () if person is None else person.units
    by_department = finishing.department if finishing.department in by_units else \
        (by_units[0] if by_units else None)
    upto = sheet.day if sheet is not None else world.as_of
    data = {"id": f"{rule.id}|{view.spec.id}", "rule": rule.id,
            "done": int(sheet is not None), "elapsed": cal.between(start, upto, counting),
            "by_finishing": int(finishing.department in by_units)}
    due = cal.add(start, rule.days, counting)
    # Where grading records the sheet (the part's exam, or its last control); reported on that
    # control whether formed yet or not, so a pending finding and its violation share an id.
    control = sheet_control(view.spec, "")
    show = {"journal": view.spec.id, "unit": unit.id, "control": control,
            "recorded_on": None if sheet is None else sheet.data.get("control"),
            "start": start.isoformat(), "due": due.isoformat(),
            "done_on": None if sheet is None else sheet.day.isoformat(),
            "finishing": finishing.department, "finishing_part": finishing.id,
            "by_department": by_department, "by": None if sheet is None else sheet.actor,
            "elapsed": data["elapsed"], "days": rule.days, "counting": counting,
            "key": unit.id}
    return [Fact(data, show, "journal", view.spec.id, due=due, journal=view.spec.id,
                 control=control, department=finishing.department, on=due)]
