"""The storage conformance suite: one set of tests that every :class:`Storage` must pass.

Use it from a pytest module of your adapter::

    import functools
    import pytest
    from journal_rules import open_store
    from journal_rules.testing import StorageConformance

    class TestMyStore(StorageConformance):
        @pytest.fixture
        def make_store(self, tmp_path):
            # Each call opens a new handle on the *same* fresh store; the suite closes handles.
            return functools.partial(open_store, f"mystore://{tmp_path}/db")

Set ``shared_across_processes = False`` on the subclass when two processes cannot open one
store (an in-memory store); the opener must then be picklable only if it is True.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal_rules import Storage, StoreError, VersionConflict, verify_store
from journal_rules._storage import chain
from journal_rules.events import EventLog
from journal_rules.storage import (
    CHECKPOINT_STREAM,
    NewEvent,
    SigningKey,
    StoredEvent,
    StreamInfo,
    append_all,
    check_heads,
    make_checkpoint,
)

StoreOpener = Callable[[], Storage]
"""Opens a new handle on one store; every call within a test reaches the same store."""

T0 = datetime(2024, 9, 2, 8, 0, tzinfo=UTC)
UNICODE_SAMPLES = (
    "«н/б»", "«О»", "Әлихан Қасымұлы", "ә ғ қ ң ө ұ ү һ і", "Ә Ғ Қ Ң Ө Ұ Ү Һ І",
    "Ёжиков Ё.Ё.", "emoji 📚✅🎓", "中文", "Ελληνικά", "tab\tnew\nline \"quoted\" \\ /",
)


def make_events(stream: str, count: int, *, after: StoredEvent | None = None,
                start: datetime = T0, step: timedelta = timedelta(minutes=1),
                actor: str = "teacher-1", data: dict[str, Any] | None = None,
                ) -> list[StoredEvent]:
    """``count`` numbered, hash-chained events for ``stream`` after ``after``, one per ``step``."""
    first = 0 if after is None else after.version
    return chain(stream, after, [
        NewEvent(type="mark_entered", actor=actor, recorded_at=start + step * (first + i),
                 occurred_on=(start + step * (first + i)).date(),
                 data={"n": first + i, **(data or {})})
        for i in range(count)
    ])


def append_retrying(store: Storage, stream: str, new: NewEvent) -> StoredEvent:
    """Append one event through :class:`EventLog`, retrying when another writer got there first."""
    log = EventLog(store)
    while True:
        try:
            return log.append(stream, [new])[0]
        except VersionConflict:
            continue


def _records(events: Iterator[StoredEvent] | list[StoredEvent]) -> list[dict[str, Any]]:
    return [e.to_record() for e in events]


def _process_writer(opener: StoreOpener, name: str, count: int) -> None:
    """A child process: ``count`` events to a shared stream (retrying) and to its own stream."""
    store = opener()
    try:
        for i in range(count):
            moment = T0 + timedelta(seconds=i)
            append_retrying(store, "shared", NewEvent("tick", name, moment, data={"i": i}))
            append_retrying(store, f"own:{name}", NewEvent("tick", name, moment, data={"i": i}))
    finally:
        store.close()


_text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                max_size=12)
_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), _text,
                         st.floats(allow_nan=False, allow_infinity=False))
_json = st.recursive(_json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_text, inner, max_size=3)), max_leaves=8)
_moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5)),
                                                   timezone(timedelta(hours=-3, minutes=-30))]))
_new_events = st.builds(
    NewEvent, type=_text.filter(bool), actor=_text.filter(bool), recorded_at=_moments,
    occurred_on=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    reason=st.none() | _text, data=st.dictionaries(_text, _json, max_size=4))
_example_numbers = itertools.count()
_operations = st.lists(st.tuples(st.integers(0, 3), st.integers(-1, 1),
                                 st.lists(_new_events, max_size=4)), min_size=1, max_size=8)


class StorageConformance:
    """The conformance suite as a pytest base class: subclass it and override ``make_store``."""

    shared_across_processes: ClassVar[bool] = True
    """False when a second process cannot open the same store (memory://): skips that test."""

    large_stream: ClassVar[int] = 10_000
    """Events in the large-stream test."""

    @pytest.fixture
    def make_store(self) -> StoreOpener:
        """Override: return a callable opening a new handle on one fresh, empty store."""
        pytest.fail("subclass StorageConformance and override the make_store fixture")

    @pytest.fixture
    def store(self, make_store: StoreOpener) -> Iterator[Storage]:
        opened = make_store()
        yield opened
        opened.close()

    # -- the protocol ---------------------------------------------------------------------------

    def test_is_a_storage(self, store: Storage) -> None:
        assert isinstance(store, Storage)

    def test_with_block_closes_the_handle_and_keeps_the_data(self, make_store: StoreOpener
                                                              ) -> None:
        """``with store:`` gives the store itself and closes it on the way out, even when the
        block raises; a new handle reads what the block wrote."""
        batch = make_events("s", 2)
        with make_store() as store:
            store.append("s", 0, batch)
        def leave_by_raising() -> None:
            with make_store() as store:
                assert [e.version for e in store.read("s")] == [1, 2]
                raise KeyError("leaving the block")

        with pytest.raises(KeyError):
            leave_by_raising()
        with make_store() as store:
            assert store.streams()[0].version == 2

    def test_empty_store(self, store: Storage) -> None:
        assert store.streams() == []
        assert list(store.read("nothing")) == []
        assert list(store.read_recorded()) == []
        assert verify_store(store) == []

    def test_append_then_read_in_order(self, store: Storage) -> None:
        first = make_events("journal:a", 3)
        store.append("journal:a", 0, first)
        second = make_events("journal:a", 4, after=first[-1])
        store.append("journal:a", 3, second)
        assert _records(store.read("journal:a")) == _records(first + second)
        assert [e.version for e in store.read("journal:a", 5)] == [5, 6, 7]
        assert list(store.read("journal:a", 8)) == []
        assert [e.version for e in store.read("journal:a", 0)] == list(range(1, 8))
        assert store.streams() == [StreamInfo("journal:a", 7, second[-1].hash)]

    def test_round_trip_is_exact(self, store: Storage) -> None:
        data = {"mark": 87.5, "big": 10**15, "tiny": 1e-300, "huge": 1e300, "neg": -0.0,
                "flag": True, "none": None, "list": [1, "two", [3.25], {"k": "v"}],
                "nested": {"b": {"a": [None, False]}}, "": "empty key"}
        events = chain("journal:x", None, [
            NewEvent("mark_entered", "t1", T0, occurred_on=date(2024, 9, 1),
                     reason="corrected after appeal", data=data),
            NewEvent("note", "t2", datetime(2024, 9, 2, 13, 0, 0, 1, tzinfo=UTC)),
            NewEvent("closed", "t3", datetime(2024, 9, 2, 18, 30,
                                              tzinfo=timezone(timedelta(hours=5)))),
        ])
        store.append("journal:x", 0, events)
        read = list(store.read("journal:x"))
        assert _records(read) == _records(events)
        assert [e.expected_hash() for e in read] == [e.hash for e in events]
        assert verify_store(store) == []

    def test_unicode_everywhere(self, store: Storage) -> None:
        written: dict[str, list[StoredEvent]] = {}
        for i, text in enumerate(UNICODE_SAMPLES):
            stream = f"journal:{text}:{i}"
            written[stream] = chain(stream, None, [NewEvent(
                type=f"mark {text}", actor=f"ППС {text}", recorded_at=T0 + timedelta(seconds=i),
                reason=f"объяснительная {text}", data={text: text, "mark": "н/б", "list": [text]},
            )])
            store.append(stream, 0, written[stream])
        for stream, events in written.items():
            assert _records(store.read(stream)) == _records(events)
        assert [s.name for s in store.streams()] == sorted(written)
        assert _records(store.read_recorded()) == _records(
            sorted((e for ev in written.values() for e in ev),
                   key=lambda e: (e.recorded_at, e.stream, e.version)))
        assert verify_store(store) == []

    def test_a_signed_checkpoint_verifies(self, store: Storage) -> None:
        """Checkpoints are ordinary events: a store that keeps its promises verifies against
        them, by the full walk and by the fast head check (``read(stream, version)``)."""
        key = SigningKey.generate()
        store.append("journal:a", 0, make_events("journal:a", 5))
        store.append("journal:b", 0, make_events("journal:b", 300))
        first = make_checkpoint(store, key, actor="it", at=T0 + timedelta(days=1))
        store.append("journal:b", 300, make_events(
            "journal:b", 2, after=next(iter(store.read("journal:b", 300))),
            start=T0 + timedelta(days=2)))
        second = make_checkpoint(store, key, actor="it", at=T0 + timedelta(days=3))
        assert (first.seq, second.seq, second.prev) == (1, 2, first.digest)
        assert second.heads["journal:b"][0] == 302
        assert [e.version for e in store.read(CHECKPOINT_STREAM)] == [1, 2]
        assert verify_store(store, public_keys={key.public_key}) == []
        assert check_heads(store, public_keys={key.public_key}) == []

    # -- versions and conflicts ----------------------------------------------------------------

    def test_wrong_expected_version_is_a_conflict(self, store: Storage) -> None:
        events = make_events("s", 2)
        with pytest.raises(VersionConflict) as info:
            store.append("s", 1, make_events("s", 1, after=events[0]))
        assert (info.value.stream, info.value.expected, info.value.actual) == ("s", 1, 0)
        store.append("s", 0, events)
        for expected in (0, 1, 3):
            later = make_events("s", 1, after=events[-1])
            stale = [attrs.evolve(later[0], version=expected + 1)]
            with pytest.raises(VersionConflict) as info:
                store.append("s", expected, stale)
            assert (info.value.expected, info.value.actual) == (expected, 2)
        assert _records(store.read("s")) == _records(events)

    def test_empty_batch_checks_the_version_only(self, store: Storage) -> None:
        store.append("s", 0, [])
        assert store.streams() == []
        with pytest.raises(VersionConflict):
            store.append("s", 1, [])
        store.append("s", 0, make_events("s", 1))
        store.append("s", 1, [])
        with pytest.raises(VersionConflict):
            store.append("s", 0, [])

    def test_bad_batch_stores_nothing(self, store: Storage) -> None:
        base = make_events("s", 2)
        store.append("s", 0, base)
        batch = make_events("s", 5, after=base[-1])
        misnumbered = [*batch[:3], attrs.evolve(batch[3], version=9), batch[4]]
        with pytest.raises(StoreError):
            store.append("s", 2, misnumbered)
        elsewhere = [*batch[:2], attrs.evolve(batch[2], stream="other")]
        with pytest.raises(StoreError):
            store.append("s", 2, elsewhere)
        with pytest.raises(StoreError):
            store.append("new", 0, batch)  # events numbered for "s"
        assert _records(store.read("s")) == _records(base)
        assert list(store.read("new")) == []
        assert [s.name for s in store.streams()] == ["s"]
        assert len(list(store.read_recorded())) == 2
        store.append("s", 2, batch)  # the same batch, well-formed, still goes in
        assert len(list(store.read("s"))) == 7

    # -- several streams in one atomic step ------------------------------------------------------

    def test_append_all_is_all_or_nothing(self, store: Storage) -> None:
        base = make_events("a", 2)
        store.append("a", 0, base)
        if not hasattr(store, "append_all"):  # optional: then one stream at a time, no more
            with pytest.raises(StoreError, match="several streams"):
                append_all(store, [("a", 2, make_events("a", 1, after=base[-1])),
                                   ("b", 0, make_events("b", 1))])
            append_all(store, [("b", 0, make_events("b", 1))])
            assert [i.name for i in store.streams()] == ["a", "b"]
            assert len(list(store.read("a"))) == 2
            return
        more_a = make_events("a", 3, after=base[-1])
        new_b = make_events("b", 2)
        new_c = make_events("c", 300)  # beyond one segment or page where stores cut there
        append_all(store, [(s, v, e) for s, v, e in
                           (("c", 0, new_c), ("a", 2, more_a), ("b", 0, new_b))])
        assert _records(store.read("a")) == _records([*base, *more_a])
        assert _records(store.read("b")) == _records(new_b)
        assert _records(store.read("c")) == _records(new_c)
        assert len(list(store.read_recorded())) == 2 + 3 + 2 + 300
        # One stale part refuses the whole step: nothing of the others is written.
        later_b = make_events("b", 1, after=new_b[-1])
        with pytest.raises(VersionConflict) as info:
            append_all(store, [("b", 2, later_b), ("d", 0, make_events("d", 4)),
                               ("a", 3, make_events("a", 1, after=more_a[0]))])
        assert (info.value.stream, info.value.expected, info.value.actual) == ("a", 3, 5)
        assert list(store.read("d")) == []
        assert len(list(store.read("b"))) == 2
        assert [i.name for i in store.streams()] == ["a", "b", "c"]
        assert len(list(store.read_recorded())) == 307
        with pytest.raises(StoreError):  # one stream twice in one step
            append_all(store, [("d", 0, make_events("d", 1)), ("d", 0, make_events("d", 1))])
        assert verify_store(store) == []

    # -- reading by time ---------------------------------------------------------------------

    def test_read_recorded_orders_across_streams(self, store: Storage) -> None:
        everything: list[StoredEvent] = []
        # Equal times across streams and days, and a microsecond apart, in three streams.
        for name, offset in (("b", 0), ("a", 0), ("Б", 30), ("a2", 90)):
            moments = [T0 + timedelta(seconds=offset + 60 * k) for k in range(4)]
            moments += [T0 + timedelta(days=1, microseconds=offset + 1),
                        T0 + timedelta(days=40)]
            events = chain(name, None, [NewEvent("e", "p", m) for m in moments])
            store.append(name, 0, events[:3])
            store.append(name, 3, events[3:])
            everything += events
        expected = sorted(everything, key=lambda e: (e.recorded_at, e.stream, e.version))
        assert _records(store.read_recorded()) == _records(expected)
        almaty = timezone(timedelta(hours=5))
        for since, until in [
            (T0, T0 + timedelta(seconds=60)),
            (T0 + timedelta(seconds=30), T0 + timedelta(days=1, microseconds=2)),
            ((T0 + timedelta(seconds=60)).astimezone(almaty), None),
            (None, (T0 + timedelta(days=1)).astimezone(almaty)),
            (T0 + timedelta(days=2), T0 + timedelta(days=3)),
            (T0 + timedelta(days=40), T0 + timedelta(days=40, microseconds=1)),
        ]:
            chosen = [e for e in expected if (since is None or e.recorded_at >= since)
                      and (until is None or e.recorded_at < until)]
            assert _records(store.read_recorded(since, until)) == _records(chosen), (since, until)

    def test_streams_sorted_by_code_point(self, store: Storage) -> None:
        names = ["journal:б", "journal:Z", "journal:a", "journal:Ә", "journal:", "j", "journal:ё"]
        heads = {}
        for name in names:
            events = make_events(name, 2)
            store.append(name, 0, events)
            heads[name] = events[-1].hash
        assert store.streams() == [StreamInfo(n, 2, heads[n]) for n in sorted(names)]

    # -- size, durability, verification ---------------------------------------------------------

    def test_large_stream(self, store: Storage) -> None:
        size, batch = self.large_stream, max(self.large_stream // 10, 1)
        last: StoredEvent | None = None
        for start in range(0, size, batch):
            events = make_events("big", min(batch, size - start), after=last,
                                 step=timedelta(seconds=1), data={"pad": "н/б " * 8})
            store.append("big", start, events)
            last = events[-1]
        assert last is not None
        versions = [e.version for e in store.read("big")]
        assert versions == list(range(1, size + 1))
        assert [e.version for e in store.read("big", size - 4)] == list(range(size - 4, size + 1))
        assert store.streams() == [StreamInfo("big", size, last.hash)]
        assert sum(1 for _ in store.read_recorded(None, T0 + timedelta(seconds=100))) == 100
        assert verify_store(store) == []

    def test_a_new_handle_sees_everything(self, make_store: StoreOpener) -> None:
        first = make_store()
        events = make_events("journal:reopen", 5)
        first.append("journal:reopen", 0, events)
        first.close()
        second = make_store()
        try:
            assert _records(second.read("journal:reopen")) == _records(events)
            assert verify_store(second) == []
        finally:
            second.close()

    def test_abandoned_reads_hold_nothing(self, store: Storage) -> None:
        store.append("s", 0, make_events("s", 50))
        for _ in range(20):
            reader = store.read("s")
            next(reader)
            recorded = store.read_recorded()
            next(recorded)
            del reader, recorded
        store.append("s", 50, make_events("s", 1, after=next(iter(store.read("s", 50)))))
        assert len(list(store.read("s"))) == 51

    # One test method serves every subclass (each its own store), hence differing_executors.
    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow, HealthCheck.differing_executors])
    @given(operations=_operations)
    def test_behaves_like_a_list_per_stream(self, store: Storage,
                                            operations: list[Any]) -> None:
        tag = next(_example_numbers)  # one store serves every example: keep them apart
        model: dict[str, list[StoredEvent]] = {}
        for index, offset, news in operations:
            stream = f"{tag}:{index}"
            current = model.setdefault(stream, [])
            head = current[-1] if current else None
            expected = len(current) + offset
            events = chain(stream, head, news)
            if offset == 0 or expected < 0:
                if expected < 0:
                    continue
                store.append(stream, expected, events)
                current.extend(events)
            else:
                renumbered = [attrs.evolve(e, version=expected + i + 1)
                              for i, e in enumerate(events)]
                with pytest.raises(VersionConflict):
                    store.append(stream, expected, renumbered)
        for stream, events in model.items():
            assert _records(store.read(stream)) == _records(events)
        mine = [e for e in store.read_recorded() if e.stream.startswith(f"{tag}:")]
        assert _records(mine) == _records(sorted(
            (e for ev in model.values() for e in ev),
            key=lambda e: (e.recorded_at, e.stream, e.version)))

    # -- concurrency ---------------------------------------------------------------------------

    def test_racing_appends_one_wins(self, make_store: StoreOpener) -> None:
        handles = [make_store() for _ in range(4)]
        barrier = threading.Barrier(8)
        outcomes: list[str] = []

        def race(store: Storage, actor: str) -> None:
            events = make_events("race", 1, actor=actor)
            barrier.wait()
            try:
                store.append("race", 0, events)
                outcomes.append("won")
            except VersionConflict:
                outcomes.append("conflict")

        try:
            threads = [threading.Thread(target=race, args=(handles[i % 4], f"t{i}"))
                       for i in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(outcomes) == ["conflict"] * 7 + ["won"]
            assert [e.version for e in handles[0].read("race")] == [1]
        finally:
            for handle in handles:
                handle.close()

    def test_threads_lose_nothing(self, make_store: StoreOpener) -> None:
        handles = [make_store() for _ in range(3)]
        per_thread, names = 15, [f"w{i}" for i in range(6)]
        errors: list[BaseException] = []

        def work(store: Storage, name: str) -> None:
            try:
                for i in range(per_thread):
                    moment = T0 + timedelta(seconds=i)
                    append_retrying(store, "shared", NewEvent("tick", name, moment, data={"i": i}))
                    append_retrying(store, f"own:{name}", NewEvent("tick", name, moment))
            except BaseException as exc:  # surfaced by the assertion below
                errors.append(exc)

        try:
            threads = [threading.Thread(target=work, args=(handles[i % 3], name))
                       for i, name in enumerate(names)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == []
            self._check_shared(handles[0], names, per_thread)
        finally:
            for handle in handles:
                handle.close()

    def test_processes_lose_nothing(self, make_store: StoreOpener) -> None:
        if not self.shared_across_processes:
            pytest.skip("this store is not shared between processes")
        names, per_process = ["p0", "p1", "p2"], 12
        context = multiprocessing.get_context("spawn")
        processes = [context.Process(target=_process_writer, args=(make_store, name, per_process))
                     for name in names]
        for process in processes:
            process.start()
        for process in processes:
            process.join(120)
        assert [p.exitcode for p in processes] == [0] * len(names)
        for process in processes:
            process.close()
        store = make_store()
        try:
            self._check_shared(store, names, per_process)
        finally:
            store.close()

    @staticmethod
    def _check_shared(store: Storage, names: list[str], count: int) -> None:
        shared = list(store.read("shared"))
        assert [e.version for e in shared] == list(range(1, len(names) * count + 1))
        for name in names:
            assert sorted(e.data["i"] for e in shared if e.actor == name) == list(range(count))
            assert len(list(store.read(f"own:{name}"))) == count
        assert verify_store(store) == []
