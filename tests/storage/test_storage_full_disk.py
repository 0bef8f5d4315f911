"""A full disk, simulated deterministically: ``os.fsync`` and ``os.replace`` (the points where a
real file system reports ENOSPC for the TinyDB store's writes: delayed allocation surfaces at
fsync, a rename may need a new directory block) raise ``OSError(ENOSPC)`` from the N-th call on,
once (a transient failure) or for good (a disk that stays full), for every N an append reaches.

Whatever happens, an append that reports failure leaves no event behind (not now, not after the
next open), one that returns is all there, and the store verifies."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from journal_rules import StoreError, open_store, verify_store
from journal_rules.storage import StoredEvent, append_all
from journal_rules.testing._conformance import make_events


class DiskFull:
    """Counts fsync and rename calls; from the ``fail_at``-th on, they fail with ENOSPC (only
    that one when not ``persistent``)."""

    def __init__(self, fail_at: int | None, *, persistent: bool) -> None:
        self.fail_at, self.persistent, self.calls, self.failed = fail_at, persistent, 0, 0
        self._fsync, self._replace = os.fsync, os.replace

    def _gate(self) -> None:
        self.calls += 1
        if self.fail_at is not None and (self.calls == self.fail_at or (
                self.persistent and self.calls > self.fail_at)):
            self.failed += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fsync(self, fd: int) -> None:
        self._gate()
        self._fsync(fd)

    def replace(self, src: Any, dst: Any) -> None:
        self._gate()
        self._replace(src, dst)


@contextmanager
def disk(monkeypatch: pytest.MonkeyPatch, full: DiskFull) -> Iterator[DiskFull]:
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", full.fsync)
        patch.setattr(os, "replace", full.replace)
        yield full


def _records(events: Iterator[StoredEvent] | list[StoredEvent]) -> list[dict[str, Any]]:
    return [e.to_record() for e in events]


def _stray_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name == "pending.json" or p.name.endswith(".tmp"))


def _scenario(folder: Path) -> tuple[str, list[StoredEvent], Callable[[Any], None],
                                     list[StoredEvent]]:
    """A store with 6 events in stream a (segments of 4), and an append over three streams that
    extends a's second segment, starts a third one and creates b and c."""
    url = f"tinydb://{folder}?segment_size=4"
    store = open_store(url)
    base = make_events("a", 6)
    store.append("a", 0, base)
    store.close()
    more_a = make_events("a", 5, after=base[-1])
    new_b, new_c = make_events("b", 3), make_events("c", 1)

    def attempt(opened: Any) -> None:
        append_all(opened, [("a", 6, more_a), ("b", 0, new_b), ("c", 0, new_c)])

    return url, base, attempt, [*more_a, *new_b, *new_c]


def _fault_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    url, _, attempt, _ = _scenario(tmp_path / "count")
    store = open_store(url)
    with disk(monkeypatch, DiskFull(None, persistent=False)) as counting:
        attempt(store)
    return counting.calls


@pytest.mark.slow
@pytest.mark.parametrize("persistent", [False, True], ids=["transient", "stays-full"])
def test_a_failed_append_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               persistent: bool) -> None:
    points = _fault_points(tmp_path, monkeypatch)
    assert points > 10  # pending record, segments, heads, index, directories
    outcomes = {"failed": 0, "acknowledged": 0}
    for fail_at in range(1, points + 2):
        folder = tmp_path / f"n{fail_at}"
        url, base, attempt, added = _scenario(folder)
        store = open_store(url)
        with disk(monkeypatch, DiskFull(fail_at, persistent=persistent)) as full:
            try:
                attempt(store)
                acknowledged = True
            except StoreError:
                acknowledged = False
            if not acknowledged and persistent:
                # Readers on a disk that is still full: the old events or a clear error.
                try:
                    seen = _records(store.read("a"))
                except StoreError:
                    seen = None
                assert seen in (None, _records(base)), fail_at
                try:
                    count: int | None = len(list(store.read_recorded()))
                except StoreError:
                    count = None
                assert count in (None, len(base)), fail_at
        outcomes["acknowledged" if acknowledged else "failed"] += 1
        # The last point is the directory sync after the commit point: the append stands.
        assert acknowledged == (full.failed == 0 or fail_at == points), fail_at
        reopened = open_store(url)  # the disk has room again
        expected = [*base, *added] if acknowledged else base
        assert _records(reopened.read("a")) == _records(
            [e for e in expected if e.stream == "a"]), fail_at
        names = [i.name for i in reopened.streams()]
        assert names == (["a", "b", "c"] if acknowledged else ["a"]), (fail_at, names)
        assert len(list(reopened.read_recorded())) == len(expected), fail_at
        assert verify_store(reopened) == [], fail_at
        assert _stray_files(folder) == [], fail_at
        # The store goes on: the same append now succeeds (or is, rightly, a conflict).
        if not acknowledged:
            attempt(reopened)
            assert len(list(reopened.read_recorded())) == len(base) + len(added)
    assert outcomes == {"failed": points - 1, "acknowledged": 2}
