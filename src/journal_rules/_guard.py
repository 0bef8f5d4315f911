"""The guard: is this actor allowed this command, in this state, with these values?

:class:`PolicyGuard` checks the ruleset's core policy (permissions with scopes, the lifecycle,
visas, mark validity, required reasons). Other guards (the rules engine) plug in beside it through
the :class:`Guard` protocol and see the same :class:`GuardContext`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

import attrs

from ._commands import (
    ApproveNote,
    AssignPlanUploaders,
    Command,
    CorrectMark,
    EnterMarks,
    GiveVisa,
    LoadCalendarPlan,
    OpenJournal,
    RegisterPeople,
    RegisterSubstitution,
    RequestLogin,
)
from ._decision import Refusal, RulesetRef
from ._directory import RegistryView
from ._journal import ControlState, JournalState
from ._model import JournalSpec, Mark, Person
from ._policy import Grant, MarkRules, Policy
from ._scopes import Subject, in_scope


@attrs.frozen
class GuardContext:
    """Everything a guard may look at: the command, who asks, when, and the current state."""

    actor_id: str
    actor: Person | None
    command: Command
    action: str
    on: date
    now: datetime
    directory: RegistryView  # the registry as it stands at ``now`` (see ``Directory.at``)
    journal: JournalState | None = None
    control: ControlState | None = None

    @property
    def spec(self) -> JournalSpec | None:
        if isinstance(self.command, OpenJournal):
            return self.command.spec
        if isinstance(self.command, RegisterSubstitution):
            return self.directory.journals.get(self.command.substitution.journal)
        return None if self.journal is None else self.journal.spec

    @property
    def subject(self) -> Subject:
        """What the command's scopes look at: its journal, the course unit it is about, the
        person it is for."""
        command = self.command
        unit = (command.plan.unit if isinstance(command, LoadCalendarPlan)
                else command.unit if isinstance(command, AssignPlanUploaders) else None)
        person = command.person if isinstance(command, RequestLogin) else None
        return Subject(self.spec, unit, person)

    def in_scope(self, scope: str, person: Person) -> bool:
        """Whether ``person`` is within ``scope`` of this command's subject today."""
        return in_scope(scope, person, self.subject, self.on, self.directory)

    def facts(self) -> dict[str, Any]:
        """The facts every refusal reports: who, what, which journal and control, when."""
        spec = self.spec
        out: dict[str, Any] = {"actor": self.actor_id, "action": self.action,
                               "on": self.on.isoformat(), "at": self.now.isoformat()}
        if self.actor is not None:
            out["actor_roles"] = sorted(self.actor.roles)
        if spec is not None:
            out["journal"] = spec.id
        if self.control is not None:
            out["control"] = self.control.point.id
            out["state"] = self.control.state
        return out


class Guard(Protocol):
    """Anything that can refuse a command. Return every reason at once; empty means allowed."""

    def check(self, context: GuardContext) -> list[Refusal]: ...


class PolicyGuard:
    """The guard over the core policy of a ruleset."""

    def __init__(self, policy: Policy, ruleset: RulesetRef | None = None) -> None:
        self.policy = policy
        self.ruleset = ruleset

    def _refuse(self, rule_id: str, clauses: tuple[str, ...], facts: dict[str, Any],
                messages: Any) -> Refusal:
        return Refusal(rule_id, clauses, facts, messages, self.ruleset,
                       names=self.policy.names())

    def check(self, context: GuardContext) -> list[Refusal]:
        policy = self.policy
        facts = context.facts()
        if context.actor is None and not self._bootstrap(context):
            return [self._refuse("unknown-actor", ("T18",), facts, policy.unknown_actor)]
        out: list[Refusal] = []
        perm = policy.permission_for(context.action)
        permitted = context.actor is None or any(self._grants(g, context) for g in perm.grants)
        if not permitted:
            needed = sorted({g.role for g in perm.grants})
            out.append(self._refuse(perm.id, perm.clauses, {**facts, "roles": needed},
                                    perm.messages))
        if context.control is not None:
            life = policy.lifecycle
            if life.next_state(context.control.state, context.action) is None:
                out.append(self._refuse(life.id, life.clauses, {
                    **facts, "allowed_in": list(life.allowed_from(context.action))},
                    life.messages))
        out.extend(self._visas(context, facts, permitted=permitted))
        out.extend(self._marks(context, facts))
        out.extend(self._future(context, facts))
        reasons = policy.reasons
        if context.action in reasons.actions and not (getattr(context.command, "reason", None)
                                                      or "").strip():
            out.append(self._refuse(reasons.id, reasons.clauses, facts, reasons.messages))
        return out

    def _bootstrap(self, context: GuardContext) -> bool:
        """The very first registration of people may come from one of the people it registers,
        provided the policy grants that person the action."""
        command = context.command
        if not isinstance(command, RegisterPeople) or context.directory.people:
            return False
        me = next((p for p in command.people if p.id == context.actor_id), None)
        perm = self.policy.permission_for(context.action)
        return me is not None and bool(me.roles & {g.role for g in perm.grants})

    def _grants(self, grant: Grant, context: GuardContext) -> bool:
        actor = context.actor
        assert actor is not None
        return grant.role in actor.roles and context.in_scope(grant.scope, actor)

    def _visas(self, context: GuardContext, facts: dict[str, Any], *,
               permitted: bool) -> list[Refusal]:
        """A visa is one the ruleset requires, not yet on this note, given by a holder of its role
        within its scope (only asked when the permission allowed the actor at all, so that who
        gives visas is said once), after the visas listed before it when the order matters. A
        note is approved only with every required visa."""
        visas = self.policy.visas
        control = context.control
        if control is None or control.note is None:
            return []  # no note pending: the lifecycle says so, once
        required = {v.role: v for v in visas.enabled}
        given = sorted(control.visas)
        base = {**facts, "required": list(required), "given": given,
                "missing": [r for r in required if r not in control.visas]}
        if isinstance(context.command, GiveVisa):
            role = context.command.role
            actor = context.actor
            found = {**base, "visa_role": role}
            if role not in required:
                return [self._refuse(visas.id, visas.clauses, found,
                                     visas.not_required or visas.messages)]
            if role in control.visas:
                return [self._refuse(visas.id, visas.clauses,
                                     {**found, "given_by": control.visas[role]},
                                     visas.already_given or visas.messages)]
            if permitted and actor is not None and not (
                    role in actor.roles and context.in_scope(required[role].scope, actor)):
                return [self._refuse(visas.id, visas.clauses, found,
                                     visas.not_entitled or visas.messages)]
            before = [r for r in visas.before(role) if r not in control.visas]
            if before:
                return [self._refuse(visas.id, visas.clauses, {**found, "before": before},
                                     visas.out_of_order or visas.messages)]
        if isinstance(context.command, ApproveNote) and base["missing"]:
            return [self._refuse(visas.id, visas.clauses, base, visas.messages)]
        return []

    def _marks(self, context: GuardContext, facts: dict[str, Any]) -> list[Refusal]:
        command = context.command
        rules = self.policy.marks
        cells: list[tuple[str, Mark]] = []
        if isinstance(command, EnterMarks):
            cells = list(command.marks.items())
        elif isinstance(command, CorrectMark):
            cells = [(command.student, command.mark)]
        out: list[Refusal] = []
        once = rules.once
        if (once is not None and isinstance(command, EnterMarks) and context.journal is not None
                and context.control is not None):
            control = context.control.point.id
            grid = context.journal.grid
            entered = [f"{s}={grid[(s, command.on, control)]}" for s in sorted(command.marks)
                       if (s, command.on, control) in grid]
            if entered:
                out.append(self._refuse(once.id, once.clauses, {
                    **facts, "cells": entered, "use": "correct_mark"}, once.messages))
        bad = [(student, str(mark)) for student, mark in cells if not mark_is_valid(mark, rules)]
        if bad:
            out.append(self._refuse(rules.id, rules.clauses, {
                **facts, "cells": [f"{s}={m}" for s, m in bad],
                "codes": sorted(rules.codes.values()),
                "points": f"{rules.points_min}..{rules.points_max}"}, rules.messages))
        return out


    def _future(self, context: GuardContext, facts: dict[str, Any]) -> list[Refusal]:
        """A mark for a day that has not come yet, in the university's time zone."""
        command = context.command
        if not isinstance(command, EnterMarks | CorrectMark):
            return []
        today = context.now.astimezone(self.policy.tz).date()
        if command.on <= today:
            return []
        rule = self.policy.future_marks
        return [self._refuse(rule.id, rule.clauses, {
            **facts, "on": command.on.isoformat(), "today": today.isoformat()}, rule.messages)]


def mark_is_valid(mark: Mark, rules: MarkRules) -> bool:
    """Whether a cell holds a valid value under the ruleset's mark rules (T19, T9)."""
    if mark.code is not None:
        return mark.code in rules.codes.values()
    points = mark.points
    assert points is not None
    if not points.is_finite() or not rules.points_min <= points <= rules.points_max:
        return False
    return not rules.whole_points or points == points.to_integral_value()
