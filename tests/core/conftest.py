from __future__ import annotations

import pytest

import journal_rules as jr


@pytest.fixture(scope="session")
def ruleset() -> jr.Ruleset:
    return jr.default_ruleset()


@pytest.fixture
def faculty(ruleset: jr.Ruleset) -> tuple[jr.Gradebook, jr.ManualClock, jr.MemoryStore]:
    """The demo faculty registered, journals opened, no marks yet."""
    store = jr.MemoryStore()
    clock = jr.demo_clock()
    book = jr.Gradebook(store, ruleset.policy, clock=clock)
    jr.build_faculty(book, clock)
    return book, clock, store
