"""The audit: findings, pending obligations and sanctions over a store, as of a date.

Deterministic for a given log and ``as_of``: only events recorded by the end of ``as_of`` (in the
university's time) are read, journals are taken in id order, facts carry stable ids, and findings
are sorted. One engine session per journal (and per group of registry facts) keeps sessions small.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from journal_rules._decision import AuditReport, Finding, FindingKind, Sanction
from journal_rules._journal import JournalState
from journal_rules._model import Person
from journal_rules._ruleset import Ruleset
from journal_rules._storage import Storage

from ._calendar import Calendar
from ._engine import CompiledRules, Firing, engine_for
from ._facts import Fact, JournalView, World, read_world
from .kinds import RuleBase, Verdicts


class _GCPause:
    """Pause Python's cyclic garbage collector while audits run (reference counting still frees
    everything at once; the audit makes no cycles). An audit holds hundreds of thousands of live
    objects: at full university size the collector's repeated passes over them cost about 40% of
    the audit's time. Nested and concurrent audits share one pause; the last one out restores
    the collector as it was."""

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


_cyclic_gc_paused = _GCPause()


def audit(store: Storage, ruleset: Ruleset, as_of: date) -> AuditReport:
    """Audit ``store`` as of the end of ``as_of`` under ``ruleset``."""
    with _cyclic_gc_paused():
        return _audit(store, ruleset, as_of)


def _audit(store: Storage, ruleset: Ruleset, as_of: date) -> AuditReport:
    calendar = Calendar(ruleset.calendar)
    world = read_world(store, as_of, calendar)
    engine = engine_for(ruleset.content_hash, ruleset.rules)
    findings: list[Finding] = []
    for view in world.journals.values():
        pairs = [(rule, fact) for rule in ruleset.rules
                 for fact in rule.journal_facts(view, world, ruleset.policy)]
        findings.extend(_findings(engine, ruleset, pairs, world, view))
    for rule in ruleset.rules:
        pairs = [(rule, fact) for fact in rule.registry_facts(world)]
        findings.extend(_findings(engine, ruleset, pairs, world, None))
    order = {r.id: i for i, r in enumerate(ruleset.rules)}
    findings.sort(key=lambda f: (order[f.rule_id], f.subject, f.control or "",
                                 f.due or date.min, f.id))
    verdicts = Verdicts(engine, ruleset.ref, ruleset.names())
    sanctions: list[Sanction] = []
    for rule in ruleset.rules:
        sanctions.extend(rule.sanctions(verdicts, world, findings))
    stats = dict(engine.stats)
    return AuditReport(as_of, ruleset.ref, tuple(f for f in findings if f.kind != "register"),
                       tuple(sanctions), stats,
                       register=tuple(f for f in findings if f.kind == "register"))


def _findings(engine: CompiledRules, ruleset: Ruleset, pairs: Sequence[tuple[RuleBase, Fact]],
              world: World, view: JournalView | None) -> list[Finding]:
    if not pairs:
        return []
    by_id = {f.data["id"]: (rule, f) for rule, f in pairs}
    out: list[Finding] = []
    for firing in engine.evaluate([f.data for _, f in pairs]):
        rule, fact = by_id[firing.fact_id]
        out.append(make_finding(ruleset, rule, fact, firing, world=world, view=view))
    return out


def make_finding(ruleset: Ruleset, rule: RuleBase, fact: Fact, firing: Firing, *, world: World,
                 view: JournalView | None) -> Finding:
    pending = firing.outcome == "pending"
    messages = rule.pending if pending and rule.pending is not None else rule.messages
    people, roles = responsible(ruleset, rule, world, view, fact)
    kind: FindingKind = "pending" if pending else \
        "register" if firing.outcome == "register" else "violation"
    return Finding(
        rule_id=rule.id, clauses=rule.clauses, kind=kind,
        severity="info" if pending else rule.severity, subject_kind=fact.subject_kind,
        subject=fact.subject, facts=dict(fact.show), messages=messages, responsible=people,
        responsible_roles=roles, due=fact.due, journal=fact.journal, control=fact.control,
        department=fact.department, person=fact.person, ruleset=ruleset.ref,
        names=ruleset.names().with_phrases(rule.phrases))


def responsible(ruleset: Ruleset, rule: RuleBase, world: World, view: JournalView | None,
                fact: Fact) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The people who hold each responsible role within its scope, for this finding."""
    people: list[str] = []
    roles: list[str] = []
    for r in rule.responsible:
        if fact.answerable is not None and r.role not in fact.answerable:
            continue
        roles.append(r.role)
        for person_id in _holders_in_scope(ruleset, world, r.role, r.scope, view=view,
                                           fact=fact):
            if person_id not in people:
                people.append(person_id)
    return tuple(people), tuple(roles)


def _holders_in_scope(ruleset: Ruleset, world: World, role: str, scope: str, *,
                      view: JournalView | None, fact: Fact) -> tuple[str, ...]:
    """Ids, in id order, of the holders of ``role`` within ``scope`` for a finding on ``view``
    (or, without a journal, in the finding's department). Memoised per audit: the answer depends
    only on the role, the scope, the journal and, for a journal's teacher, the day (a
    substitute covers certain days)."""
    from journal_rules._commands import CloseJournal  # noqa: PLC0415
    from journal_rules._guard import GuardContext, _in_scope  # noqa: PLC0415

    on = fact.on or world.as_of
    if scope == "any":
        key: tuple[Any, ...] = (role, scope)
    elif view is None:
        key = (role, scope, None, fact.department)
    else:
        key = (role, scope, view.spec.id, on if scope == "journal_teacher" else None)
    found = world.memo.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    holders = _role_index(world).get(role, {})
    everyone: list[Person] = holders.get(None, [])
    if scope == "any":
        result = tuple(p.id for p in everyone)
    elif view is None:
        result = tuple(p.id for p in everyone
                       if fact.department is None or fact.department in p.units)
    else:
        state = JournalState(ruleset.policy.lifecycle)
        state.spec = view.spec
        context = GuardContext("", None, CloseJournal(view.spec.id, ""), "close", on,
                               datetime.combine(on, datetime.min.time()), world.directory,
                               state)
        candidates = _candidates(scope, role, everyone, holders, view=view, world=world)
        result = tuple(p.id for p in candidates if _in_scope(scope, p, context))
    world.memo[key] = result
    return result


def _role_index(world: World) -> dict[str, dict[str | None, list[Person]]]:
    """Role -> org unit -> holders in id order; under ``None`` every holder of the role."""
    index = world.memo.get("roles")
    if index is None:
        index = {}
        for person in sorted(world.directory.people.values(), key=lambda p: p.id):
            for role in person.roles:
                by_unit = index.setdefault(role, {None: []})
                by_unit[None].append(person)
                for unit in person.units:
                    by_unit.setdefault(unit, []).append(person)
        world.memo["roles"] = index
    return index


def _candidates(scope: str, role: str, everyone: list[Person],
                holders: dict[str | None, list[Person]], *, view: JournalView,
                world: World) -> list[Person]:
    """Holders that may be in ``scope`` for this journal: a superset of those who are (each is
    still checked with the guard's own scope test), narrowed by what the scope looks at."""
    spec = view.spec
    directory = world.directory
    if scope == "journal_teacher":
        ids = set(spec.teachers) | {s.substitute for s in directory.substitutions.get(spec.id, ())}
        return [p for p in (directory.people.get(i) for i in sorted(ids))
                if p is not None and role in p.roles]
    if scope == "journal_department":
        try:
            department = directory.journal_department(spec)
        except (LookupError, ValueError):
            return []
        return holders.get(department, [])
    if scope in ("journal_school", "group_curation"):
        group = directory.groups.get(spec.group)
        if group is None:
            return []
        ids = {p.id for p in holders.get(group.school, [])}
        if scope == "group_curation" and group.curation_dean is not None:
            ids.add(group.curation_dean)
        return [p for p in everyone if p.id in ids]
    return everyone
