"""The audit's performance paths give the answers of the plain ones (journal_rules._rules)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

import journal_rules as jr
from journal_rules._events import payload_of
from journal_rules._rules._audit import responsible
from journal_rules._rules._calendar import Calendar
from journal_rules._rules._engine import CompiledRules
from journal_rules._rules._facts import Fact, journal_view, read_world
from journal_rules._scopes import Holders, Subject, in_scope
from journal_rules.storage import StoredEvent, StreamInfo
from journal_rules.testing import demo_clock, generate_university

RULESET = jr.default_ruleset()
LATE = {("late", "violation"): {"$and": [{"rule": "late"}, {"$gt": {"elapsed": 3}}]}}


@pytest.fixture(scope="module")
def university() -> tuple[jr.MemoryStore, date]:
    store = jr.MemoryStore()
    generate_university(store, RULESET.policy, students=240, seed=5, reopen_rate=0.3,
                           substitution_rate=0.3)
    return store, date(2026, 2, 1)


def _scan(rule_responsible: tuple, world: object, view: object,
          fact: Fact) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The people responsible by asking the scope of everyone (what ``Holders`` narrows and
    memoises)."""
    directory = world.directory  # type: ignore[attr-defined]
    people: list[str] = []
    roles: list[str] = []
    for r in rule_responsible:
        roles.append(r.role)
        for person in sorted((p for p in directory.people.values() if r.role in p.roles),
                             key=lambda p: p.id):
            if r.scope == "any":
                ok = True
            elif view is None:
                ok = fact.department is None or fact.department in person.units
            else:
                on = fact.on or world.as_of  # type: ignore[attr-defined]
                ok = in_scope(r.scope, person, Subject(view.spec), on,  # type: ignore[attr-defined]
                              directory)
            if ok and person.id not in people:
                people.append(person.id)
    return tuple(people), tuple(roles)


def test_responsible_people_are_those_a_scan_of_everyone_finds(
        university: tuple[jr.MemoryStore, date]) -> None:
    store, as_of = university
    report = jr.audit(store, RULESET, as_of)
    world = read_world(store, as_of, Calendar(RULESET.calendar))
    rules = {r.id: r for r in RULESET.rules}
    holders = Holders(world.directory)
    checked = 0
    for finding in report.findings:
        rule = rules[finding.rule_id]
        view = world.journals.get(finding.journal or "")
        fact = Fact({}, {}, finding.subject_kind, finding.subject, due=finding.due,
                    journal=finding.journal, control=finding.control,
                    department=finding.department, person=finding.person,
                    on=_on(finding, view))
        expected = _scan(rule.responsible, world, view, fact)
        assert responsible(rule, fact, holders=holders, view=view, as_of=as_of) == expected
        checked += 1
    assert checked > 50
    # A substitute is responsible on the days of the substitution, and only then.
    close = rules["close-deadline"]
    covered = 0
    for journal, subs in world.directory.substitutions.items():
        view = world.journals[journal]
        for sub in subs:
            for on in (sub.starts, sub.ends, sub.ends + timedelta(days=1)):
                fact = Fact({}, {}, "journal", journal, journal=journal, on=on,
                            department=view.department)
                people, roles = responsible(close, fact, holders=holders, view=view,
                                            as_of=as_of)
                assert (people, roles) == _scan(close.responsible, world, view, fact)
                covered += sub.substitute in people
    assert covered >= 2
    reported = {f.rule_id for f in (*report.findings, *report.register)}
    assert reported >= {"close-deadline", "review-deadline", "reopen-register"}


def _on(finding: jr.Finding, view: object) -> date | None:
    for key in ("on", "day", "due"):
        value = finding.facts.get(key)
        if isinstance(value, str):
            return date.fromisoformat(value)
    return finding.due


def test_journal_view_aggregates_marks_as_the_typed_payloads_say(
        university: tuple[jr.MemoryStore, date]) -> None:
    store, _ = university
    calendar = Calendar(RULESET.calendar)
    directory = jr.Gradebook(store, RULESET.policy, clock=demo_clock()).directory
    names = [i.name for i in store.streams() if i.name.startswith("journal:")][:40]
    for name in names:
        events = list(store.read(name))
        view = journal_view(events, directory, calendar, None)
        assert view is not None
        expected: dict[str, dict[date, date]] = {}
        for event in events:
            if event.type != "marks_entered":
                continue
            payload = payload_of(event)
            day = calendar.local_date(event.recorded_at)
            days = expected.setdefault(payload.control, {})
            for cell in payload.cells:
                if cell.on not in days or day < days[cell.on]:
                    days[cell.on] = day
        assert view.first_entry == expected
        assert [e.type for e in view.events] == [e.type for e in events]
        opened = view.events[0]
        assert opened.payload == payload_of(events[0])


class _Watched(jr.MemoryStore):
    """A store that notes whether the collector ran while the audit read it, and can fail."""

    def __init__(self, source: jr.MemoryStore, *, fail: bool = False) -> None:
        super().__init__()
        self._source = source
        self.fail = fail
        self.collector: list[bool] = []

    def streams(self) -> list[StreamInfo]:
        self.collector.append(gc.isenabled())
        if self.fail:
            raise jr.StoreError("the disk went away")
        return self._source.streams()

    def read(self, stream: str, start: int = 1) -> Iterator[StoredEvent]:
        return self._source.read(stream, start)


def test_the_garbage_collector_pause_is_opt_in_and_scoped(
        university: tuple[jr.MemoryStore, date]) -> None:
    store, as_of = university
    assert gc.isenabled()
    plain = _Watched(store)
    report = jr.audit(plain, RULESET, as_of)
    assert plain.collector == [True]  # by default the audit leaves the collector alone
    assert gc.isenabled()
    paused = _Watched(store)
    assert jr.audit(paused, RULESET, as_of, pause_gc=True) == report
    assert paused.collector == [False]  # paused within ...
    assert gc.isenabled()  # ... restored after
    failing = _Watched(store, fail=True)
    with pytest.raises(jr.StoreError):
        jr.audit(failing, RULESET, as_of, pause_gc=True)
    assert failing.collector == [False]
    assert gc.isenabled()  # restored when the audit fails
    gc.disable()
    try:
        jr.audit(paused, RULESET, as_of, pause_gc=True)
        assert not gc.isenabled()  # a collector that was off stays off
    finally:
        gc.enable()


def test_sessions_of_facts_that_match_nothing_neither_crash_nor_leak() -> None:
    """durable_rules aborts on deleting, and leaks when not deleting, a session that received
    only unmatched facts: every session is anchored first."""
    engine = CompiledRules(LATE)
    for n in range(3000):
        assert engine.evaluate([{"id": f"x{n}", "rule": "late", "elapsed": 1}]) == []
    assert engine.stats["unmatched"] == 3000
    assert engine.stats["facts"] == 3000
    fired = engine.evaluate([{"id": "a", "rule": "late", "elapsed": 9},
                             {"id": "b", "rule": "other"}])
    assert [(f.rule_id, f.fact_id) for f in fired] == [("late", "a")]
