"""Who may do what, in which lifecycle state, and what a valid mark is: the ruleset's core policy.

These are typed data loaded from a ruleset and validated eagerly: an unknown action, state, role
or scope fails at load with the nearest valid name, never at use.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
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
        out = [*self._permission_problems(), *self._lifecycle_problems()]
        roles = set(self.roles)
        for i, visa in enumerate(self.visas.required):
            out += _unknown("role", visa.role, roles, f"visas.required[{i}].role")
            out += _unknown("scope", visa.scope, SCOPES, f"visas.required[{i}].scope")
        out.extend(self._visa_problems())
        for i, act in enumerate(self.reasons.actions):
            out += _unknown("action", act, ACTIONS, f"reasons.actions[{i}]")
        if self.marks.points_min > self.marks.points_max:
            out.append(Problem("points_min is above points_max", path="marks"))
        return out

    def _permission_problems(self) -> list[Problem]:
        """Unknown names in the permissions, actions granted twice and actions nobody may do."""
        out: list[Problem] = []
        roles = set(self.roles)
        granted: dict[str, str] = {}
        for i, perm in enumerate(self.permissions):
            for j, act in enumerate(perm.actions):
                path = f"permissions[{i}].actions[{j}]"
                out += _unknown("action", act, ACTIONS, path)
                if act in granted:
                    out.append(Problem(f"action {act!r} is already granted by {granted[act]!r}",
                                       path=path))
                granted[act] = perm.id
            for j, grant in enumerate(perm.grants):
                out += _unknown("role", grant.role, roles, f"permissions[{i}].grants[{j}].role")
                out += _unknown("scope", grant.scope, SCOPES,
                                f"permissions[{i}].grants[{j}].scope")
        for act in sorted(ACTIONS - set(granted)):
            out.append(Problem(f"no permission grants action {act!r}: nobody could do it",
                               path="permissions"))
        return out

    def _lifecycle_problems(self) -> list[Problem]:
        """Unknown states and actions in the lifecycle, repeated transitions, journal actions it
        never allows and states it can never reach."""
        life = self.lifecycle
        states = set(life.states)
        out = _unknown("state", life.initial, states, "lifecycle.initial")
        seen: set[tuple[str, str]] = set()
        for i, t in enumerate(life.transitions):
            path = f"lifecycle.transitions[{i}]"
            out += _unknown("action", t.action, ACTIONS, f"{path}.action")
            if t.action in ACTIONS and t.action not in JOURNAL_ACTIONS:
                out.append(Problem(f"action {t.action!r} is not about a journal's control",
                                   path=f"{path}.action"))
            for name in (*t.source, *((t.target,) if t.target else ())):
                out += _unknown("state", name, states, path)
            for src in t.source:
                if (t.action, src) in seen:
                    out.append(Problem(f"action {t.action!r} from {src!r} is defined twice",
                                       path=path))
                seen.add((t.action, src))
        for act in sorted(JOURNAL_ACTIONS - {t.action for t in life.transitions}):
            out.append(Problem(f"the lifecycle never allows {act!r}", path="lifecycle.transitions"))
        for name in sorted(states - _reachable(life.initial, life.transitions)):
            out.append(Problem(f"state {name!r} can never be reached", path="lifecycle.states"))
        return out


def _unknown(what: str, name: str, allowed: Collection[str], path: str) -> list[Problem]:
    """A problem naming ``name`` as an unknown ``what`` (with the nearest name), or none."""
    if name in allowed:
        return []
    return [Problem(f"unknown {what} {name!r}", path=path, suggestion=suggest(name, allowed))]


def _reachable(initial: str, transitions: Iterable[Transition]) -> set[str]:
    """The states the lifecycle can reach from ``initial``."""
    steps = list(transitions)
    reachable = {initial}
    changed = True
    while changed:
        changed = False
        for t in steps:
            if t.target and t.target not in reachable and reachable & set(t.source):
                reachable.add(t.target)
                changed = True
    return reachable
