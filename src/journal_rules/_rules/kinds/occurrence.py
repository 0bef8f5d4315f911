"""Occurrences: every event of a kind is entered in a register (T16)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import attrs

from journal_rules._commands import JOURNAL_EVENT_ACTIONS
from journal_rules._errors import Problem
from journal_rules._events import NoteSubmitted
from journal_rules._policy import Policy
from journal_rules._rules._facts import Fact, JournalView, World

from ._base import (
    RuleBase,
    RuleContext,
    all_of,
    eq,
    never,
)

# Derived from the command classes (a read-only view kept up to date as they are defined).
OCCURRENCE_EVENTS = JOURNAL_EVENT_ACTIONS.keys()


@attrs.frozen(kw_only=True)
class OccurrenceRule(RuleBase):
    """Every ``event`` is entered in a register (T16: the register of reopenings): a register
    entry, not a violation (a reopening done by the procedure breaks nothing); the ladders count
    reopenings themselves (T20)."""

    kind_name: ClassVar[str] = "occurrence"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "journal", "control", "on", "note_by", "by", "department", "teachers", "key"})
    kind: Literal["occurrence"] = "occurrence"
    event: str

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {"register": all_of(eq("rule", self.id), eq("occurred", 1))}

    def journal_facts(self, view: JournalView, world: World, policy: Policy) -> list[Fact]:
        return occurrence_facts(self, view, world)

    def problems(self, context: RuleContext) -> list[Problem]:
        return never(self.event, OCCURRENCE_EVENTS, "journal event recorded by a command")


def occurrence_facts(rule: OccurrenceRule, view: JournalView, world: World) -> list[Fact]:
    out: list[Fact] = []
    for control, evs in view.by_control.items():
        for n, e in enumerate(x for x in evs if x.type == rule.event):
            notes = [x for x in evs if x.type == NoteSubmitted.type and x.position < e.position]
            note_by = notes[-1].actor if notes else None
            data = {"id": f"{rule.id}|{view.spec.id}|{control}|{n}", "rule": rule.id,
                    "occurred": 1}
            show = {"journal": view.spec.id, "control": control, "on": e.day.isoformat(),
                    "note_by": note_by, "by": e.actor, "department": view.department,
                    "teachers": list(view.spec.teachers), "key": f"{control}#{n}"}
            out.append(Fact(data, show, "journal", view.spec.id, journal=view.spec.id,
                            control=control, department=view.department, person=note_by,
                            on=e.day))
    return out
