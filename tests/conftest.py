"""Shared test data, built once per session when first asked for (never at import): stores of the
demo worlds. They are read, never written: a test that changes a store changes a copy
(``tests._shared.copy_store``)."""

from __future__ import annotations

import pytest

import journal_rules as jr
from journal_rules.testing import build_faculty, demo_clock, demo_gradebook


@pytest.fixture(scope="session")
def faculty_store() -> jr.MemoryStore:
    """The demo faculty registered and its journals opened, nothing recorded in them."""
    store = jr.MemoryStore()
    clock = demo_clock()
    build_faculty(jr.Gradebook.for_ruleset(store, jr.default_ruleset(), clock=clock), clock)
    return store


@pytest.fixture(scope="session")
def demo_store() -> jr.MemoryStore:
    """The demo faculty and its recorded term (``demo_gradebook``)."""
    store = jr.MemoryStore()
    demo_gradebook(store, jr.default_ruleset())
    return store
