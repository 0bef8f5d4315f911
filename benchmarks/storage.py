"""Storage figures: the cost of one durable append into a small and a big TinyDB store, and bulk
append throughput into PostgreSQL and SQLite. Not a test: it prints a table.

    python benchmarks/storage.py            # 100 vs 1,000,000 events
    python benchmarks/storage.py --quick    # 100 vs 100,000 events

PostgreSQL comes from $JOURNAL_RULES_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/test);
the benchmark works in a schema of its own and drops it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg

from journal_rules import Storage, StoreError, open_store
from journal_rules._storage import chain
from journal_rules.storage import NewEvent, StoredEvent

T0 = datetime(2024, 9, 2, 8, 0, tzinfo=UTC)
PG = os.environ.get("JOURNAL_RULES_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


def events(stream: str, count: int, after: StoredEvent | None = None) -> list[StoredEvent]:
    first = 0 if after is None else after.version
    return chain(stream, after, [
        NewEvent("mark_entered", f"teacher-{i % 40}", T0 + timedelta(seconds=first + i),
                 occurred_on=T0.date(), data={"student": f"s{i % 30}", "mark": 80 + i % 20})
        for i in range(count)])


def fill(store: Storage, total: int, per_stream: int = 10_000) -> None:
    """``total`` events in streams of ``per_stream`` through the adapter's own bulk path."""
    made = 0
    while made < total:
        n = min(per_stream, total - made)
        name = f"journal:{made // per_stream:05d}"
        for start in range(0, n, 5000):
            batch = events(name, min(5000, n - start),
                           after=None if start == 0 else next(iter(store.read(name, start))))
            store.append(name, start, batch)
        made += n


def append_cost(store: Storage, rounds: int = 40) -> float:
    """Median seconds of one durable single-event append (half to a new stream, half to a
    stream of 10,000 events where there is one)."""
    samples = []
    big = next((s for s in store.streams() if s.version >= 1000), None)
    head = None if big is None else next(iter(store.read(big.name, big.version)))
    for i in range(rounds):
        if i % 2 or head is None:
            name, after = f"bench:new:{uuid.uuid4().hex}", None
        else:
            name, after = head.stream, head
        batch = events(name, 1, after)
        started = time.perf_counter()
        store.append(name, 0 if after is None else after.version, batch)
        samples.append(time.perf_counter() - started)
        if after is not None:
            head = batch[-1]
    return statistics.median(samples)


def bulk_rate(store: Storage, total: int) -> float:
    """Events per second through one append per 10,000 pre-chained events."""
    batches = []
    after = None
    for start in range(0, total, 10_000):
        batch = events("bulk", min(10_000, total - start), after)
        batches.append(batch)
        after = batch[-1]
    started = time.perf_counter()
    version = 0
    for batch in batches:
        store.append("bulk", version, batch)
        version += len(batch)
    return total / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 vs 100,000 events")
    args = parser.parse_args()
    big_size = 100_000 if args.quick else 1_000_000
    bulk_size = 50_000 if args.quick else 200_000
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        small = open_store(f"tinydb://{folder}/small")
        fill(small, 100, per_stream=100)
        small_cost = append_cost(small)
        small.close()
        started = time.perf_counter()
        big = open_store(f"tinydb://{folder}/big")
        fill(big, big_size)
        built = time.perf_counter() - started
        big_cost = append_cost(big)
        big.close()
        rows += [
            ("TinyDB: one durable append, store of 100 events", f"{small_cost * 1000:.2f} ms"),
            (f"TinyDB: one durable append, store of {big_size:,} events",
             f"{big_cost * 1000:.2f} ms"),
            ("  ratio big / small", f"{big_cost / small_cost:.2f}x"),
            (f"  (building the big store took {built:.1f} s, "
             f"{big_size / built:,.0f} events/s incl. hashing)", ""),
        ]
        tiny = open_store(f"tinydb://{folder}/bulk")
        tiny_rate = bulk_rate(tiny, bulk_size)
        tiny.close()
        sqlite = open_store(f"sqlite:///{folder}/bulk.db")
        sqlite_rate = bulk_rate(sqlite, bulk_size)
        sqlite_cost = append_cost(sqlite)
        sqlite.close()
    schema = f"jr_bench_{uuid.uuid4().hex[:12]}"
    pg_rate = pg_cost = None
    try:
        pg = open_store(f"{PG}?schema={schema}")
        try:
            pg_rate = bulk_rate(pg, bulk_size)
            pg_cost = append_cost(pg)
        finally:
            pg.close()
            with psycopg.connect(PG, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    except StoreError as exc:
        rows.append(("PostgreSQL", f"unavailable: {exc}"))
    rows += [
        (f"Bulk append, {bulk_size:,} events in batches of 10,000", ""),
        ("  TinyDB", f"{tiny_rate:,.0f} events/s"),
        ("  SQLite", f"{sqlite_rate:,.0f} events/s"),
    ]
    if pg_rate is not None and pg_cost is not None:
        rows += [("  PostgreSQL", f"{pg_rate:,.0f} events/s"),
                 ("  PostgreSQL / SQLite", f"{pg_rate / sqlite_rate:.2f}x"),
                 ("  PostgreSQL / TinyDB", f"{pg_rate / tiny_rate:.2f}x"),
                 ("One durable append, PostgreSQL", f"{pg_cost * 1000:.2f} ms")]
    rows.append(("One durable append, SQLite", f"{sqlite_cost * 1000:.2f} ms"))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
