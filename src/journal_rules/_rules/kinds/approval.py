"""Approval of a reopening: the note, every visa and the review (T14, R2, R3, F3)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

import attrs

from journal_rules._decision import Messages
from journal_rules._events import JournalReopened, NoteApproved, NoteSubmitted, VisaGiven
from journal_rules._policy import Policy
from journal_rules._rules._facts import Fact, JournalView, World

from ._base import (
    GUARD_FIELDS,
    GuardAsk,
    RuleBase,
    all_of,
    any_of,
    eq,
    op,
)


@attrs.frozen(kw_only=True)
class ApprovalRule(RuleBase):
    """A reopening needs the explanatory note (the teacher's signature), every visa of the
    ruleset's ``visas`` section (in its order, when it has one), and, if ``require_review``, the
    note reviewed and approved (T14, R2, R3, F3). Acts at guard time on ``reopen`` and in the
    audit over the log. ``messages`` describe a reopening that happened without them (the
    audit); ``refusal`` says, in the present tense, what a reopening asked for now still lacks
    (the guard; ``messages`` when absent)."""

    kind_name: ClassVar[str] = "approval"
    message_fields: ClassVar[frozenset[str]] = GUARD_FIELDS | frozenset({
        "journal", "control", "on", "has_note", "has_note_text", "note_by", "given",
        "out_of_order", "missing", "required", "approved", "approved_text", "key"})
    kind: Literal["approval"] = "approval"
    require_review: bool = True
    refusal: Messages | None = None

    def at_guard(self) -> bool:
        return True

    def asks(self, action: str) -> bool:
        return action == "reopen"

    def journal_facts(self, view: JournalView, world: World, policy: Policy) -> list[Fact]:
        return approval_facts(self, view, world, policy)

    def guard_facts(self, ask: GuardAsk) -> list[Fact]:
        journal, control = ask.context.journal, ask.context.control
        if ask.view is None or journal is None or control is None:
            return []
        return [approval_fact(self, ask.view, control.point.id,
                              reopen_position=journal.version + 1, reopen_day=ask.today,
                              policy=ask.policy, n=0)]

    def refusal_messages(self) -> Messages:
        return self.refusal or self.messages

    def supersedes(self, policy: Policy) -> tuple[str, ...]:
        # The approval names everything a reopening lacks, the state included.
        return (policy.lifecycle.id,)

    def conditions(self) -> dict[str, dict[str, Any]]:
        broken = [eq("has_note", 0), op("$gt", "missing_visas", 0),
                  op("$gt", "out_of_order", 0)]
        if self.require_review:
            broken.append(eq("approved", 0))
        return {"violation": all_of(eq("rule", self.id), any_of(*broken))}


def approval_fact(rule: ApprovalRule, view: JournalView, control: str, *, reopen_position: int,
                  reopen_day: date, policy: Policy, n: int) -> Fact:
    evs = [e for e in view.by_control.get(control, []) if e.position < reopen_position]
    notes = [e for e in evs if e.type == NoteSubmitted.type]
    note = notes[-1] if notes else None
    after = [e for e in evs if note is not None and e.position > note.position]
    required = policy.visas.roles()
    given_in: list[str] = []
    out_of_order: list[str] = []
    for e in after:
        if e.type != VisaGiven.type:
            continue
        role = e.payload.role
        if any(r not in given_in for r in policy.visas.before(role)):
            out_of_order.append(role)
        given_in.append(role)
    given = sorted(set(given_in))
    missing = [r for r in required if r not in given]
    approved = any(e.type == NoteApproved.type for e in after)
    data = {"id": f"{rule.id}|{view.spec.id}|{control}|{n}", "rule": rule.id,
            "has_note": int(note is not None), "missing_visas": len(missing),
            "out_of_order": len(out_of_order), "approved": int(approved)}
    show = {"journal": view.spec.id, "control": control, "on": reopen_day.isoformat(),
            "has_note": note is not None, "has_note_text": "+" if note is not None else "−",
            "note_by": None if note is None else note.actor, "given": given, "missing": missing,
            "out_of_order": out_of_order, "required": required, "approved": approved,
            "approved_text": "+" if approved else "−", "key": f"{control}#{n}"}
    return Fact(data, show, "journal", view.spec.id, journal=view.spec.id, control=control,
                department=view.department, on=reopen_day)


def approval_facts(rule: ApprovalRule, view: JournalView, world: World,
                   policy: Policy) -> list[Fact]:
    out: list[Fact] = []
    for control, evs in view.by_control.items():
        for n, e in enumerate(x for x in evs if x.type == JournalReopened.type):
            out.append(approval_fact(rule, view, control, reopen_position=e.position,
                                     reopen_day=e.day, policy=policy, n=n))
    return out
