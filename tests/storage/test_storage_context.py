"""``with store:`` closes the store on the way out, whatever happens in the block."""

from __future__ import annotations

import pytest

import journal_rules as jr


class _Counting(jr.MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_a_with_block_gives_the_store_and_closes_it_once() -> None:
    store = _Counting()
    with store as entered:
        assert entered is store
        assert store.closed == 0
    assert store.closed == 1
    with pytest.raises(ValueError, match="inside"), store:
        raise ValueError("inside")
    assert store.closed == 2


def test_open_store_is_a_context_manager(tmp_path: object) -> None:
    url = f"tinydb://{tmp_path}/store"
    with jr.open_store(url) as store:
        assert isinstance(store, jr.Storage)
        assert store.streams() == []
