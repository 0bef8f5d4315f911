"""Daily marking: every student has a mark for each class day of a short course (T3, T15, P12)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar, Literal

import attrs

from journal_rules._convert import bounded
from journal_rules._directory import RegistryView
from journal_rules._errors import Problem
from journal_rules._policy import Policy
from journal_rules._rules._calendar import DayCounting
from journal_rules._rules._facts import Fact, JournalView, World, class_days, group_members

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
class DailyMarkingRule(RuleBase):
    """Every student of the group has a mark (or a code) for each class day of the rule's
    ``control_kinds``, entered at most ``lag_days`` after the class (T3, T15, P12).

    ``courses``: ``short`` (only course units, blocks or modular disciplines of at most
    ``max_course_days`` days, counted as ``course_counting`` says: ``calendar`` days or
    ``working`` (study) days) or ``all``. Class days are the КТП's dates within the control's
    where a plan is loaded, else the control's working days (and any day marks were entered for).
    """

    kind_name: ClassVar[str] = "daily_marking"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "journal", "control", "day", "entered_on", "course_days", "max_course_days", "missing",
        "late", "students", "lag_days", "due", "key"})
    kind: Literal["daily_marking"] = "daily_marking"
    max_course_days: int = attrs.field(metadata=bounded(1, MAX_DAYS))
    lag_days: int = attrs.field(default=0, metadata=bounded(0, MAX_DAYS))
    control_kinds: tuple[str, ...] = ("current",)
    courses: str = "short"
    course_counting: DayCounting = "calendar"

    def conditions(self) -> dict[str, dict[str, Any]]:
        # ``lag``: the most days late any student's cell of the day was filled; ``marked``: every
        # student's cell is filled; ``waited``: days since the class while some are not.
        late = any_of(op("$gt", "lag", self.lag_days),
                    all_of(eq("marked", 0), op("$gt", "waited", self.lag_days)))
        waiting = all_of(eq("marked", 0), op("$lte", "lag", self.lag_days),
                       op("$lte", "waited", self.lag_days))
        scope = [eq("rule", self.id)]
        if self.courses == "short":
            scope.append(op("$lte", "course_days", self.max_course_days))
        return {"violation": all_of(*scope, late), "pending": all_of(*scope, waiting)}

    def journal_facts(self, view: JournalView, world: World, policy: Policy) -> list[Fact]:
        return daily_facts(self, view, world)

    def problems(self, context: RuleContext) -> list[Problem]:
        out = controls(self.control_kinds)
        out += choice(self.courses, {"short", "all"}, "courses", "courses")
        out += choice(self.course_counting, {"calendar", "working"}, "course_counting",
                       "course_counting")
        if self.lag_days < 0:
            out.append(Problem("lag_days must not be negative", path="lag_days"))
        return out


def _course_span(view: JournalView, directory: RegistryView) -> tuple[date, date] | None:
    unit = directory.units.get(view.spec.unit)
    if unit is None:
        return None
    if view.spec.part:
        try:
            part = unit.part(view.spec.part)
        except KeyError:
            return None
        return part.starts, part.ends
    return unit.starts, unit.ends


def daily_facts(rule: DailyMarkingRule, view: JournalView, world: World) -> list[Fact]:
    """One fact per class day: how late the latest student's cell was filled, and whether every
    student of the group has one (T3, T15, P12)."""
    span = _course_span(view, world.directory)
    if span is None:
        return []
    cal = world.calendar
    course_days = cal.between(span[0] - timedelta(days=1), span[1], rule.course_counting)
    if rule.courses == "short" and course_days > rule.max_course_days:
        return []  # the engine tests it too; this spares posting
    out: list[Fact] = []
    for point in view.spec.controls:
        if point.kind.value not in rule.control_kinds:
            continue
        cells = view.student_entry.get(point.id, {})
        for d in class_days(view, world, point):
            if d > world.as_of:
                continue
            entered = {s: cells.get((s, d)) for s in group_members(world, view.spec.group, d)}
            missing = sorted(s for s, e in entered.items() if e is None)
            lags = {s: (e - d).days for s, e in entered.items() if e is not None}
            lag = max(lags.values(), default=0)
            late = sorted(s for s, n in lags.items() if n > rule.lag_days)
            last = max((e for e in entered.values() if e is not None), default=None)
            data = {"id": f"{rule.id}|{view.spec.id}|{point.id}|{d.isoformat()}",
                    "rule": rule.id, "course_days": course_days,
                    "marked": int(not missing), "lag": lag,
                    "waited": (world.as_of - d).days if missing else 0}
            show = {"journal": view.spec.id, "control": point.id, "day": d.isoformat(),
                    "entered_on": None if last is None else last.isoformat(),
                    "course_days": course_days, "max_course_days": rule.max_course_days,
                    "missing": missing, "late": late,
                    "students": ", ".join(sorted(set(missing) | set(late))) or None,
                    "lag_days": rule.lag_days,
                    "due": (d + timedelta(days=rule.lag_days)).isoformat(),
                    "key": d.isoformat()}
            out.append(Fact(data, show, "journal", view.spec.id,
                            due=d + timedelta(days=rule.lag_days), journal=view.spec.id,
                            control=point.id, department=view.department, on=d))
    return out
