"""Separation of duties: nobody grants themself a role; one reopening's steps by distinct people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar, Literal

import attrs

from journal_rules._commands import GiveVisa, RegisterPeople
from journal_rules._decision import Messages
from journal_rules._errors import Problem
from journal_rules._events import JournalReopened, NoteRejected, NoteSubmitted, PeopleRegistered
from journal_rules._journal import EVENT_ACTIONS
from journal_rules._model import Person
from journal_rules._policy import Policy
from journal_rules._rules._facts import Ev, Fact, JournalView, World

from ._base import (
    GuardAsk,
    RuleBase,
    RuleContext,
    all_of,
    choice,
    eq,
    op,
)

SOD_CONSTRAINTS = frozenset({"distinct_people", "no_self_grant"})
SOD_PROCEDURES = frozenset({"reopening"})
REOPENING_ACTIONS = frozenset({"submit_note", "give_visa", "approve_note", "reject_note",
                               "reopen"})


@attrs.frozen(kw_only=True)
class SeparationOfDutiesRule(RuleBase):
    """Separation of duties, enforced by the guard and reported by the audit.

    ``constraint: no_self_grant``: nobody registers or changes a person so as to give themself a
    role or an org unit they did not hold (the very first registration into an empty registry
    excepted: someone has to be first). ``constraint: distinct_people``: within one
    ``procedure`` (``reopening``: from the explanatory note to the reopening or the rejection),
    each step among ``actions`` is taken by a different person (each visa is its own step).
    ``applies: false`` switches the rule off (a ruleset parameter says whether it holds).
    ``refusal`` says why the guard refuses (``messages``, for the audit's finding, when absent).
    """

    kind_name: ClassVar[str] = "separation_of_duties"
    kind: Literal["separation_of_duties"] = "separation_of_duties"
    constraint: str
    procedure: str | None = None
    actions: tuple[str, ...] = ()
    applies: bool = True
    refusal: Messages | None = None

    def at_guard(self) -> bool:
        return self.applies

    def asks(self, action: str) -> bool:
        if self.constraint == "no_self_grant":
            return action == "register_people"
        # The note starts a procedure: there is nothing yet for it to share steps with.
        return action in self.actions and action != "submit_note"

    def journal_facts(self, view: JournalView, world: World, policy: Policy) -> list[Fact]:
        return separation_facts(self, view)

    def registry_facts(self, world: World) -> list[Fact]:
        return self_grant_facts(self, world)

    def guard_facts(self, ask: GuardAsk) -> list[Fact]:
        if self.constraint == "no_self_grant":
            return _self_grants(self, ask)
        procedure = _joined_procedure(self, ask)
        return [] if procedure is None else [procedure]

    def refusal_messages(self) -> Messages:
        return self.refusal or self.messages

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {"violation": all_of(eq("rule", self.id), op("$gt", "breaches", 0))}

    def problems(self, context: RuleContext) -> list[Problem]:
        out = choice(self.constraint, SOD_CONSTRAINTS, "constraint", "constraint")
        if self.constraint == "distinct_people":
            if self.procedure is None:
                out.append(Problem("distinct_people needs a procedure; one of: "
                                   + ", ".join(sorted(SOD_PROCEDURES)), path="procedure"))
            else:
                out += choice(self.procedure, SOD_PROCEDURES, "procedure", "procedure")
            for i, a in enumerate(self.actions):
                out += choice(a, set(REOPENING_ACTIONS), "step of a reopening",
                               f"actions[{i}]")
            if len(set(self.actions)) < 2 and "give_visa" not in self.actions:
                out.append(Problem("distinct_people needs at least two steps to keep apart",
                                   path="actions"))
        elif self.constraint == "no_self_grant" and (self.procedure or self.actions):
            out.append(Problem("no_self_grant takes neither procedure nor actions",
                               path="procedure" if self.procedure else "actions"))
        return out


Step = tuple[str, str]  # (person, step): "give_visa (school_dean)" for a visa


def _step_of(e: Ev, action: str) -> str:
    return f"give_visa ({e.payload.role})" if action == "give_visa" else action


def reopening_procedures(evs: Sequence[Ev], actions: Sequence[str]
                         ) -> list[tuple[list[Step], Ev, bool]]:
    """Each reopening procedure of one control: its steps among ``actions`` (who, which), the
    note that starts it, and whether it has ended (reopened or rejected)."""
    out: list[tuple[list[Step], Ev, bool]] = []
    for e in evs:
        action = EVENT_ACTIONS.get(e.type)
        if e.type == NoteSubmitted.type:
            out.append(([], e, False))
        if not out or out[-1][2] or action is None:
            continue
        steps, note, _ = out[-1]
        if action in actions:
            steps.append((e.actor, _step_of(e, action)))
        if e.type in (JournalReopened.type, NoteRejected.type):
            out[-1] = (steps, note, True)
    return out


def separation_fact(rule: SeparationOfDutiesRule, view: JournalView, control: str,
                    steps: Sequence[Step], *, on: date, n: int) -> Fact:
    """One procedure: the people who took more than one of its steps, with those steps."""
    by_person: dict[str, list[str]] = {}
    for person, step in steps:
        taken = by_person.setdefault(person, [])
        if step not in taken:  # the same step again is not a second duty (and said elsewhere)
            taken.append(step)
    shared = {p: s for p, s in by_person.items() if len(s) > 1}
    data = {"id": f"{rule.id}|{view.spec.id}|{control}|{n}", "rule": rule.id,
            "breaches": len(shared)}
    first = next(iter(shared), None)
    show = {"journal": view.spec.id, "control": control, "on": on.isoformat(),
            "person": first, "steps": [] if first is None else shared[first],
            # Who took several steps (what messages show), and which steps (for the record).
            "shared": list(shared),
            "shared_steps": [f"{p}: {', '.join(s)}" for p, s in shared.items()],
            "signatories": [f"{step}: {person}" for person, step in steps],
            "key": f"{control}#{n}"}
    return Fact(data, show, "journal", view.spec.id, journal=view.spec.id, control=control,
                department=view.department, person=first, on=on)


def separation_facts(rule: SeparationOfDutiesRule, view: JournalView) -> list[Fact]:
    if not rule.applies or rule.constraint != "distinct_people":
        return []
    out: list[Fact] = []
    for control, evs in view.by_control.items():
        for n, (steps, note, _) in enumerate(reopening_procedures(evs, rule.actions)):
            if len(steps) > 1:
                out.append(separation_fact(rule, view, control, steps, on=note.day, n=n))
    return out


def self_grant(before: Person | None, after: Person, *,
               first: bool) -> tuple[list[str], list[str]]:
    """The roles and org units someone gives themself by registering ``after`` over ``before``
    (nothing for the very first registration into an empty registry: someone has to be
    first)."""
    if before is None and first:
        return [], []
    roles = sorted(after.roles - (before.roles if before is not None else frozenset()))
    units = [u for u in after.units if before is None or u not in before.units]
    return roles, units


def self_grant_fact(rule: SeparationOfDutiesRule, actor: str, roles: Sequence[str],
                    units: Sequence[str], *, on: date, n: int) -> Fact:
    data = {"id": f"{rule.id}|{actor}|{n}", "rule": rule.id,
            "breaches": len(roles) + len(units)}
    show = {"person": actor, "actor": actor, "on": on.isoformat(), "roles_gained": list(roles),
            "units_gained": list(units), "key": f"{actor}#{n}"}
    return Fact(data, show, "person", actor, person=actor, on=on)


def self_grant_facts(rule: SeparationOfDutiesRule, world: World) -> list[Fact]:
    """Every registration in which the actor registered themself, replaying the people as
    they stood before it."""
    if not rule.applies or rule.constraint != "no_self_grant":
        return []
    people: dict[str, Person] = {}
    out: list[Fact] = []
    n = 0
    for e in world.registry:
        if e.type != PeopleRegistered.type:
            continue
        registered = e.payload.people
        for person in registered:
            if person.id != e.actor:
                continue
            roles, units = self_grant(people.get(person.id), person, first=not people)
            out.append(self_grant_fact(rule, e.actor, roles, units, on=e.day, n=n))
            n += 1
        people.update((p.id, p) for p in registered)
    return out


def _joined_procedure(rule: SeparationOfDutiesRule, ask: GuardAsk) -> Fact | None:
    """The pending procedure of the command's control with the command's step added; None when
    there is none to join."""
    context, view = ask.context, ask.view
    if view is None or context.control is None:
        return None
    control = context.control.point.id
    procedures = reopening_procedures(view.by_control.get(control, []), rule.actions)
    if not procedures or procedures[-1][2]:
        return None
    steps, _, _ = procedures[-1]
    command = context.command
    step = (f"give_visa ({command.role})" if isinstance(command, GiveVisa)
            else context.action)
    return separation_fact(rule, view, control, [*steps, (context.actor_id, step)],
                           on=ask.today, n=len(procedures) - 1)


def _self_grants(rule: SeparationOfDutiesRule, ask: GuardAsk) -> list[Fact]:
    """The roles and org units the actor of a registration would give themself by it."""
    context = ask.context
    command = context.command
    if not isinstance(command, RegisterPeople):
        return []
    people = context.directory.people
    out: list[Fact] = []
    for person in command.people:
        if person.id != context.actor_id:
            continue
        roles, units = self_grant(people.get(person.id), person, first=not people)
        out.append(self_grant_fact(rule, context.actor_id, roles, units, on=ask.today, n=0))
    return out
