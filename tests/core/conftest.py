from __future__ import annotations

from datetime import UTC, datetime

import pytest

import journal_rules as jr
from journal_rules.testing import build_faculty, demo_clock


@pytest.fixture(scope="session")
def ruleset() -> jr.Ruleset:
    return jr.default_ruleset()


@pytest.fixture
def faculty(ruleset: jr.Ruleset) -> tuple[jr.Gradebook, jr.ManualClock, jr.MemoryStore]:
    """The demo faculty registered, journals opened, no marks yet; the clock in mid-September
    (marks for a day after today are refused)."""
    store = jr.MemoryStore()
    clock = demo_clock()
    book = jr.Gradebook(store, ruleset.policy, clock=clock)
    build_faculty(book, clock)
    clock.set(datetime(2025, 9, 15, 12, tzinfo=UTC))
    return book, clock, store
