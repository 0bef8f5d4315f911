"""Precedence: for each person, one thing comes after another (T18, P7, P8)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar, Literal

import attrs

from journal_rules._commands import REGISTRY_EVENTS
from journal_rules._errors import Problem
from journal_rules._events import LoginIssued, LoginRequested, PeopleRegistered
from journal_rules._rules._facts import Ev, Fact, World

from ._base import (
    RuleBase,
    RuleContext,
    all_of,
    choice,
    eq,
)

PRECEDES_SUBJECTS = frozenset({"first_journal_action", LoginIssued.type})
PRECEDES_REQUIRES = frozenset({LoginIssued.type, LoginRequested.type})
# These rules read these events' own fields: each must still be recorded by a command.
_NOT_RECORDED = ((PRECEDES_SUBJECTS - {"first_journal_action"}) | PRECEDES_REQUIRES) \
    - REGISTRY_EVENTS
if _NOT_RECORDED:  # pragma: no cover - a mechanism bug, caught by any import
    raise RuntimeError(f"rule vocabularies name events no command records: {_NOT_RECORDED}")


@attrs.frozen(kw_only=True)
class PrecedesRule(RuleBase):
    """For each person, ``subject`` (their first journal action, or their login being issued)
    comes after ``requires`` (their login issued, or requested with form F2) (T18, P7, P8).

    ``applies_to``: ``everyone``, or ``new_staff`` only: people first registered in the registry
    within the academic year of the subject, or at most ``new_staff_lead_days`` before it starts
    (when P7's requests are made, «до начала учебного года»)."""

    kind_name: ClassVar[str] = "precedes"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "person", "on", "key", "registered_on"})
    kind: Literal["precedes"] = "precedes"
    subject: str
    requires: str
    applies_to: str = "everyone"
    new_staff_lead_days: int = 92

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {"violation": all_of(eq("rule", self.id), eq("preceded", 0))}

    def registry_facts(self, world: World) -> list[Fact]:
        return precedes_facts(self, world)

    def problems(self, context: RuleContext) -> list[Problem]:
        out = (choice(self.subject, PRECEDES_SUBJECTS, "subject", "subject")
               + choice(self.requires, PRECEDES_REQUIRES, "requires", "requires")
               + choice(self.applies_to, {"everyone", "new_staff"}, "applies_to",
                         "applies_to"))
        if self.new_staff_lead_days < 0:
            out.append(Problem("new_staff_lead_days must not be negative",
                               path="new_staff_lead_days"))
        return out


def precedes_facts(rule: PrecedesRule, world: World) -> list[Fact]:
    subjects: dict[str, Ev] = {}
    if rule.subject == "first_journal_action":
        for view in world.journals.values():
            for e in view.events:
                if e.actor not in subjects or e.at < subjects[e.actor].at:
                    subjects[e.actor] = e
    else:
        for e in world.registry:
            if e.type == rule.subject:
                subjects.setdefault(e.payload.person, e)
    required: dict[str, list[Ev]] = {}
    for r in world.registry:
        if r.type == rule.requires:
            required.setdefault(r.payload.person, []).append(r)
    registered = first_registered(world) if rule.applies_to == "new_staff" else {}
    out: list[Fact] = []
    for person, e in sorted(subjects.items()):
        if rule.applies_to == "new_staff":
            since = world.calendar.year_start(e.day) - timedelta(days=rule.new_staff_lead_days)
            first = registered.get(person)
            if first is None or first < since:
                continue  # staff from before: their access predates these obligations
        before = [r for r in required.get(person, ()) if r.at <= e.at]
        data = {"id": f"{rule.id}|{person}", "rule": rule.id, "preceded": int(bool(before))}
        show = {"person": person, "on": e.day.isoformat(), "key": person,
                "registered_on": None if person not in registered
                else registered[person].isoformat()}
        out.append(Fact(data, show, "person", person, person=person, on=e.day))
    return out


def first_registered(world: World) -> dict[str, date]:
    """Each person's first registration day in the registry (``people_registered``)."""
    found = world.memo.get("first_registered")
    if found is None:
        found = {}
        for e in world.registry:
            if e.type == PeopleRegistered.type:
                for person in e.payload.people:
                    found.setdefault(person.id, e.day)
        world.memo["first_registered"] = found
    return found
