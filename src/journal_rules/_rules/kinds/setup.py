"""Setup steps: done per year, course unit or term by a due date (P1-P6, T12)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar, Literal

import attrs

from journal_rules._commands import REGISTRY_EVENTS
from journal_rules._convert import bounded
from journal_rules._errors import Problem
from journal_rules._events import (
    CalendarPlanLoaded,
    ContingentLoaded,
    CurriculumLoaded,
    DeadlineCalendarSet,
    PlanUploadersAssigned,
)
from journal_rules._rules._calendar import Calendar
from journal_rules._rules._facts import Ev, Fact, World

from ._base import (
    MAX_DAYS,
    RuleBase,
    RuleContext,
    all_of,
    choice,
    eq,
    op,
)

SETUP_PER = {ContingentLoaded.type: {"year"}, CurriculumLoaded.type: {"year", "unit"},
             PlanUploadersAssigned.type: {"unit"}, CalendarPlanLoaded.type: {"unit"},
             DeadlineCalendarSet.type: {"term"}}
SETUP_EVENTS = frozenset(SETUP_PER)
# What of a curriculum load a setup rule asks for (P2-P4), and per what it is asked: course units
# starting in the year (P2), working-curriculum lines for the year's terms (P3), each unit of the
# year carrying its teaching and assessment methods (P4).
SETUP_COVERS = {CurriculumLoaded.type: {"units": "year", "curriculum": "year", "methods": "unit"}}
# These rules read these events' own fields: each must still be recorded by a command.
_NOT_RECORDED = SETUP_EVENTS - REGISTRY_EVENTS
if _NOT_RECORDED:  # pragma: no cover - a mechanism bug, caught by any import
    raise RuntimeError(f"rule vocabularies name events no command records: {_NOT_RECORDED}")


@attrs.frozen(kw_only=True)
class SetupRule(RuleBase):
    """A setup step done ``per`` year, course unit or term, by ``due`` (P1-P6, T12).

    Each obligation belongs to its own academic year (or term): only what was recorded for that
    year satisfies it. ``covers`` says what of a curriculum load is asked for (see
    :data:`SETUP_COVERS`).

    ``due``: ``MM-DD`` (the last such day on or before the academic year starts) or
    ``term_start``. ``opens``: ``MM-DD`` before which nothing is due yet (default: one month
    before ``due``)."""

    kind_name: ClassVar[str] = "setup"
    message_fields: ClassVar[frozenset[str]] = frozenset().union(*SETUP_PER.values()) | {
        "year", "due", "done_on", "key"}
    kind: Literal["setup"] = "setup"
    event: str
    per: str = "year"
    covers: str | None = None
    due: str
    opens_days_before: int = attrs.field(default=30, metadata=bounded(0, MAX_DAYS))

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {"violation": all_of(eq("rule", self.id), op("$gt", "late", 0)),
                "pending": all_of(eq("rule", self.id), eq("done", 0), op("$lte", "late", 0),
                                op("$gte", "late", -self.opens_days_before))}

    def registry_facts(self, world: World) -> list[Fact]:
        return setup_facts(self, world)

    def problems(self, context: RuleContext) -> list[Problem]:
        out = choice(self.event, SETUP_EVENTS, "event", "event")
        if not out:
            out += choice(self.per, SETUP_PER[self.event], "per", "per")
            covers = SETUP_COVERS.get(self.event, {})
            if covers and self.covers is None:
                out.append(Problem(f"a setup rule on {self.event} says what it covers: one of "
                                   f"{', '.join(sorted(covers))}", path="covers"))
            elif self.covers is not None:
                out += choice(self.covers, set(covers), f"covers of {self.event}", "covers")
                if not out and covers[self.covers] != self.per:
                    out.append(Problem(f"covers {self.covers!r} is checked per "
                                       f"{covers[self.covers]}, not per {self.per}", path="per"))
        if self.due != "term_start" and not _month_day(self.due):
            out.append(Problem(f"due {self.due!r} is neither MM-DD nor term_start", path="due"))
        return out


def _month_day(text: str) -> bool:
    month, sep, day = text.partition("-")
    return bool(sep) and month.isdigit() and day.isdigit() and 1 <= int(month) <= 12 \
        and 1 <= int(day) <= 31


def setup_facts(rule: SetupRule, world: World) -> list[Fact]:
    """Facts for the current academic year and, when its window has opened, the next one."""
    current = world.calendar.year_start(world.as_of)
    following = date(current.year + 1, current.month, current.day)
    return _setup_year(rule, world, current) + _setup_year(rule, world, following)


def _setup_year(rule: SetupRule, world: World, year_start: date) -> list[Fact]:
    cal = world.calendar
    next_start = date(year_start.year + 1, year_start.month, year_start.day)
    year = _year_label(year_start)
    events = [e for e in world.registry if e.type == rule.event]
    targets: list[tuple[str, str, date, list[Ev]]] = []  # (subject kind, subject, due, events)
    fixed_due = None if rule.due == "term_start" else cal.month_day_before(rule.due, year_start)
    terms = sorted((t for t in world.directory.terms.values()
                    if year_start <= t.starts < next_start), key=lambda t: t.id)
    if rule.per == "year":
        due = fixed_due or year_start
        targets.append(("year", year, due, [e for e in events
                                            if year in _years_of(rule, e, world)]))
    elif rule.per == "term":
        for term in terms:
            targets.append(("term", term.id, fixed_due or term.starts,
                            [e for e in events if e.payload.term == term.id]))
    else:
        term_ids = {t.id for t in terms}
        units = sorted({e.unit for e in world.directory.curriculum.values()
                        if e.term in term_ids})
        by_unit: dict[str, list[Ev]] = {}
        for e in events:
            for unit in _units_of(rule, e, world, year):
                by_unit.setdefault(unit, []).append(e)
        for unit in units:
            due = fixed_due or min(t.starts for t in terms)
            targets.append(("unit", unit, due, by_unit.get(unit, [])))
    out: list[Fact] = []
    for kind, subject, due, evs in targets:
        if world.as_of < due - timedelta(days=rule.opens_days_before):
            continue
        first = evs[0] if evs else None
        upto = first.day if first is not None else world.as_of
        data = {"id": f"{rule.id}|{year}|{subject}", "rule": rule.id,
                "done": int(first is not None), "late": (upto - due).days}
        show = {kind: subject, "year": year, "due": due.isoformat(),
                "done_on": None if first is None else first.day.isoformat(), "key": subject}
        out.append(Fact(data, show, kind, subject, due=due, on=due))
    return out


def _year_label(year_start: date) -> str:
    return f"{year_start.year}-{year_start.year + 1}"


def _declared_year(e: Ev, calendar: Calendar) -> str:
    """The academic year a setup event was recorded for; an event written before commands
    declared it counts for the academic year in which it was recorded."""
    declared = getattr(e.payload, "academic_year", None)
    return str(declared) if declared else _year_label(calendar.year_start(e.day))


def _years_of(rule: SetupRule, e: Ev, world: World) -> set[str]:
    """The academic years a per-year setup event does its part for (P1-P3)."""
    payload = e.payload
    if rule.event != CurriculumLoaded.type:
        return {_declared_year(e, world.calendar)}
    if rule.covers == "units":  # P2: course units, by the year they start in
        return {_year_label(world.calendar.year_start(u.starts)) for u in payload.units}
    # P3: working-curriculum lines, by their term's year (the term loaded with them or before)
    years = {t.id: t.academic_year for t in world.directory.terms.values()}
    years.update((t.id, t.academic_year) for t in payload.terms)
    return {years[entry.term] for entry in payload.entries if entry.term in years}


def _units_of(rule: SetupRule, e: Ev, world: World, year: str) -> set[str]:
    """The course units a per-unit setup event does its part for in ``year`` (P4-P6)."""
    payload = e.payload
    if rule.event == CurriculumLoaded.type:  # P4: units loaded with their methods for the year
        return {u.id for u in payload.units if u.teaching_methods and u.assessment_methods
                and _year_label(world.calendar.year_start(u.starts)) == year}
    if rule.event == CalendarPlanLoaded.type:
        return {payload.plan.unit} if payload.plan.academic_year == year else set()
    return {payload.unit} if _declared_year(e, world.calendar) == year else set()
