"""Helpers shared by the test folders (the fixtures themselves are in tests/conftest.py)."""

from __future__ import annotations

import journal_rules as jr


def copy_store(store: jr.Storage, order: list[str] | None = None) -> jr.MemoryStore:
    """A fresh memory store holding ``store``'s events (its streams in ``order`` if given), to
    change without touching a shared one."""
    out = jr.MemoryStore()
    for name in order or [info.name for info in store.streams()]:
        out.append(name, 0, list(store.read(name)))
    return out
