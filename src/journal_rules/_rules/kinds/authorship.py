"""Authorship: journal actions in the log were done by someone entitled on that day (T13, T18)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

import attrs

from journal_rules._commands import JOURNAL_ACTIONS
from journal_rules._directory import RegistryView
from journal_rules._errors import Problem, suggest
from journal_rules._journal import EVENT_ACTIONS
from journal_rules._policy import Policy
from journal_rules._rules._facts import Ev, Fact, JournalView, World
from journal_rules._scopes import Subject, in_scope

from ._base import (
    RuleBase,
    RuleContext,
    all_of,
    eq,
)

# The actions a journal event carries: what an authorship rule can see in a journal's log (the
# journal commands' actions, derived from their classes; a registry action is never in a
# journal's log).
AUTHORED_ACTIONS = JOURNAL_ACTIONS


@attrs.frozen(kw_only=True)
class AuthorshipRule(RuleBase):
    """Journal ``actions`` recorded in the log were done by someone the ruleset's permissions
    entitle, on the day concerned (a substitute within their period, T13; one's own login, T18).
    The guard enforces this before a change; the audit re-checks the log."""

    kind_name: ClassVar[str] = "authorship"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "journal", "actor", "action", "on", "key"})
    kind: Literal["authorship"] = "authorship"
    actions: tuple[str, ...]

    def conditions(self) -> dict[str, dict[str, Any]]:
        return {"violation": all_of(eq("rule", self.id), eq("entitled", 0))}

    def journal_facts(self, view: JournalView, world: World, policy: Policy) -> list[Fact]:
        return authorship_facts(self, view, world, policy)

    def problems(self, context: RuleContext) -> list[Problem]:
        out: list[Problem] = []
        for i, a in enumerate(self.actions):
            if a in AUTHORED_ACTIONS:
                continue
            known = "a registry action" if a in context.actions else "no action"
            out.append(Problem(
                f"{a!r} is {known} that a journal event carries: an authorship rule over it could "
                f"never fire; journal actions: {', '.join(sorted(AUTHORED_ACTIONS))}",
                path=f"actions[{i}]", suggestion=suggest(a, AUTHORED_ACTIONS)))
        return out


def entitled(policy: Policy, directory: RegistryView, view: JournalView, *, actor: str,
             action: str, on: date) -> bool:
    """Whether the policy's permission for ``action`` covers ``actor`` on this journal on the
    day ``on``, in ``directory`` (the registry as it stood at the action)."""
    person = directory.people.get(actor)
    if person is None:
        return False
    try:
        perm = policy.permission_for(action)
    except KeyError:
        return False
    subject = Subject(view.spec)
    return any(g.role in person.roles and in_scope(g.scope, person, subject, on, directory)
               for g in perm.grants)


def authorship_facts(rule: AuthorshipRule, view: JournalView, world: World,
                     policy: Policy) -> list[Fact]:
    groups: dict[tuple[str, str, date], list[Ev]] = {}
    for e in view.events:
        action = EVENT_ACTIONS.get(e.type)
        if action is None or action not in rule.actions:
            continue
        on = e.on or e.day
        groups.setdefault((e.actor, action, on), []).append(e)
    out: list[Fact] = []
    # Each action is judged against the registry as it stood at its moment (Directory.at), as
    # the guard judged it. The answer changes only when the registry's people, org units,
    # groups or units change (its epoch) and, through this journal's substitutions (T13), with
    # the day: within one epoch, without substitutions, one answer per actor and action holds.
    directory = world.directory
    journal = view.spec.id
    by_day = bool(directory.substitutions.get(journal))
    answers: dict[tuple[Any, ...], bool] = {}

    def judge(actor: str, action: str, on: date, e: Ev) -> bool:
        key: tuple[Any, ...] = (actor, action, directory.epoch(e.at),
                                directory.epoch(e.at, inclusive=False))
        if by_day:
            key += (on, directory.substitutions_epoch(journal, e.at),
                    directory.substitutions_epoch(journal, e.at, inclusive=False))
        ok = answers.get(key)
        if ok is None:
            ok = entitled(policy, directory.at(e.at), view, actor=actor, action=action, on=on)
            if not ok and (key[2] != key[3] or (by_day and key[5] != key[6])):
                # Registry changes recorded at the very same moment may have come after the
                # action: the registry just before that moment is the one it may have met.
                ok = entitled(policy, directory.at(e.at, inclusive=False), view, actor=actor,
                              action=action, on=on)
            answers[key] = ok
        return ok

    for (actor, action, on), evs in sorted(groups.items()):
        ok = all(judge(actor, action, on, e) for e in evs)
        data = {"id": f"{rule.id}|{view.spec.id}|{actor}|{action}|{on.isoformat()}",
                "rule": rule.id, "entitled": int(ok)}
        show = {"journal": view.spec.id, "actor": actor, "action": action,
                "on": on.isoformat(), "key": f"{actor}|{action}|{on.isoformat()}"}
        out.append(Fact(data, show, "journal", view.spec.id, journal=view.spec.id,
                        department=view.department, person=actor, on=on))
    return out
