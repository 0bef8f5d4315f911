"""Time only moves forward: a gradebook refuses a clock that reads before what is recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import journal_rules as jr
from journal_rules.commands import CloseJournal, EnterMarks, HoldClass
from journal_rules.events import journal_stream
from journal_rules.testing import demo_gradebook

JOURNAL = "anat/101/2025-1"


class WallClock:
    """A clock that is not a ManualClock (as the machine's clock is), set by hand for the test."""

    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


def _recorded() -> jr.MemoryStore:
    store = jr.MemoryStore()
    demo_gradebook(store)  # the demo term: marks, closings, a reopening, to late October
    return store


def _count(store: jr.Storage) -> int:
    return sum(i.version for i in store.streams())


def test_a_closing_backdated_before_recorded_events_is_refused() -> None:
    store = _recorded()
    book = jr.Gradebook.for_ruleset(store, jr.default_ruleset(), clock=WallClock(
        datetime.fromisoformat("2025-10-24T10:00:00+05:00")))
    latest = max(e.recorded_at for e in store.read(journal_stream(JOURNAL)))
    assert latest > book.clock.now()  # the demo's reopening, on 25 October
    before = _count(store)
    with pytest.raises(jr.ClockWentBack) as info:
        book.execute("t-anat", CloseJournal(JOURNAL, "current-1"))
    assert isinstance(info.value, jr.JournalRulesError)
    assert info.value.latest == latest
    assert f"journal {JOURNAL!r}" in str(info.value)
    assert "nothing was written" in str(info.value)
    assert _count(store) == before
    # Another journal's stream is behind the clock, but the gradebook has seen later events.
    with pytest.raises(jr.ClockWentBack, match="this gradebook"):
        book.execute("t-anat", EnterMarks("anat/102/2025-1",
                                             datetime(2025, 10, 20).date(), {"s10201": "70"}))
    assert _count(store) == before


def test_a_clock_that_has_caught_up_is_accepted() -> None:
    store = _recorded()
    latest = max(e.recorded_at for e in store.read_recorded())
    clock = WallClock(latest + timedelta(minutes=1))
    book = jr.Gradebook.for_ruleset(store, jr.default_ruleset(), clock=clock)
    events = book.execute("t-anat", HoldClass(JOURNAL, latest.date(), "Повторение"))
    assert events[0].recorded_at == clock.now()


def test_a_manual_clock_is_held_to_it_when_asked() -> None:
    store = _recorded()
    clock = jr.ManualClock(datetime.fromisoformat("2025-10-24T10:00:00+05:00"))
    replay = jr.Gradebook.for_ruleset(store, jr.default_ruleset(), clock=clock)
    assert not replay.monotonic  # scripts and generators may write journal after journal
    strict = jr.Gradebook.for_ruleset(store, jr.default_ruleset(), clock=clock, monotonic=True)
    with pytest.raises(jr.ClockWentBack):
        strict.execute("t-anat", CloseJournal(JOURNAL, "current-1"))


def test_a_journal_is_never_written_backwards_even_with_a_manual_clock() -> None:
    store = _recorded()
    clock = jr.ManualClock(datetime.fromisoformat("2025-10-24T10:00:00+05:00"))
    replay = jr.Gradebook.for_ruleset(store, jr.default_ruleset(), clock=clock)
    before = _count(store)
    # The journal's head (its reopening, 25 October) binds every clock ...
    with pytest.raises(jr.ClockWentBack, match=f"journal {JOURNAL!r}"):
        replay.execute("t-anat", CloseJournal(JOURNAL, "current-1"))
    assert _count(store) == before
    # ... while a journal whose own time is behind the clock is written to.
    events = replay.execute("t-anat", HoldClass("anat/102/2025-1",
                                                   datetime(2025, 10, 24).date(), "Повторение"))
    assert len(events) == 1
    assert _count(store) == before + 1
