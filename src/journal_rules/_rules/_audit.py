"""The audit: findings, pending obligations and sanctions over a store, as of a date.

Deterministic for a given log and ``as_of``: only events recorded by the end of ``as_of`` (in the
university's time) are read, journals are taken in id order, facts carry stable ids, and findings
are sorted. One engine session per journal (and per rule over the registry) keeps sessions small.
The audit knows no rule kind: each rule posts its own facts (``journal_facts``,
``registry_facts``) and draws its own sanctions (see :mod:`journal_rules._rules.kinds`); what it
builds (findings, sanctions, the report) is :mod:`journal_rules._report`.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator, Sequence
from datetime import date

import attrs

from journal_rules._report import AuditReport, Finding, FindingKind, Sanction
from journal_rules._ruleset import Ruleset
from journal_rules._scopes import Holders, Subject
from journal_rules._storage import Storage

from ._calendar import Calendar
from ._engine import CompiledRules, Firing, engine_for
from ._facts import Fact, JournalView, Progress, World, read_world
from .conditions._run import condition_findings
from .kinds import RuleBase, Verdicts


class _GCPause:
    """Python's cyclic garbage collector paused for as long as any holder is inside, then put
    back as it was (reference counting still frees everything at once; the audit makes no
    cycles). Nested and concurrent holders share one pause; the last one out restores the
    collector's previous state, even when its audit failed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = False

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


#: ``with gc_paused(): ...``: the collector paused for the block, restored after it. An audit of
#: a whole university holds hundreds of thousands of live objects, and the collector's repeated
#: passes over them cost a large share of its time; a process that runs such audits (a batch
#: job, the benchmark) opts in with ``audit(..., pause_gc=True)``.
#: A host with threads of its own decides for itself: the pause is process-wide.
gc_paused = _GCPause()


def audit(store: Storage, ruleset: Ruleset, as_of: date, *, pause_gc: bool = False,
          progress: Progress | None = None) -> AuditReport:
    """Audit ``store`` as of the end of ``as_of`` under ``ruleset``. ``pause_gc``: pause Python's
    cyclic garbage collector during the audit (see :data:`gc_paused`); off by default, since it
    affects the whole process. ``progress(phase, done, total)`` is told how far it is: ``read``
    (journals read of the store's journal streams), then ``judge`` (journals judged)."""
    if pause_gc:
        with gc_paused():
            return _audit(store, ruleset, as_of, progress)
    return _audit(store, ruleset, as_of, progress)


@attrs.frozen
class _Judging:
    """What turns one audit's firings into findings: the ruleset and who holds which role."""

    ruleset: Ruleset
    engine: CompiledRules
    world: World
    holders: Holders


def _audit(store: Storage, ruleset: Ruleset, as_of: date,
           progress: Progress | None = None) -> AuditReport:
    calendar = Calendar(ruleset.calendar)
    world = read_world(store, as_of, calendar, progress=progress)
    judging = _Judging(ruleset, engine_for(ruleset.content_hash, ruleset.rules), world,
                       Holders(world.directory))
    findings: list[Finding] = []
    for done, view in enumerate(world.journals.values(), start=1):
        if progress is not None:
            progress("judge", done, len(world.journals))
        pairs = [(rule, fact) for rule in ruleset.rules
                 for fact in rule.journal_facts(view, world, ruleset.policy)]
        findings.extend(_findings(judging, pairs, view))
    joined: dict[str, int] = {}
    findings.extend(condition_findings(
        ruleset, world, world.journals.values(), stats=joined,
        make=lambda rule, fact, firing, view: make_finding(
            ruleset, rule, fact, firing, holders=judging.holders, view=view, as_of=as_of)))
    for rule in ruleset.rules:
        findings.extend(_findings(judging, [(rule, fact) for fact in rule.registry_facts(world)],
                                  None))
    order = {r.id: i for i, r in enumerate(ruleset.rules)}
    findings.sort(key=lambda f: (order[f.rule_id], f.subject, f.control or "",
                                 f.due or date.min, f.id))
    verdicts = Verdicts(judging.engine, ruleset.ref, ruleset.names())
    sanctions: list[Sanction] = []
    for rule in ruleset.rules:
        sanctions.extend(rule.sanctions(verdicts, world, findings))
    return AuditReport(as_of, ruleset.ref, tuple(f for f in findings if f.kind != "register"),
                       tuple(sanctions), dict(judging.engine.stats) | joined,
                       register=tuple(f for f in findings if f.kind == "register"))


def _findings(judging: _Judging, pairs: Sequence[tuple[RuleBase, Fact]],
              view: JournalView | None) -> list[Finding]:
    if not pairs:
        return []
    by_id = {f.data["id"]: (rule, f) for rule, f in pairs}
    out: list[Finding] = []
    for firing in judging.engine.evaluate([f.data for _, f in pairs]):
        rule, fact = by_id[firing.fact_id]
        out.append(make_finding(judging.ruleset, rule, fact, firing, holders=judging.holders,
                                view=view, as_of=judging.world.as_of))
    return out


def make_finding(ruleset: Ruleset, rule: RuleBase, fact: Fact, firing: Firing, *,
                 holders: Holders, view: JournalView | None, as_of: date) -> Finding:
    """The finding a firing of ``rule`` on ``fact`` makes, naming who answers for it."""
    pending = firing.outcome == "pending"
    messages = rule.pending if pending and rule.pending is not None else rule.messages
    people, roles = responsible(rule, fact, holders=holders, view=view, as_of=as_of)
    kind: FindingKind = "pending" if pending else \
        "register" if firing.outcome == "register" else "violation"
    return Finding(
        rule_id=rule.id, clauses=rule.clauses, kind=kind,
        severity="info" if pending else rule.severity, subject_kind=fact.subject_kind,
        subject=fact.subject, facts=dict(fact.show), messages=messages, responsible=people,
        responsible_roles=roles, due=fact.due, journal=fact.journal, control=fact.control,
        department=fact.department, person=fact.person, ruleset=ruleset.ref,
        names=ruleset.names().with_phrases(rule.phrases))


def responsible(rule: RuleBase, fact: Fact, *, holders: Holders, view: JournalView | None,
                as_of: date) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The people who hold each of the rule's responsible roles within its scope for this
    finding (on the finding's day: a substitute answers for the days they cover), and those
    roles. A finding on no journal is answered, whatever the scope, by the role's holders in
    the finding's department (every holder when it has none)."""
    people: list[str] = []
    roles: list[str] = []
    on = fact.on or as_of
    subject = Subject(None if view is None else view.spec)
    for r in rule.responsible:
        if fact.answerable is not None and r.role not in fact.answerable:
            continue
        roles.append(r.role)
        if r.scope == "any" or view is not None:
            found = holders.of(r.role, r.scope, subject, on)
        else:
            found = holders.in_unit(r.role, fact.department)
        for person_id in found:
            if person_id not in people:
                people.append(person_id)
    return tuple(people), tuple(roles)
