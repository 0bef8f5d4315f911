"""Several writers on one journal: nothing is lost, the chain holds, conflicts are retried."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

import journal_rules as jr
from journal_rules.commands import EnterMarks
from journal_rules.events import journal_stream, replay_journal
from journal_rules.testing import build_faculty, demo_clock

JOURNAL = "anat/101/2025-1"


@pytest.mark.parametrize("shared_gradebook", [True, False])
def test_threads_lose_no_marks(ruleset: jr.Ruleset, shared_gradebook: bool) -> None:
    store = jr.MemoryStore()
    clock = demo_clock()
    first = jr.Gradebook.for_ruleset(store, ruleset, clock=clock)
    build_faculty(first, clock)
    clock.set(datetime(2025, 10, 15, 12, tzinfo=UTC))  # after every class day marked below
    books = [first if shared_gradebook else jr.Gradebook.for_ruleset(store, ruleset, clock=clock)
             for _ in range(4)]
    days = [date(2025, 9, 1) + timedelta(days=i) for i in range(40)]
    errors: list[BaseException] = []

    def write(book: jr.Gradebook, mine: list[date]) -> None:
        try:
            for day in mine:
                book.execute("t-anat", EnterMarks(JOURNAL, day, {"s10101": "70"}))
        except BaseException as exc:  # reported below, in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(book, days[i::4]))
               for i, book in enumerate(books)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    state = replay_journal(store.read(journal_stream(JOURNAL)), ruleset.policy)
    assert {d for (_, d, _) in state.grid} == set(days)
    assert jr.verify_store(store) == []
