"""The rule kinds of a ruleset: one module per kind, one registry (:data:`KINDS`).

A rule kind is a frozen attrs class deriving from :class:`RuleBase`, named by ``kind_name`` (the
``kind:`` a ruleset file writes), whose module holds everything about it:

- **schema**: its fields, their types and defaults, as attrs fields (``kind: Literal[...]`` first;
  numbers bounded with ``bounded(...)`` metadata); the loader structures a rule of the file into
  it and the JSON Schema of the format is generated from it.
- **load checks**: ``problems(context)`` returns :class:`~journal_rules._errors.Problem` with
  paths relative to the rule; the loader locates them (file, line) and keeps the suggestions.
  ``message_fields`` (or ``fields()``) names the facts its messages may show.
- **conditions**: ``conditions()`` maps an outcome (``violation``, ``pending``, ``register``, or
  any name the kind's own ``sanctions`` read back) to one condition over a flat fact, in the
  engine's grammar (``{"$and"|"$or": [...]}``, ``{"$gt"|"$gte"|"$lt"|"$lte": {field: number}}``,
  ``{field: text|number}``; build them with :func:`eq`, :func:`op`, :func:`all_of`,
  :func:`any_of`). The numbers of the SOP go in here, never into Python comparisons; the engine
  (``_engine``) validates and compiles them into durable_rules.
- **facts**: ``journal_facts(view, world, policy)`` (per journal, posted in that journal's
  session) and/or ``registry_facts(world)`` (over the registry and the whole world, in a session
  of their own) return :class:`~journal_rules._rules._facts.Fact` objects: ``data`` is what the
  conditions test (it must carry a unique ``id`` and ``rule``: the rule's id), ``show`` what a
  finding reports. ``sanctions(verdicts, world, findings)`` lets a kind judge the findings
  themselves (a ladder).
- **guard**: ``at_guard()`` says whether the rules guard asks the rule at all, ``asks(action)``
  whether it has something to say about this action, and ``guard_facts(ask)`` returns the facts as
  they would stand with the command done (a :class:`GuardAsk` holds the guard's context, the
  policy, and the journal's view and world when the command acts on a journal's control); a
  ``violation`` firing on one of them refuses the command. ``refusal_messages()`` and
  ``supersedes(policy)`` shape the refusal.

The audit and the rules guard loop over the ruleset's rules calling these hooks; neither knows a
kind by name. A new kind is one module here plus one line in :data:`KINDS` (see "Writing a new
rule kind" in docs/policy-authors.md).
"""

from __future__ import annotations

from ._base import (
    CONTROL_KINDS,
    GUARD_FIELDS,
    MAX_COUNT,
    MAX_DAYS,
    SEVERITIES,
    GuardAsk,
    Outcome,
    Responsible,
    RuleBase,
    RuleContext,
    Verdicts,
    all_of,
    any_of,
    choice,
    controls,
    eq,
    never,
    op,
    rule_problems,
)
from .approval import ApprovalRule
from .authorship import AuthorshipRule
from .complete_marks import CompleteMarksRule
from .condition import ConditionRule
from .daily_marking import DailyMarkingRule
from .deadline import DeadlineRule
from .integrated_sheet import IntegratedSheetRule
from .ladder import LadderCounts, LadderRule, LadderStep
from .occurrence import OccurrenceRule
from .periodic import PeriodicRule
from .precedes import PrecedesRule
from .separation_of_duties import SeparationOfDutiesRule
from .setup import SetupRule

#: Every rule kind a ruleset may use, in the order the format documents them: the registry.
KINDS: tuple[type[RuleBase], ...] = (
    DeadlineRule,
    DailyMarkingRule,
    CompleteMarksRule,
    PeriodicRule,
    SetupRule,
    PrecedesRule,
    ApprovalRule,
    AuthorshipRule,
    OccurrenceRule,
    LadderRule,
    IntegratedSheetRule,
    SeparationOfDutiesRule,
    ConditionRule,
)
#: The registry by ``kind:`` name: what the loader and the JSON Schema read.
RULE_KINDS: dict[str, type[RuleBase]] = {cls.kind_name: cls for cls in KINDS}

__all__ = [
    "CONTROL_KINDS",
    "GUARD_FIELDS",
    "KINDS",
    "MAX_COUNT",
    "MAX_DAYS",
    "RULE_KINDS",
    "SEVERITIES",
    "ApprovalRule",
    "AuthorshipRule",
    "CompleteMarksRule",
    "ConditionRule",
    "DailyMarkingRule",
    "DeadlineRule",
    "GuardAsk",
    "IntegratedSheetRule",
    "LadderCounts",
    "LadderRule",
    "LadderStep",
    "OccurrenceRule",
    "Outcome",
    "PeriodicRule",
    "PrecedesRule",
    "Responsible",
    "RuleBase",
    "RuleContext",
    "SeparationOfDutiesRule",
    "SetupRule",
    "Verdicts",
    "all_of",
    "any_of",
    "choice",
    "controls",
    "eq",
    "never",
    "op",
    "rule_problems",
]
