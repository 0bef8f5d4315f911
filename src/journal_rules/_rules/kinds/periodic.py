"""Periodic obligations: a registry event at least so many times a month (P9)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar, Literal

import attrs

from journal_rules._commands import REGISTRY_EVENTS
from journal_rules._convert import bounded
from journal_rules._errors import Problem
from journal_rules._rules._facts import Fact, World

from ._base import (
    MAX_COUNT,
    RuleBase,
    RuleContext,
    all_of,
    eq,
    never,
    op,
)

# Periodic rules count registry events per month, occurrence rules journal events of a control;
# both lists are derived from the commands (what they record), so a rule over an event no command
# records is refused at load: it could never fire.
PERIODIC_EVENTS = REGISTRY_EVENTS


@attrs.frozen(kw_only=True)
class PeriodicRule(RuleBase):
    """``event`` happens at least ``at_least`` times every month of the academic year (P9)."""

    kind_name: ClassVar[str] = "periodic"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "month", "count", "at_least", "key"})
    kind: Literal["periodic"] = "periodic"
    event: str
    every: Literal["month"] = "month"
    at_least: int = attrs.field(default=1, metadata=bounded(0, MAX_COUNT))

    def conditions(self) -> dict[str, dict[str, Any]]:
        few = op("$lt", "count", self.at_least)
        return {"violation": all_of(eq("rule", self.id), eq("complete", 1), few),
                "pending": all_of(eq("rule", self.id), eq("complete", 0), few)}

    def registry_facts(self, world: World) -> list[Fact]:
        return periodic_facts(self, world)

    def problems(self, context: RuleContext) -> list[Problem]:
        return never(self.event, PERIODIC_EVENTS, "registry event recorded by a command")


def periodic_facts(rule: PeriodicRule, world: World) -> list[Fact]:
    start = world.calendar.year_start(world.as_of)
    month = date(start.year, start.month, 1)
    out: list[Fact] = []
    while month <= world.as_of:
        nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        count = sum(1 for e in world.registry
                    if e.type == rule.event and month <= e.day < nxt)
        label = f"{month.year:04d}-{month.month:02d}"
        data = {"id": f"{rule.id}|{label}", "rule": rule.id, "count": count,
                "complete": int(nxt <= world.as_of)}
        due = nxt - timedelta(days=1)
        show = {"month": label, "count": count, "at_least": rule.at_least, "key": label}
        out.append(Fact(data, show, "month", label, due=due, on=due))
        month = nxt
    return out
