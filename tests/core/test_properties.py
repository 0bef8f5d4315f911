"""Lifecycle and log invariants under random command sequences (hypothesis)."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

import journal_rules as jr
from journal_rules.commands import (
    ApproveNote,
    CloseJournal,
    Command,
    CorrectMark,
    EnterMarks,
    FormGradeSheet,
    GiveVisa,
    RejectNote,
    Reopen,
    SubmitNote,
)
from journal_rules.events import EventLog, journal_stream, replay_journal
from journal_rules.model import ExplanatoryNote
from journal_rules.storage import NewEvent
from journal_rules.testing import build_faculty

JOURNAL = "anat/101/2025-1"
CONTROLS = ["current-1", "milestone-1"]
STUDENTS = [f"s101{i:02d}" for i in range(1, 6)]
PEOPLE = ["t-anat", "t-anat2", "t-bio", "head-anat", "head-bio", "curator", "dean", "or-senior",
          "or-head", "or-insp", "nobody"]
NOTE = ExplanatoryNote(date(2025, 9, 3), "ошибка", ["практика"], date(2025, 9, 3), "причина")

marks = st.one_of(st.integers(-5, 105).map(str), st.sampled_from(["н/б", "О", "нб", "7.5"]))
days = st.dates(date(2025, 9, 1), date(2025, 10, 31))
controls = st.sampled_from([CONTROLS[0]] * 5 + [CONTROLS[1]])  # mostly one, to go deep
commands = st.one_of(
    st.builds(EnterMarks, st.just(JOURNAL), days,
              st.dictionaries(st.sampled_from(STUDENTS), marks, min_size=1, max_size=3)),
    st.builds(CorrectMark, st.just(JOURNAL), st.sampled_from(STUDENTS), days, marks,
              st.sampled_from([None, "описка"])),
    st.builds(CloseJournal, st.just(JOURNAL), controls),
    st.builds(SubmitNote, st.just(JOURNAL), controls, st.just(NOTE)),
    st.builds(GiveVisa, st.just(JOURNAL), controls,
              st.sampled_from(["department_head", "curation_dean", "school_dean", "teacher"])),
    st.builds(ApproveNote, st.just(JOURNAL), controls),
    st.builds(RejectNote, st.just(JOURNAL), controls, st.sampled_from([None, "нет"])),
    st.builds(Reopen, st.just(JOURNAL), controls),
    st.builds(FormGradeSheet, st.just(JOURNAL), controls),
)
# Who would usually send each command; a step sometimes picks anyone else instead.
LIKELY = {EnterMarks: ["t-anat"], CorrectMark: ["t-anat"], CloseJournal: ["t-anat"],
          SubmitNote: ["t-anat"], FormGradeSheet: ["t-anat"],
          ApproveNote: ["or-senior", "or-head"], RejectNote: ["or-senior"],
          Reopen: ["or-head"], GiveVisa: ["head-anat", "curator", "dean"]}
VISA_OF = {"head-anat": "department_head", "curator": "curation_dean", "dean": "school_dean"}


@st.composite
def step(draw: st.DrawFn) -> tuple[str, Command]:
    command = draw(commands)
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(PEOPLE)), command
    actor = draw(st.sampled_from(LIKELY[type(command)]))
    if isinstance(command, GiveVisa) and draw(st.integers(0, 4)) > 0:
        command = GiveVisa(command.journal, command.control, VISA_OF[actor])
    return actor, command


@st.composite
def procedure(draw: st.DrawFn) -> list[tuple[str, Command]]:
    """The whole reopening procedure on one control, sometimes with one step left out."""
    control = draw(controls)
    block: list[tuple[str, Command]] = [
        ("t-anat", CloseJournal(JOURNAL, control)),
        ("t-anat", SubmitNote(JOURNAL, control, NOTE)),
        *[(who, GiveVisa(JOURNAL, control, role)) for who, role in VISA_OF.items()],
        ("or-senior", ApproveNote(JOURNAL, control)),
        ("or-head", Reopen(JOURNAL, control)),
        ("t-anat", CorrectMark(JOURNAL, STUDENTS[0], date(2025, 9, 2), "90", "описка")),
    ]
    skip = draw(st.integers(-len(block), len(block) - 1))
    return [s for i, s in enumerate(block) if i != skip]


steps = st.lists(st.one_of(step().map(lambda s: [s]), procedure()), min_size=1,
                 max_size=25).map(lambda blocks: [s for block in blocks for s in block])


@functools.cache
def _ruleset() -> jr.Ruleset:
    return jr.default_ruleset()


def _fresh(ruleset: jr.Ruleset) -> tuple[jr.Gradebook, jr.ManualClock, jr.MemoryStore]:
    store = jr.MemoryStore()
    clock = jr.ManualClock(datetime(2025, 8, 20, 9, tzinfo=UTC))
    book = jr.Gradebook(store, ruleset.policy, clock=clock)
    build_faculty(book, clock)
    # The term's class days have come: marks for a day after today are refused (no-future-marks).
    clock.set(datetime(2025, 11, 1, 9, tzinfo=UTC))
    return book, clock, store


def _count(store: jr.Storage) -> int:
    return sum(i.version for i in store.streams())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps)
def test_invariants_of_any_command_sequence(steps: list[tuple[str, Command]]) -> None:
    ruleset = _ruleset()
    book, clock, store = _fresh(ruleset)
    writable = {"open", "reopened"}
    for actor, command in steps:
        clock.advance(timedelta(hours=7))
        before_events = _count(store)
        state = book.journal(JOURNAL)
        before_grid = dict(state.grid)
        before_states = {c: s.state for c, s in state.controls.items()}
        try:
            written = book.execute(actor, command)
        except (jr.CommandRefused, jr.InvalidInput):
            # A command that fails leaves no event and no change of state.
            assert _count(store) == before_events
            assert book.journal(JOURNAL).grid == before_grid
            continue
        assert _count(store) == before_events + len(written)
        for event in written:
            assert event.actor == actor
            assert event.recorded_at == clock.now()
        after = book.journal(JOURNAL)
        changed = {key[2] for key in set(after.grid) | set(before_grid)
                   if after.grid.get(key) != before_grid.get(key)}
        # Marks change only in states that allow it.
        assert all(before_states[c] in writable for c in changed)
    # Replaying the stream rebuilds the same state; so does a new gradebook on the same store.
    replayed = replay_journal(store.read(journal_stream(JOURNAL)), ruleset.policy)
    assert replayed.snapshot() == book.journal(JOURNAL).snapshot()
    again = jr.Gradebook(store, ruleset.policy, clock=clock)
    assert again.journal(JOURNAL).snapshot() == book.journal(JOURNAL).snapshot()
    assert replayed.anomalies == []
    assert jr.verify_store(store) == []


@settings(max_examples=50, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=1, max_size=6), stale=st.integers(0, 30))
def test_a_conflicting_expected_version_is_refused(sizes: list[int], stale: int) -> None:
    store = jr.MemoryStore()
    log = EventLog(store)
    at = datetime(2025, 9, 1, tzinfo=UTC)
    for n in sizes:
        log.append("s", [NewEvent("backup_made", "it", at) for _ in range(n)])
    total = sum(sizes)
    head = list(store.read("s"))[-1]
    wrong = stale if stale != total else total + 1
    batch = NewEvent("backup_made", "it", at)
    from journal_rules.storage import StoredEvent

    numbered = [StoredEvent("s", wrong + 1, batch.type, batch.actor, batch.recorded_at, None,
                            None, {}, head.hash, head.hash)]
    with pytest.raises(jr.VersionConflict) as caught:
        store.append("s", wrong, numbered)
    assert (caught.value.expected, caught.value.actual) == (wrong, total)
    assert [e.version for e in store.read("s")] == list(range(1, total + 1))
