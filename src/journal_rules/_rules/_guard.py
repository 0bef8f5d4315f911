"""The rules engine as a guard: the rule kinds that make sense before a change.

At guard time: ``approval`` (a ``reopen`` needs the note, every visa and the review, T14, R2, R3),
``separation_of_duties`` (nobody gives themself a role; the steps of one reopening by distinct
people) and ``deadline`` rules with ``refuse_late_marks: true``: marks entered into a control after
its closing deadline (``end: closed``; with ``current_per: class``, after the deadline of the class
day they are for), or after its mark-entry deadline (``end: marks_entered``, the term calendar's
``marks_by``, T12), unless the control was reopened; and ``complete_marks`` rules with
``refuse: true`` on a closing while students of the group have no mark in the control. Every
other kind is a finding of the audit, never a refusal: a late closing is better than none. The
guard builds the same facts the audit builds from the journal's log plus the command about to
happen, and asks the same compiled conditions, so what the guard allows the audit does not
report as forbidden.
"""

from __future__ import annotations

from datetime import date

from journal_rules._commands import GiveVisa, RegisterPeople
from journal_rules._decision import Refusal
from journal_rules._guard import GuardContext
from journal_rules._policy import Policy
from journal_rules._ruleset import Ruleset

from ._audit import engine_for
from ._calendar import Calendar
from ._facts import (
    Fact,
    JournalView,
    World,
    approval_fact,
    complete_fact,
    deadline_facts,
    holds_marks,
    journal_view,
    marks_fact,
    reopening_procedures,
    self_grant,
    self_grant_fact,
    separation_fact,
)
from ._kinds import (
    ApprovalRule,
    CompleteMarksRule,
    DeadlineRule,
    RuleBase,
    SeparationOfDutiesRule,
)


class RulesGuard:
    """Plug into ``Gradebook(..., guards=[RulesGuard(ruleset)])``."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.calendar = Calendar(ruleset.calendar)
        self.rules = [r for r in ruleset.rules if r.at_guard()]
        self.engine = engine_for(ruleset)

    def check(self, context: GuardContext) -> list[Refusal]:
        if isinstance(context.command, RegisterPeople):
            return self._evaluate(context, [(rule, fact) for rule in self.rules
                                            if _asks(rule, context.action)
                                            for fact in self._self_grants(rule, context)])
        journal = context.journal
        if journal is None or context.control is None:
            return []
        if not any(_asks(rule, context.action) for rule in self.rules):
            return []  # no rule acts on this action: spare reading the journal's log
        view = journal_view(journal.history, context.directory, self.calendar, None)
        if view is None:
            return []
        today = self.calendar.local_date(context.now)
        world = World(context.directory, {view.spec.id: view}, [], today, self.calendar)
        control = context.control.point.id
        pairs: list[tuple[RuleBase, Fact]] = []
        for rule in self.rules:
            if not _asks(rule, context.action):
                continue
            if isinstance(rule, ApprovalRule):
                pairs.append((rule, approval_fact(
                    rule, view, control, reopen_position=journal.version + 1, reopen_day=today,
                    policy=self.ruleset.policy, n=0)))
            elif isinstance(rule, CompleteMarksRule):
                point = context.control.point
                if point.kind.value in rule.control_kinds and holds_marks(view, world, point):
                    pairs.append((rule, complete_fact(rule, view, world, point,
                                                      position=journal.version + 1, day=today,
                                                      n=0)))
            elif isinstance(rule, DeadlineRule) and not _reopened(view, control):
                pairs.extend((rule, f) for f in _deadline_asks(rule, view, world, context,
                                                               self.ruleset.policy))
            elif isinstance(rule, SeparationOfDutiesRule):
                procedure = self._separation(rule, context, view, control, today)
                if procedure is not None:
                    pairs.append((rule, procedure))
        return self._evaluate(context, pairs)

    def _evaluate(self, context: GuardContext, pairs: list[tuple[RuleBase, Fact]]
                  ) -> list[Refusal]:
        if not pairs:
            return []
        by_id = {f.data["id"]: (r, f) for r, f in pairs}
        out: list[Refusal] = []
        lifecycle = self.ruleset.policy.lifecycle.id
        for firing in self.engine.evaluate([f.data for _, f in pairs]):
            if firing.outcome != "violation":
                continue
            fired, fact = by_id[firing.fact_id]
            facts = {**context.facts(), **fact.show, "rule": fired.id}
            messages = getattr(fired, "refusal", None) or fired.messages
            # The approval names everything a reopening lacks, the state included.
            supersedes = (lifecycle,) if isinstance(fired, ApprovalRule) else ()
            out.append(Refusal(fired.id, fired.clauses, facts, messages, self.ruleset.ref,
                               supersedes,
                               names=self.ruleset.names().with_phrases(fired.phrases)))
        return out

    def _separation(self, rule: SeparationOfDutiesRule, context: GuardContext,
                    view: JournalView, control: str, today: date) -> Fact | None:
        """The pending procedure of this control with the command's step added; None when the
        command starts a procedure (the note) or there is none to join."""
        if rule.constraint != "distinct_people" or context.action == "submit_note":
            return None
        procedures = reopening_procedures(view.by_control.get(control, []), rule.actions)
        if not procedures or procedures[-1][2]:
            return None
        steps, _, _ = procedures[-1]
        command = context.command
        step = (f"give_visa ({command.role})" if isinstance(command, GiveVisa)
                else context.action)
        return separation_fact(rule, view, control, [*steps, (context.actor_id, step)],
                               on=today, n=len(procedures) - 1)

    def _self_grants(self, rule: RuleBase, context: GuardContext) -> list[Fact]:
        command = context.command
        if not isinstance(rule, SeparationOfDutiesRule) or rule.constraint != "no_self_grant" \
                or not isinstance(command, RegisterPeople):
            return []
        today = self.calendar.local_date(context.now)
        people = context.directory.people
        out: list[Fact] = []
        for person in command.people:
            if person.id != context.actor_id:
                continue
            roles, units = self_grant(people.get(person.id), person, first=not people)
            out.append(self_grant_fact(rule, context.actor_id, roles, units, on=today, n=0))
        return out


def _deadline_asks(rule: DeadlineRule, view: JournalView, world: World,
                   context: GuardContext, policy: Policy) -> list[Fact]:
    """The facts of ``rule`` as they would stand with the marks of the command entered today."""
    assert context.control is not None
    point = context.control.point
    if point.kind.value not in rule.control_kinds:
        return []
    if rule.end == "marks_entered":
        fact = marks_fact(rule, view, world, point, entered=world.as_of)
        return [] if fact is None else [fact]
    on = getattr(context.command, "on", None)
    per_class = rule.current_per == "class" and point.kind.value == "current"
    out = []
    for fact in deadline_facts(rule, view, world, policy):
        if fact.control != point.id or fact.data["done"] != 0:
            continue
        if per_class and (on is None or fact.show["key"] != on.isoformat()):
            continue  # a class day's clock only answers for that day's marks
        out.append(fact)
    return out


def _asks(rule: RuleBase, action: str) -> bool:
    """Whether ``rule`` has something to say at guard time about ``action``."""
    if isinstance(rule, ApprovalRule):
        return action == "reopen"
    if isinstance(rule, CompleteMarksRule):
        return action == "close"
    if isinstance(rule, SeparationOfDutiesRule):
        if rule.constraint == "no_self_grant":
            return action == "register_people"
        return action in rule.actions and action != "submit_note"
    if isinstance(rule, DeadlineRule):
        if rule.end == "marks_entered":
            return action in ("enter_mark", "correct_mark")
        return action == "enter_mark" and rule.end == "closed"
    return False


def _reopened(view: JournalView, control: str) -> bool:
    return any(e.type == "journal_reopened" for e in view.by_control.get(control, []))
