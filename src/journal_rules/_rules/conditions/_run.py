"""Condition rules in the audit: post a journal's facts (only those some pattern names), let the
engine join them, and turn each frame into a finding."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from journal_rules._report import Finding
from journal_rules._rules._calendar import Calendar
from journal_rules._rules._engine import Firing, JoinRules, joins_for
from journal_rules._rules._facts import Fact, JournalView, World, class_days
from journal_rules._rules.conditions._catalogue import CATALOGUE, TODAY_FACT
from journal_rules._rules.conditions._compile import Compiled
from journal_rules._rules.kinds.condition import ConditionRule

if TYPE_CHECKING:
    from journal_rules._ruleset import Ruleset

_EPOCH = 2000


class WorkingDays:
    """The working-day ordinal of a date: how many working days of the calendar lie between a
    fixed epoch and it (inclusive), so "N working days after" is addition in the engine."""

    def __init__(self, calendar: Calendar) -> None:
        self._calendar = calendar
        self._years: dict[int, tuple[int, list[int]]] = {}

    def __call__(self, day: date) -> int:
        base, running = self._year(day.year)
        return base + running[day.timetuple().tm_yday - 1]

    def _year(self, year: int) -> tuple[int, list[int]]:
        found = self._years.get(year)
        if found is not None:
            return found
        running: list[int] = []
        n = 0
        day = date(year, 1, 1)
        while day.year == year:
            n += self._calendar.is_working(day)
            running.append(n)
            day += timedelta(days=1)
        if year == _EPOCH:
            base = 0
        elif year > _EPOCH:
            before = self._year(year - 1)
            base = before[0] + before[1][-1]
        else:
            base = self._year(year + 1)[0] - n
        self._years[year] = found = (base, running)
        return found


def condition_rules(ruleset: Ruleset) -> list[ConditionRule]:
    return [r for r in ruleset.rules if isinstance(r, ConditionRule)]


def joins_of(ruleset: Ruleset, rules: Sequence[ConditionRule]) -> JoinRules:
    def build() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for rule in rules:
            compiled = rule.compiled()
            assert isinstance(compiled, Compiled)  # a loaded ruleset's rules compile
            out[rule.id] = compiled.patterns
        return out
    return joins_for(ruleset.content_hash, build)


def _put(fact: dict[str, Any], name: str, value: Any, working: WorkingDays) -> None:
    if value is None:
        return
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, date):
        fact[name] = value.isoformat()
        fact[name + "__n"] = value.toordinal()
        fact[name + "__wd"] = working(value)
        return
    fact[name] = value


def journal_condition_facts(view: JournalView, world: World, wanted: frozenset[str],
                            working: WorkingDays) -> list[dict[str, Any]]:
    """The facts of one journal that some pattern names, each with a unique id."""
    spec = view.spec
    out: list[dict[str, Any]] = []
    for e in view.events:
        if e.type not in wanted:
            continue
        kind = CATALOGUE[e.type]
        fact: dict[str, Any] = {"id": f"{spec.id}#{e.position}", "fact": e.type,
                                "journal": spec.id, "actor": e.actor, "position": e.position}
        _put(fact, "day", e.day, working)
        payload = e.payload
        for name in kind.fields:
            if name not in fact and name != "day":
                _put(fact, name, getattr(payload, name, None), working)
        out.append(fact)
    if "control" in wanted or "class_day" in wanted:
        for point in spec.controls:
            if "control" in wanted:
                fact = {"id": f"{spec.id}@{point.id}", "fact": "control", "journal": spec.id,
                        "control": point.id, "kind": point.kind.value}
                _put(fact, "starts", point.starts, working)
                _put(fact, "ends", point.ends, working)
                out.append(fact)
            if "class_day" in wanted:
                for day in class_days(view, world, point):
                    fact = {"id": f"{spec.id}@{point.id}@{day.isoformat()}",
                            "fact": "class_day", "journal": spec.id, "control": point.id}
                    _put(fact, "on", day, working)
                    out.append(fact)
    if "journal" in wanted:
        fact = {"id": f"{spec.id}@", "fact": "journal", "journal": spec.id, "unit": spec.unit,
                "group": spec.group, "term": spec.term}
        _put(fact, "department", view.department, working)
        out.append(fact)
    return out


#: How the audit makes a finding of a firing (``_audit.make_finding`` with its holders).
MakeFinding = Callable[[ConditionRule, Fact, Firing, JournalView], Finding]


def condition_findings(ruleset: Ruleset, world: World, views: Iterable[JournalView], *,
                       make: MakeFinding, stats: dict[str, int] | None = None) -> list[Finding]:
    """The findings of the ruleset's condition rules over these journals, each made by
    ``make``; ``stats`` receives the join engine's counters (``condition_facts``,
    ``condition_sessions`` ...), cumulative over the ruleset's host."""
    rules = condition_rules(ruleset)
    if not rules:
        return []
    joins = joins_of(ruleset, rules)
    compiled: dict[str, Compiled] = {}
    for rule in rules:
        c = rule.compiled()
        assert isinstance(c, Compiled)
        compiled[rule.id] = c
    by_id = {r.id: r for r in rules}
    wanted = frozenset().union(*(c.facts for c in compiled.values()))
    working = world.memo.get("working_days")
    if working is None:
        working = world.memo["working_days"] = WorkingDays(world.calendar)
    today: dict[str, Any] = {"id": "today", "fact": TODAY_FACT}
    _put(today, "day", world.as_of, working)
    out: list[Finding] = []
    for view in views:
        facts = journal_condition_facts(view, world, wanted, working)
        if not facts:
            continue
        index = {f["id"]: f for f in facts}
        seen: set[tuple[str, str]] = set()
        for match in joins.evaluate(facts, today):
            rule = by_id[match.rule_id]
            c = compiled[rule.id]
            keys = dict(match.facts)
            subject = index[_base(keys[c.bindings[c.subject].keys[-1]])]
            if (rule.id, subject["id"]) in seen:
                continue
            seen.add((rule.id, subject["id"]))
            show = _shown(c, keys, index, subject=subject, world=world, view=view)
            out.append(_finding(rule, show, subject, view=view, make=make))
    if stats is not None:
        stats.update({f"condition_{k}": v for k, v in joins.stats.items()})
    return out


def _base(fact_id: str) -> str:
    return fact_id.split("~", 1)[0]  # an id salted after a hash collision (see JoinRules)


def _shown(c: Compiled, keys: Mapping[str, str], index: Mapping[str, Mapping[str, Any]], *,
           subject: Mapping[str, Any], world: World, view: JournalView) -> dict[str, Any]:
    """What the finding reports: every field of every alias, as ``<alias>_<field>``."""
    show: dict[str, Any] = {"journal": view.spec.id, "control": subject.get("control"),
                            "key": subject["id"]}
    for alias, b in c.bindings.items():
        if b.fact.name == TODAY_FACT:
            show[f"{alias}_day"] = world.as_of.isoformat()
            continue
        fact = index[_base(keys[b.keys[-1]])]
        for name in b.fact.fields:
            show[f"{alias}_{name}"] = fact.get(name)
        if len(b.keys) > 1:
            show["count"] = len(b.keys)
    return show


def _finding(rule: ConditionRule, show: dict[str, Any], subject: Mapping[str, Any], *,
             view: JournalView, make: MakeFinding) -> Finding:
    day = subject.get("day") or subject.get("on") or subject.get("ends")
    on = date.fromisoformat(day) if isinstance(day, str) else None
    found = Fact({}, show, "journal", view.spec.id, journal=view.spec.id,
                 control=subject.get("control"), department=view.department,
                 person=subject.get("actor"), on=on)
    return make(rule, found, Firing(rule.id, "violation", subject["id"]), view)
