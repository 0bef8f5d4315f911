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
report as forbidden. Which kinds act here, and how, is each kind's own (``at_guard``, ``asks``,
``guard_facts`` in :mod:`journal_rules._rules.kinds`).
"""

from __future__ import annotations

from journal_rules._decision import Refusal
from journal_rules._guard import GuardContext
from journal_rules._ruleset import Ruleset

from ._calendar import Calendar
from ._engine import engine_for
from ._facts import Fact, World, journal_view
from .kinds import GuardAsk, RuleBase


class RulesGuard:
    """Plug into ``Gradebook(..., guards=[RulesGuard(ruleset)])``."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.calendar = Calendar(ruleset.calendar)
        self.rules = [r for r in ruleset.rules if r.at_guard()]
        self.engine = engine_for(ruleset.content_hash, ruleset.rules)

    def check(self, context: GuardContext) -> list[Refusal]:
        asking = [rule for rule in self.rules if rule.asks(context.action)]
        if not asking:
            return []  # no rule acts on this action: spare reading the journal's log
        ask = self._ask(context)
        return self._evaluate(context, [(rule, fact) for rule in asking
                                        for fact in rule.guard_facts(ask)])

    def _ask(self, context: GuardContext) -> GuardAsk:
        """What the rules see: on a control of a journal, its log and today's registry."""
        today = self.calendar.local_date(context.now)
        policy = self.ruleset.policy
        journal = context.journal
        if journal is None or context.control is None:
            return GuardAsk(context, policy, today)
        view = journal_view(journal.history, context.directory, self.calendar, None)
        if view is None:
            return GuardAsk(context, policy, today)
        world = World(context.directory, {view.spec.id: view}, [], today, self.calendar)
        return GuardAsk(context, policy, today, view, world)

    def _evaluate(self, context: GuardContext, pairs: list[tuple[RuleBase, Fact]]
                  ) -> list[Refusal]:
        if not pairs:
            return []
        by_id = {f.data["id"]: (r, f) for r, f in pairs}
        out: list[Refusal] = []
        for firing in self.engine.evaluate([f.data for _, f in pairs]):
            if firing.outcome != "violation":
                continue
            fired, fact = by_id[firing.fact_id]
            facts = {**context.facts(), **fact.show, "rule": fired.id}
            out.append(Refusal(fired.id, fired.clauses, facts, fired.refusal_messages(),
                               self.ruleset.ref, fired.supersedes(self.ruleset.policy),
                               names=self.ruleset.names().with_phrases(fired.phrases)))
        return out
