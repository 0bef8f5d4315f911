"""TinyDB store specifics: bounded write cost, redo after a crash mid-apply, two processes."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import journal_rules_tinydb._store as tiny_module
from journal_rules import StoreError, open_store, verify_store
from journal_rules.testing import make_events
from journal_rules.testing._conformance import T0, _process_writer
from journal_rules_tinydb import TinyDBStore


def _writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record every durable write the store makes: (file, bytes)."""
    seen: list[tuple[str, int]] = []
    real_atomic, real_append = tiny_module.write_atomic, tiny_module.append_durable

    def atomic(path: str, text: str, **options: bool) -> None:
        seen.append((path, len(text.encode("utf-8"))))
        real_atomic(path, text, **options)

    def append(path: str, text: str) -> None:
        seen.append((path, len(text.encode("utf-8"))))
        real_append(path, text)

    monkeypatch.setattr(tiny_module, "write_atomic", atomic)
    monkeypatch.setattr(tiny_module, "append_durable", append)
    monkeypatch.setattr("journal_rules_tinydb._files.write_atomic", atomic)
    return seen


def _cost(store: TinyDBStore, stream: str, monkeypatch: pytest.MonkeyPatch) -> int:
    head = list(store.read(stream, max((i.version for i in store.streams()
                                        if i.name == stream), default=1)))
    after = head[-1] if head else None
    seen = _writes(monkeypatch)
    store.append(stream, 0 if after is None else after.version,
                 make_events(stream, 1, after=after))
    monkeypatch.undo()
    return sum(size for _, size in seen)


def test_one_append_costs_the_same_in_a_small_and_a_big_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small, big = TinyDBStore(tmp_path / "small"), TinyDBStore(tmp_path / "big")
    small.append("journal:0", 0, make_events("journal:0", 10))
    for k in range(4):  # 20,000 events in four streams
        big.append(f"journal:{k}", 0, make_events(f"journal:{k}", 5000))
    # A new stream, and the next event of a stream: the same bytes whatever the store holds.
    # (The undo record holds the size of the day's index file: a few digits more or less.)
    assert abs(_cost(small, "journal:new", monkeypatch)
               - _cost(big, "journal:new", monkeypatch)) <= 16
    stream_bytes = sum(p.stat().st_size for p in Path(big.stream_path("journal:0")).iterdir())
    cost = _cost(big, "journal:0", monkeypatch)
    assert cost < stream_bytes / 20, (cost, stream_bytes)  # one segment, not the stream


def test_a_batch_interrupted_mid_apply_is_taken_back_by_the_next_opener(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer killed after its segments and head, before the index: it never confirmed, so
    the next opener takes the batch back out (the undo record says what was there before)."""
    store = TinyDBStore(tmp_path / "s", segment_size=4)
    store.append("s", 0, make_events("s", 3))
    batch = make_events("s", 6, after=list(store.read("s"))[-1])

    def die(self: TinyDBStore, *args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # as if killed after the segments, before the index

    monkeypatch.setattr(TinyDBStore, "_apply_index", die)
    monkeypatch.setattr(TinyDBStore, "_rollback", lambda self, plan: None)  # killed: no undo
    with pytest.raises(KeyboardInterrupt):
        store.append("s", 3, batch)
    monkeypatch.undo()
    assert (tmp_path / "s" / "pending.json").exists()
    assert len(list(Path(store.stream_path("s")).glob("seg-*.json"))) == 3
    again = TinyDBStore(tmp_path / "s")
    assert not (tmp_path / "s" / "pending.json").exists()
    assert [e.version for e in again.read("s")] == [1, 2, 3]
    assert len(list(Path(store.stream_path("s")).glob("seg-*.json"))) == 1
    assert len(list(again.read_recorded())) == 3
    assert verify_store(again) == []
    again.append("s", 3, batch)  # and the same batch goes in
    assert [e.version for e in again.read("s")] == list(range(1, 10))


def test_an_undo_record_cut_off_before_its_rename_is_deleted_by_the_next_opener(
        tmp_path: Path) -> None:
    """A writer killed while writing its undo record leaves only the temporary file: nothing of
    its append was written, so the next opener deletes the file and the store is as it was."""
    store = TinyDBStore(tmp_path / "s")
    store.append("s", 0, make_events("s", 3))
    torn = tmp_path / "s" / "pending.json.99999.tmp"
    torn.write_text('{"batches": [{"stream": "s", "exp', encoding="utf-8")
    again = TinyDBStore(tmp_path / "s")
    assert not torn.exists()
    assert not (tmp_path / "s" / "pending.json").exists()
    assert [e.version for e in again.read("s")] == [1, 2, 3]
    assert verify_store(again) == []


def test_a_creation_cut_off_before_its_marker_is_finished_by_the_next_opener(
        tmp_path: Path) -> None:
    """Killed while creating the store, after its folders, before the marker's rename: the
    next opener finishes the creation; a folder holding anything else is still refused."""
    folder = tmp_path / "s"
    (folder / "streams").mkdir(parents=True)
    (folder / "index").mkdir()
    torn = folder / "journal-rules-store.json.4242.tmp"
    torn.write_text('{"format": "jour', encoding="utf-8")
    store = TinyDBStore(folder)
    assert not torn.exists()
    store.append("s", 0, make_events("s", 2))
    assert [e.version for e in TinyDBStore(folder).read("s")] == [1, 2]
    other = tmp_path / "other"
    (other / "streams").mkdir(parents=True)
    (other / "notes.tmp").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match="not a journal-rules TinyDB store"):
        TinyDBStore(other)
    assert (other / "notes.tmp").exists()


def test_a_torn_index_line_is_cut_when_the_append_fails(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    store = TinyDBStore(tmp_path / "s")
    store.append("s", 0, make_events("s", 2))
    real = tiny_module.append_durable

    def torn(path: str, text: str) -> None:
        real(path, text[: len(text) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(tiny_module, "append_durable", torn)
    with pytest.raises(KeyboardInterrupt):
        store.append("s", 2, make_events("s", 3, after=list(store.read("s"))[-1]))
    monkeypatch.undo()
    assert [e.version for e in store.read_recorded()] == [1, 2]  # it failed: nothing of it
    assert [e.version for e in store.read("s")] == [1, 2]
    assert verify_store(store) == []


def test_two_processes_lose_nothing(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path}/s"
    open_store(url).close()
    import functools

    opener = functools.partial(open_store, url)
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_process_writer, args=(opener, name, 60))
                 for name in ("a", "b")]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
        process.close()
    store = open_store(url)
    shared = list(store.read("shared"))
    assert [e.version for e in shared] == list(range(1, 121))
    for name in ("a", "b"):
        assert sorted(e.data["i"] for e in shared if e.actor == name) == list(range(60))
    assert verify_store(store) == []


def test_user_errors_name_the_file(tmp_path: Path) -> None:
    store = TinyDBStore(tmp_path / "s")
    store.append("s", 0, make_events("s", 2))
    (Path(store.stream_path("s")) / "head.json").write_text("[1, 2", "utf-8")
    with pytest.raises(StoreError, match=r"head\.json"):
        store.append("s", 2, [])
    (tmp_path / "s" / "journal-rules-store.json").write_text('{"format": "x"}', "utf-8")
    with pytest.raises(StoreError, match=r"journal-rules-store\.json"):
        TinyDBStore(tmp_path / "s")


def test_read_recorded_reads_only_the_days_asked_for(tmp_path: Path) -> None:
    store = TinyDBStore(tmp_path / "s")
    store.append("s", 0, make_events("s", 30, step=timedelta(hours=12)))
    index = sorted(p.name for p in (tmp_path / "s" / "index").iterdir())
    assert len(index) == 15
    day = [e.version for e in store.read_recorded(T0 + timedelta(days=3),
                                                  T0 + timedelta(days=4))]
    assert day == [7, 8]
