"""Escalation ladders: counts per teacher or department pick a sanction (S-teacher,
S-department, T20)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar, Literal

import attrs

from journal_rules._convert import bounded
from journal_rules._decision import Messages
from journal_rules._errors import Problem, suggest
from journal_rules._events import JournalReopened, NoteSubmitted
from journal_rules._model import Term
from journal_rules._report import Finding, Sanction
from journal_rules._rules._facts import JournalView, World

from ._base import (
    MAX_COUNT,
    RuleBase,
    RuleContext,
    Verdicts,
    all_of,
    choice,
    eq,
    op,
)

LADDER_AGAINST = frozenset({"teacher", "department"})
PERIODS = frozenset({"academic_year", "term", "all"})


@attrs.frozen
class LadderStep:
    """One rung: from ``min`` to ``max`` (inclusive; null: no upper bound) counted items."""

    min: int = attrs.field(metadata=bounded(0, MAX_COUNT))
    sanction: str
    messages: Messages
    max: int | None = attrs.field(default=None, metadata=bounded(0, MAX_COUNT))


@attrs.frozen
class LadderCounts:
    """What a ladder counts: reopenings (T20) and violations of the listed rules."""

    reopenings: bool = True
    rules: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class LadderRule(RuleBase):
    """An escalation ladder (S-teacher, S-department): count per teacher or department over the
    ``period`` and pick the step whose bounds hold the count."""

    kind_name: ClassVar[str] = "ladder"
    message_fields: ClassVar[frozenset[str]] = frozenset({
        "subject", "count", "period", "sanction", "against", "step", "named", "named_text"})
    kind: Literal["ladder"] = "ladder"
    against: str
    counts: LadderCounts = LadderCounts()
    period: str = "academic_year"
    steps: tuple[LadderStep, ...]
    # Against a department: the roles whose holders in it are named by the sanction (the head
    # of department, T17, T20), as the registry stands at the end of the period.
    names: tuple[str, ...] = ()

    def conditions(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for i, step in enumerate(self.steps):
            conds = [eq("rule", self.id), op("$gte", "count", step.min)]
            if step.max is not None:
                conds.append(op("$lte", "count", step.max))
            out[f"step{i}"] = all_of(*conds)
        return out

    def sanctions(self, verdicts: Verdicts, world: World,
                  findings: Sequence[Finding]) -> list[Sanction]:
        return _ladder(verdicts, self, world, findings)

    def problems(self, context: RuleContext) -> list[Problem]:
        out = choice(self.against, LADDER_AGAINST, "against", "against")
        out += choice(self.period, PERIODS, "period", "period")
        for i, role in enumerate(self.names):
            if context.roles and role not in context.roles:
                out.append(Problem(f"unknown role {role!r}", path=f"names[{i}]",
                                   suggestion=suggest(role, context.roles)))
        for i, r in enumerate(self.counts.rules):
            out += choice(r, set(context.rule_ids), "rule", f"counts.rules[{i}]")
        previous: int | None = 0
        for i, step in enumerate(self.steps):
            if step.max is not None and step.max < step.min:
                out.append(Problem("max is below min", path=f"steps[{i}]"))
            if previous is None or step.min != previous + 1:
                out.append(Problem(f"step starts at {step.min}; the steps must follow on without "
                                   "gaps or overlaps from 1", path=f"steps[{i}].min"))
            previous = step.max
        if not self.steps:
            out.append(Problem("a ladder needs at least one step", path="steps"))
        return out


def _period(rule: LadderRule, world: World) -> tuple[date, date, str]:
    as_of = world.as_of
    if rule.period == "term":
        terms = [t for t in world.directory.terms.values() if t.starts <= as_of]
        term: Term | None = max(terms, key=lambda t: t.starts) if terms else None
        if term is not None:
            return term.starts, as_of, term.id
    if rule.period == "all":
        return date.min, as_of, "all"
    start = world.calendar.year_start(as_of)
    return start, as_of, f"{start.year}-{start.year + 1}"


def _ladder(verdicts: Verdicts, rule: LadderRule, world: World,
            findings: Sequence[Finding]) -> list[Sanction]:
    since, until, label = _period(rule, world)
    counted: dict[str, list[str]] = defaultdict(list)
    if rule.counts.reopenings:
        _count_reopenings(counted, rule, world, since, until)
    if rule.counts.rules:
        _count_findings(counted, rule, world, findings, since=since, until=until)
    if not counted:
        return []
    facts = [{"id": f"{rule.id}|{subject}", "rule": rule.id, "count": len(items)}
             for subject, items in sorted(counted.items())]
    out: list[Sanction] = []
    for firing in verdicts.engine.evaluate(facts):
        subject = firing.fact_id.split("|", 1)[1]
        step = rule.steps[int(firing.outcome.removeprefix("step"))]
        items = counted[subject]
        people = _people_for(rule, subject, world)
        names = [world.directory.people[p].name for p in people if p in world.directory.people]
        show = {"subject": subject, "count": len(items), "period": label,
                "sanction": step.sanction, "against": rule.against,
                "step": f"{step.min}..{'' if step.max is None else step.max}",
                "named": list(people), "named_text": ", ".join(names) or None}
        out.append(Sanction(rule.id, rule.clauses, rule.against, subject, len(items),
                            step.sanction, step.messages, rule.messages, show, tuple(items),
                            people, verdicts.ref,
                            names=verdicts.names.with_phrases(rule.phrases)))
    return out


def _count_reopenings(counted: dict[str, list[str]], rule: LadderRule, world: World,
                      since: date, until: date) -> None:
    """Each journal reopened in the period, counted against whom the rule names."""
    for view in world.journals.values():
        for control, evs in view.by_control.items():
            for e in evs:
                if e.type != JournalReopened.type or not since <= e.day <= until:
                    continue
                ref = f"reopened:{view.spec.id}:{control}:{e.day.isoformat()}"
                for subject in _against(rule, view, control, e.position):
                    counted[subject].append(ref)


def _count_findings(counted: dict[str, list[str]], rule: LadderRule, world: World,
                    findings: Sequence[Finding], *, since: date, until: date) -> None:
    """Each violation of the counted rules due in the period, against its department or its
    journal's teachers."""
    wanted = set(rule.counts.rules)
    for f in findings:
        if f.kind != "violation" or f.rule_id not in wanted:
            continue
        when = f.due or world.as_of
        if not since <= when <= until:
            continue
        if rule.against == "department" and f.department:
            counted[f.department].append(f.id)
        elif rule.against == "teacher" and f.journal in world.journals:
            for t in world.journals[f.journal].spec.teachers:
                counted[t].append(f.id)


def _against(rule: LadderRule, view: JournalView, control: str, position: int) -> list[str]:
    if rule.against == "department":
        return [view.department] if view.department else []
    notes = [e for e in view.by_control.get(control, [])
             if e.type == NoteSubmitted.type and e.position < position]
    if notes:
        return [notes[-1].actor]
    return list(view.spec.teachers)


def _people_for(rule: LadderRule, subject: str, world: World) -> tuple[str, ...]:
    """Whom a sanction names: the teacher; for a department, the holders of the ladder's
    ``names`` roles in it (its head) in the registry as of the audit's date, the period's end."""
    if rule.against == "teacher":
        return (subject,)
    roles = set(rule.names)
    return tuple(sorted(p.id for p in world.directory.people.values()
                        if subject in p.units and not roles.isdisjoint(p.roles)))
