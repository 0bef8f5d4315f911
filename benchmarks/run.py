"""The performance workloads of journal-rules, with their baselines, printed as one table.

    python benchmarks/run.py            # 1/10 (1,200 students) and full size (12,000)
    python benchmarks/run.py --quick    # 1/10 only

What it measures (docs/performance.md explains the figures and the targets):

- the synthetic university of each size, generated from a seed into memory, then copied stream by
  stream into TinyDB, SQLite and PostgreSQL through each adapter's batch append (bulk import);
- a full audit of the term from each store, each in a fresh process (time, peak RSS), against a
  plain Python single pass over the same events from the same store that computes the deadline
  findings (T11 closing, P10 grade sheets) with the ruleset's parameters; the two must agree;
- durable_rules fed one event per mark cell (a sample; projected to the whole term);
- guard decisions (``Gradebook.check`` with ``RulesGuard``): decisions per second, p50 and p99;
- one durable append into the full TinyDB store; every grade sheet of the term.

PostgreSQL comes from $JOURNAL_RULES_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/test);
the benchmark works in schemas of its own and drops them. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import journal_rules as jr
from journal_rules._rules._calendar import Calendar
from journal_rules.storage import Batch, StoredEvent
from journal_rules.testing import GenerationReport, demo_clock, generate_university

sys.path.insert(0, str(Path(__file__).resolve().parent))
import guard
import plain
import reference

import storage

PG = os.environ.get("JOURNAL_RULES_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
SEED = 1
SIZES = {"1/10": 1_200, "full": 12_000}
ROOT = Path(__file__).resolve().parents[1]
# The targets of issues 6 and 16, on the reference machine.
AUDIT_VS_PLAIN = 1.5
AUDIT_VS_FLOOR = 2.5
TINYDB_FLOOR_S = 2.0
NAIVE_OVER_AUDIT = 20.0
AUDIT_PEAK_MB = 1.5 * 1024
SCALING = 11.0
GUARD_P99_MS = 1.0
SHEETS_S = 10.0
IMPORT_RATE = 10_000


class Table:
    """Rows of the one table the benchmark prints."""

    COLUMNS = ("measure", "size", "store", "time", "peak MB", "events/s", "ratio / baseline",
               "target", "met?")

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.records: list[dict[str, Any]] = []
        self.missed: list[str] = []

    def add(self, measure: str, size: str = "", store: str = "", *, seconds: float | None = None,
            time_text: str | None = None, peak_mb: float | None = None,
            rate: float | None = None, ratio: str = "", target: str = "",
            met: bool | None = None) -> None:
        shown = time_text if time_text is not None else (
            "" if seconds is None else _seconds(seconds))
        self.rows.append((measure, size, store, shown,
                          "" if peak_mb is None else f"{peak_mb:,.0f}",
                          "" if rate is None else f"{rate:,.0f}", ratio, target,
                          "" if met is None else ("yes" if met else "NO")))
        self.records.append({"measure": measure.strip(), "size": size, "store": store,
                             "seconds": seconds, "time": shown, "peak_mb": peak_mb,
                             "events_per_s": rate, "ratio": ratio, "target": target,
                             "met": met})
        if met is False:
            self.missed.append(f"{measure} [{size} {store}]: {ratio} (target {target})")
        print(f"  .. {measure} {size} {store}: {shown} {ratio}", file=sys.stderr, flush=True)

    def print(self, header: str) -> None:
        try:
            from rich.console import Console  # noqa: PLC0415
            from rich.table import Table as RichTable  # noqa: PLC0415
        except ImportError:  # plain text when rich is absent
            print(header)
            widths = [max(len(r[i]) for r in [self.COLUMNS, *self.rows])
                      for i in range(len(self.COLUMNS))]
            for row in [self.COLUMNS, *self.rows]:
                print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
            return
        table = RichTable(title=header, title_justify="left")
        for i, name in enumerate(self.COLUMNS):
            table.add_column(name, justify="right" if 3 <= i <= 6 else "left")
        for row in self.rows:
            table.add_row(*row)
        Console(width=230).print(table)


def _seconds(value: float) -> str:
    return f"{value * 1000:.2f} ms" if value < 1 else f"{value:,.2f} s"


def _peak_mb() -> float:
    """This process's peak resident memory. On Linux, VmHWM: ``ru_maxrss`` of a spawned child
    keeps the parent's size from before ``exec``."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def in_fresh_process(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``fn(*args)`` in a new interpreter (spawn) so its peak memory is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# --- the workloads run in child processes ---------------------------------------------------------

def audit_job(url: str, as_of: date) -> dict[str, Any]:
    ruleset = jr.default_ruleset()
    store = jr.open_store(url)
    try:
        started = time.perf_counter()
        # A process that only audits: the collector's passes over the audit's live objects
        # are pure cost (see docs/performance.md).
        report = jr.audit(store, ruleset, as_of, pause_gc=True)
        seconds = time.perf_counter() - started
    finally:
        store.close()
    found, sanctions = reference.audit_keys(report)
    return {"seconds": seconds, "peak_mb": _peak_mb(), "findings": len(report.findings),
            "sanctions": len(report.sanctions), "keys": sorted(found),
            "sanction_keys": sorted(sanctions), "stats": dict(report.stats)}


def floor_job(url: str) -> dict[str, Any]:
    store = jr.open_store(url)
    try:
        started = time.perf_counter()
        events = plain.read_floor(store)
        seconds = time.perf_counter() - started
    finally:
        store.close()
    return {"seconds": seconds, "peak_mb": _peak_mb(), "events": events}


def plain_job(url: str, as_of: date) -> dict[str, Any]:
    ruleset = jr.default_ruleset()
    store = jr.open_store(url)
    try:
        started = time.perf_counter()
        found, sanctions, events = reference.reference_findings(store, ruleset, as_of)
        seconds = time.perf_counter() - started
    finally:
        store.close()
    return {"seconds": seconds, "peak_mb": _peak_mb(), "keys": sorted(found),
            "sanction_keys": sorted(sanctions), "events": events}


# --- building the stores --------------------------------------------------------------------------

def generate(students: int) -> tuple[jr.MemoryStore, GenerationReport, float]:
    ruleset = jr.default_ruleset()
    store = jr.MemoryStore()
    started = time.perf_counter()
    report = generate_university(store, ruleset.policy, students=students, seed=SEED)
    return store, report, time.perf_counter() - started


def streams_of(store: jr.Storage) -> list[tuple[str, list[StoredEvent]]]:
    return [(info.name, list(store.read(info.name))) for info in store.streams()]


def bulk_copy(streams: Iterable[tuple[str, list[StoredEvent]]], target: jr.Storage,
              batch: int = 20_000) -> float:
    """Copy every stream through the target's multi-stream atomic append (``append_all``, what
    imports and ``Gradebook.execute_many`` use), about ``batch`` events at a time; return the
    seconds it took."""
    started = time.perf_counter()
    pending: list[Batch] = []
    size = 0
    for name, events in streams:
        pending.append((name, 0, events))
        size += len(events)
        if size >= batch:
            jr.storage.append_all(target, pending)
            pending, size = [], 0
    if pending:
        jr.storage.append_all(target, pending)
    return time.perf_counter() - started


def last_day(store: jr.Storage, ruleset: jr.Ruleset) -> date:
    """The audit's as-of date: the day after the last recorded event (university time)."""
    latest = max(e.recorded_at for info in store.streams() for e in store.read(info.name))
    return Calendar(ruleset.calendar).local_date(latest) + timedelta(days=1)


# --- measures in this process ---------------------------------------------------------------------

def guard_figures(source: jr.Storage, table: Table, size: str, journals: int,
                  folder: str) -> None:
    """Decisions on a realistic mix of accepted commands (benchmarks/guard.py): ``check``
    alone, then ``execute`` (decision and durable append), on memory, TinyDB and SQLite."""
    workload = guard.Workload(source, journals=journals, seed=SEED)
    mix = ", ".join(f"{n:,} {k}" for k, n in workload.mix().items())
    table.add(f"guard workload: {len(workload.commands):,} commands of {journals} journals "
              "recorded after mid-term", size, "", ratio=mix[:150])
    gc.collect()
    gc.freeze()  # the generated world is not the serving process's: keep the collector off it
    try:
        for name, store in guard.stores(folder):
            try:
                workload.fill(store)
                for ruleset_label, ruleset in (("default", jr.default_ruleset()),):
                    checks, executes, refused = guard.replay(workload, store, ruleset)
                    p50, p99 = guard.percentiles(checks)
                    count = sum(len(v) for v in checks.values())
                    table.add(f"guard check() p50 / p99, ruleset {ruleset_label}", size, name,
                              time_text=f"{p50 * 1000:.3f} / {p99 * 1000:.3f} ms",
                              rate=count / sum(sum(v) for v in checks.values()),
                              ratio=f"{count:,} decisions, {refused} refused",
                              target=f"p99 < {GUARD_P99_MS:g} ms",
                              met=p99 * 1000 < GUARD_P99_MS)
                    p50, p99 = guard.percentiles(executes)
                    done = sum(len(v) for v in executes.values())
                    table.add("  execute() p50 / p99 (decision + durable append)", size, name,
                              time_text=f"{p50 * 1000:.3f} / {p99 * 1000:.3f} ms",
                              rate=done / sum(sum(v) for v in executes.values()),
                              ratio=f"{done:,} commands done")
                    worst = max(checks, key=lambda k: guard.percentiles(checks[k])[1])
                    w50, w99 = guard.percentiles(checks[worst])
                    table.add(f"  slowest kind to check: {worst}", size, name,
                              time_text=f"{w50 * 1000:.3f} / {w99 * 1000:.3f} ms",
                              ratio=f"{len(checks[worst]):,} decisions")
            finally:
                store.close()
    finally:
        gc.unfreeze()


def grade_sheet_figures(store: jr.Storage, table: Table, size: str, budget: float) -> None:
    """Every grade sheet of the term (or as many as ``budget`` seconds allow, projected)."""
    ruleset = jr.default_ruleset()
    grading = ruleset.grading
    assert grading is not None
    book = jr.Gradebook(store, ruleset.policy, clock=demo_clock())
    journals = book.journals()
    started = time.perf_counter()
    for journal in journals:  # a serving gradebook keeps its journals' projections
        book.journal(journal)
    table.add("  every journal's first look (replay into its projection)", size, "memory",
              seconds=time.perf_counter() - started)
    started = time.perf_counter()
    formed = skipped = rows = looked = 0
    for journal in journals:
        if time.perf_counter() - started > budget:
            break
        looked += 1
        try:
            sheet = jr.grading.compute_grade_sheet(book, grading, journal)
        except jr.InvalidInput:
            skipped += 1  # an ИД block's journal: its sheet is the discipline's integrated one
            continue
        formed += 1
        rows += len(sheet.rows)
    seconds = time.perf_counter() - started
    note = f"{formed:,} sheets, {rows:,} rows ({skipped} block journals)"
    if looked < len(journals):
        note += (f"; {looked:,} of {len(journals):,} journals in the time budget, all: "
                 f"{seconds * len(journals) / looked:,.0f} s projected")
    projected = seconds * len(journals) / looked
    full = size == "full"
    table.add("every grade sheet of the term (compute_grade_sheet)", size, "memory",
              seconds=seconds, rate=formed / seconds, ratio=note,
              target=f"<= {SHEETS_S:g} s" if full else "",
              met=projected <= SHEETS_S if full else None)


def durable_per_mark(store: jr.Storage, table: Table, size: str, total_cells: int,
                     budget: float) -> float:
    """durable_rules fed one event per mark cell: a sample, projected to the whole term."""
    rate, fed, late = plain.durable_one_event_per_mark(store, jr.default_ruleset(), budget)
    table.add("baseline: durable_rules, library's rules, one fact per mark cell", size,
              "memory", seconds=fed / rate, rate=rate,
              ratio=f"{fed:,} cells fed ({late:,} late); the whole term's {total_cells:,}: "
                    f"{total_cells / rate:,.0f} s projected")
    return total_cells / rate


def append_figures(url: str, table: Table, size: str, events: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        small = jr.open_store(f"tinydb://{folder}/small")
        storage.fill(small, 100, per_stream=100)
        small_cost = storage.append_cost(small)
        small.close()
    big = jr.open_store(url)
    try:
        big_cost = storage.append_cost(big)
    finally:
        big.close()
    table.add(f"one durable append, store of {events:,} events (median of 40)", size, "TinyDB",
              seconds=big_cost, ratio=f"{big_cost / small_cost:.2f}x a 100-event store")


# --- the run --------------------------------------------------------------------------------------

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) \
        if Path("/proc/cpuinfo").exists() else platform.processor()
    memory = ""
    if Path("/proc/meminfo").exists():
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    return (f"{os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def drop_schema(schema: str) -> None:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def audit_figures(name: str, url: str, table: Table, *, size: str, events: int, as_of: date,
                  audits: dict[tuple[str, str], float]) -> None:
    """The read floor, the plain pass and the audit of one store, each in a fresh process."""
    floor = in_fresh_process(floor_job, url)
    base = in_fresh_process(plain_job, url, as_of)
    result = in_fresh_process(audit_job, url, as_of)
    audits[(size, name)] = result["seconds"]
    full = size == "full"
    tiny_full = full and name == "TinyDB"
    table.add("read floor: every event read, nothing else", size, name,
              seconds=floor["seconds"], peak_mb=floor["peak_mb"],
              rate=floor["events"] / floor["seconds"],
              target=f"< {TINYDB_FLOOR_S:g} s" if tiny_full else "",
              met=floor["seconds"] < TINYDB_FLOOR_S if tiny_full else None)
    agree = base["keys"] == result["keys"] and base["sanction_keys"] == result["sanction_keys"]
    table.add("baseline: plain reference pass, every rule by hand", size, name,
              seconds=base["seconds"], peak_mb=base["peak_mb"],
              rate=base["events"] / base["seconds"],
              ratio=f"{len(base['keys']):,} findings, {len(base['sanction_keys']):,} "
                    f"sanctions, {'agree' if agree else 'DISAGREE'} with the audit",
              target="same findings", met=agree)
    ratio = result["seconds"] / base["seconds"]
    over_floor = result["seconds"] / floor["seconds"]
    table.add("audit (jr.audit, whole term)", size, name, seconds=result["seconds"],
              peak_mb=result["peak_mb"], rate=events / result["seconds"],
              ratio=f"{ratio:.2f}x plain, {over_floor:.2f}x floor; "
                    f"{result['findings']:,} findings, "
                    f"{result['stats'].get('facts', 0):,} facts",
              target=f"<= {AUDIT_VS_PLAIN}x plain, <= {AUDIT_VS_FLOOR}x floor, "
                     f"< {AUDIT_PEAK_MB:,.0f} MB" if full else "",
              met=(ratio <= AUDIT_VS_PLAIN and over_floor <= AUDIT_VS_FLOOR
                   and result["peak_mb"] < AUDIT_PEAK_MB) if full else None)
    if not agree:
        only_plain = sorted(set(map(tuple, base["keys"])) - set(map(tuple, result["keys"])))
        only_audit = sorted(set(map(tuple, result["keys"])) - set(map(tuple, base["keys"])))
        print(f"  disagreement on {name}: plain only {only_plain[:5]}, "
              f"audit only {only_audit[:5]}", file=sys.stderr)
    tenth = audits.get(("1/10", name))
    if full and tenth:
        grow = result["seconds"] / tenth
        table.add("  audit time, full / (1/10)", "x10", name, ratio=f"{grow:.2f}x",
                  target=f"<= {SCALING:g}x", met=grow <= SCALING)


def run_size(size: str, students: int, folder: str, table: Table, *, schemas: list[str],
             audits: dict[tuple[str, str], float], per_mark_budget: float,
             sheet_budget: float, guard_rounds: int, last: bool) -> None:
    ruleset = jr.default_ruleset()
    memory, report, seconds = generate(students)
    events = report.events
    table.add(f"generate ({students:,} students, {report.journals:,} journals, "
              f"{report.mark_cells:,} mark cells)", size, "memory", seconds=seconds,
              rate=events / seconds, ratio=f"{events:,} events")
    as_of = last_day(memory, ruleset)
    streams = streams_of(memory)
    urls: dict[str, str] = {"TinyDB": f"tinydb://{folder}/tiny-{students}",
                            "SQLite": f"sqlite:///{folder}/sqlite-{students}.db"}
    schema = f"jr_bench_{uuid.uuid4().hex[:12]}"
    urls["PostgreSQL"] = f"{PG}?schema={schema}"
    for name, url in list(urls.items()):
        try:
            target = jr.open_store(url)
        except jr.StoreError as exc:
            table.add("bulk import", size, name, ratio=f"unavailable: {exc}"[:80])
            del urls[name]
            continue
        if name == "PostgreSQL":
            schemas.append(schema)
        try:
            copied = bulk_copy(streams, target)
        finally:
            target.close()
        tiny_full = size == "full" and name == "TinyDB"
        table.add(f"bulk import ({len(streams):,} streams, append_all)", size, name,
                  seconds=copied, rate=events / copied,
                  target=f">= {IMPORT_RATE:,} events/s" if tiny_full else "",
                  met=events / copied >= IMPORT_RATE if tiny_full else None)
    del streams
    gc.collect()
    for name, url in urls.items():
        audit_figures(name, url, table, size=size, events=events, as_of=as_of, audits=audits)
    if last:
        naive = durable_per_mark(memory, table, size, report.mark_cells, per_mark_budget)
        audited = audits.get((size, "TinyDB"))
        if audited:
            table.add("  naive durable_rules / audit (TinyDB)", size, "",
                      ratio=f"{naive / audited:.1f}x", target=f">= {NAIVE_OVER_AUDIT:g}x",
                      met=naive / audited >= NAIVE_OVER_AUDIT)
        guard_figures(memory, table, size, guard_rounds, folder)
        grade_sheet_figures(memory, table, size, sheet_budget)
        if "TinyDB" in urls:
            append_figures(urls["TinyDB"], table, size, events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 1/10 size")
    parser.add_argument("--json", action="store_true",
                        help="print the figures as JSON (one object) instead of a table")
    args = parser.parse_args()
    sizes = {"1/10": SIZES["1/10"]} if args.quick else SIZES
    table = Table()
    schemas: list[str] = []
    audits: dict[tuple[str, str], float] = {}
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="jr-bench-") as folder:
            for n, (size, students) in enumerate(sizes.items()):
                run_size(size, students, folder, table, schemas=schemas, audits=audits,
                         per_mark_budget=10.0 if args.quick else 30.0,
                         sheet_budget=60.0,
                         guard_rounds=150 if args.quick else 400,
                         last=n == len(sizes) - 1)
    finally:
        for schema in schemas:
            try:
                drop_schema(schema)
            except Exception as exc:
                print(f"could not drop schema {schema}: {exc}", file=sys.stderr)
    header = (f"journal-rules benchmarks{' (--quick)' if args.quick else ''}, seed {SEED}, "
              f"{time.perf_counter() - started:,.0f} s in all; {machine()}")
    if args.json:
        print(json.dumps({"header": header, "rows": table.records, "missed": table.missed},
                         ensure_ascii=False, indent=1))
        return
    table.print(header)
    if table.missed:
        print("Targets missed:")
        for line in table.missed:
            print(f"  {line}")


if __name__ == "__main__":
    main()
