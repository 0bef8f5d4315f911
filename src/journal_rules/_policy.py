"""Who may do what, in which lifecycle state, and what a valid mark is: the ruleset's core policy.

These are typed data loaded from a ruleset and validated eagerly: an unknown action, state, role
or scope fails at load with the nearest valid name, never at use.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, tzinfo
from decimal import Decimal

import attrs

from ._actions import ACTIONS, JOURNAL_ACTIONS, SCOPES
from ._decision import Messages, Names
from ._errors import Problem, suggest


@attrs.frozen
class Grant:
    """One role, narrowed by a scope (see ``journal_rules._actions.SCOPES``)."""

    role: str
    scope: str = "any"


@attrs.frozen
class Permission:
    """A rule granting ``actions`` to the holders of ``grants``; its messages explain a refusal."""

    id: str
    clauses: tuple[str, ...]
    actions: tuple[str, ...]
    grants: tuple[Grant, ...]
    messages: Messages


@attrs.frozen
class Transition:
    """An action allowed in the ``source`` states; it moves the control to ``target`` (or leaves it
    where it is when ``target`` is None)."""

    action: str
    source: tuple[str, ...]
    target: str | None = None


@attrs.frozen
class Lifecycle:
    """The journal's state machine per control event, as data (python-statemachine style)."""

    id: str
    clauses: tuple[str, ...]
    initial: str
    states: Mapping[str, Messages]
    transitions: tuple[Transition, ...]
    messages: Messages

    def allowed_from(self, action: str) -> tuple[str, ...]:
        for t in self.transitions:
            if t.action == action:
                return t.source
        return ()

    def next_state(self, state: str, action: str) -> str | None:
        """The state after ``action`` in ``state``, or None when the action is not allowed."""
        for t in self.transitions:
            if t.action == action and state in t.source:
                return t.target or state
        return None


@attrs.frozen
class VisaRequirement:
    """A visa given in ``role`` by a holder of it within ``scope``. ``enabled: false`` keeps the
    requirement written down but not required (a ruleset parameter switches it)."""

    role: str
    scope: str = "any"
    enabled: bool = True


VISA_ORDERS = frozenset({"any", "as_listed"})


@attrs.frozen
class Visas:
    """The visas an explanatory note needs before it may be approved (T14, R2).

    ``order``: ``any`` (visas in any order) or ``as_listed`` (each visa only after every enabled
    visa listed before it). ``messages`` explain a note that cannot be approved for missing
    visas; the others explain a refused visa: one the ruleset does not require
    (``not_required``), one already given on this note (``already_given``), one given in a role
    the actor does not hold within its scope (``not_entitled``), one given before those listed
    before it (``out_of_order``). Each falls back to ``messages`` when absent.
    """

    id: str
    clauses: tuple[str, ...]
    required: tuple[VisaRequirement, ...]
    messages: Messages
    order: str = "any"
    not_required: Messages | None = None
    already_given: Messages | None = None
    not_entitled: Messages | None = None
    out_of_order: Messages | None = None

    @property
    def enabled(self) -> tuple[VisaRequirement, ...]:
        """The visas a note needs under this ruleset, in the listed order."""
        return tuple(v for v in self.required if v.enabled)

    def roles(self) -> list[str]:
        return [v.role for v in self.enabled]

    def before(self, role: str) -> list[str]:
        """The visas that must precede ``role``'s (none unless ``order`` is ``as_listed``)."""
        if self.order != "as_listed":
            return []
        roles = self.roles()
        return roles[:roles.index(role)] if role in roles else []


@attrs.frozen
class MarkOnce:
    """Where a ruleset declares it: a cell that holds a mark changes only through a correction
    with its reason; entering a mark again for it is refused with these messages."""

    id: str
    clauses: tuple[str, ...]
    messages: Messages


@attrs.frozen
class MarkRules:
    """What a valid mark cell is (T19, T9): a point range and the codes with their meaning;
    ``once``, when declared, refuses entering a mark again for a cell that has one."""

    id: str
    clauses: tuple[str, ...]
    points_min: Decimal = attrs.field(converter=Decimal)
    points_max: Decimal = attrs.field(converter=Decimal)
    whole_points: bool
    codes: Mapping[str, str]
    messages: Messages
    once: MarkOnce | None = None


@attrs.frozen
class ReasonRule:
    """Actions that must state a reason (a correction, a rejection)."""

    id: str
    clauses: tuple[str, ...]
    actions: tuple[str, ...]
    messages: Messages


@attrs.frozen
class FutureMarks:
    """Marks are for class days that have come (T3, T15): a mark (or a correction) for a day
    after today, today being the date in the ruleset's time zone, is refused."""

    id: str
    clauses: tuple[str, ...]
    messages: Messages


@attrs.frozen
class Policy:
    """The core policy a ruleset supplies to the guard. ``tz`` is the university's time zone
    (the ruleset's ``calendar.utc_offset``): "today" is the date there, whatever zone a clock
    reports."""

    roles: Mapping[str, Messages]
    permissions: tuple[Permission, ...]
    lifecycle: Lifecycle
    visas: Visas
    marks: MarkRules
    reasons: ReasonRule
    unknown_actor: Messages
    future_marks: FutureMarks
    tz: tzinfo = UTC
    # What each action is called in ru / kk / en, for messages (never the raw id).
    actions: Mapping[str, Messages] = attrs.field(factory=dict)

    def names(self) -> Names:
        """The ruleset's names of roles, actions and states, for rendering messages."""
        return Names(self.roles, self.actions, self.lifecycle.states)

    def permission_for(self, action: str) -> Permission:
        for perm in self.permissions:
            if action in perm.actions:
                return perm
        raise KeyError(action)

    def _visa_problems(self) -> list[Problem]:
        """Visas that could never be given (so no note approved), repeated, or in an unknown
        order."""
        out: list[Problem] = []
        givers = {g.role for p in self.permissions_for("give_visa") for g in p.grants}
        seen: set[str] = set()
        for i, visa in enumerate(self.visas.required):
            path = f"visas.required[{i}].role"
            if visa.role in seen:
                out.append(Problem(f"the visa of {visa.role!r} is listed twice", path=path))
            seen.add(visa.role)
            if visa.enabled and visa.role in self.roles and visa.role not in givers:
                out.append(Problem(
                    f"a visa of {visa.role!r} is required but no permission lets {visa.role!r} "
                    "give_visa: no note could ever be approved; grant it under the permission "
                    "for give_visa, or do not require it", path=path))
        if self.visas.order not in VISA_ORDERS:
            out.append(Problem(f"unknown visa order {self.visas.order!r}; one of: "
                               f"{', '.join(sorted(VISA_ORDERS))}", path="visas.order",
                               suggestion=suggest(self.visas.order, VISA_ORDERS)))
        return out

    def permissions_for(self, action: str) -> list[Permission]:
        return [p for p in self.permissions if action in p.actions]

    def problems(self) -> list[Problem]:
        """Every inconsistency at once; an empty list means the policy is sound."""
        out: list[Problem] = []
        roles = set(self.roles)

        def role(name: str, path: str) -> None:
            if name not in roles:
                out.append(Problem(f"unknown role {name!r}", path=path,
                                   suggestion=suggest(name, roles)))

        def scope(name: str, path: str) -> None:
            if name not in SCOPES:
                out.append(Problem(f"unknown scope {name!r}", path=path,
                                   suggestion=suggest(name, SCOPES)))

        def action(name: str, path: str) -> None:
            if name not in ACTIONS:
                out.append(Problem(f"unknown action {name!r}", path=path,
                                   suggestion=suggest(name, ACTIONS)))

        granted: dict[str, str] = {}
        for i, perm in enumerate(self.permissions):
            for j, act in enumerate(perm.actions):
                path = f"permissions[{i}].actions[{j}]"
                action(act, path)
                if act in granted:
                    out.append(Problem(f"action {act!r} is already granted by {granted[act]!r}",
                                       path=path))
                granted[act] = perm.id
            for j, grant in enumerate(perm.grants):
                role(grant.role, f"permissions[{i}].grants[{j}].role")
                scope(grant.scope, f"permissions[{i}].grants[{j}].scope")
        for act in sorted(ACTIONS - set(granted)):
            out.append(Problem(f"no permission grants action {act!r}: nobody could do it",
                               path="permissions"))

        life = self.lifecycle
        states = set(life.states)
        if life.initial not in states:
            out.append(Problem(f"unknown state {life.initial!r}", path="lifecycle.initial",
                               suggestion=suggest(life.initial, states)))
        seen: set[tuple[str, str]] = set()
        for i, t in enumerate(life.transitions):
            path = f"lifecycle.transitions[{i}]"
            action(t.action, f"{path}.action")
            if t.action in ACTIONS and t.action not in JOURNAL_ACTIONS:
                out.append(Problem(f"action {t.action!r} is not about a journal's control",
                                   path=f"{path}.action"))
            for name in (*t.source, *((t.target,) if t.target else ())):
                if name not in states:
                    out.append(Problem(f"unknown state {name!r}", path=path,
                                       suggestion=suggest(name, states)))
            for src in t.source:
                if (t.action, src) in seen:
                    out.append(Problem(f"action {t.action!r} from {src!r} is defined twice",
                                       path=path))
                seen.add((t.action, src))
        for act in sorted(JOURNAL_ACTIONS - {t.action for t in life.transitions}):
            out.append(Problem(f"the lifecycle never allows {act!r}", path="lifecycle.transitions"))
        reachable = {life.initial}
        changed = True
        while changed:
            changed = False
            for t in life.transitions:
                if t.target and t.target not in reachable and reachable & set(t.source):
                    reachable.add(t.target)
                    changed = True
        for name in sorted(states - reachable):
            out.append(Problem(f"state {name!r} can never be reached", path="lifecycle.states"))

        for i, visa in enumerate(self.visas.required):
            role(visa.role, f"visas.required[{i}].role")
            scope(visa.scope, f"visas.required[{i}].scope")
        out.extend(self._visa_problems())
        for i, act in enumerate(self.reasons.actions):
            action(act, f"reasons.actions[{i}]")
        if self.marks.points_min > self.marks.points_max:
            out.append(Problem("points_min is above points_max", path="marks"))
        return out
