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
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import journal_rules as jr
from journal_rules.testing import GenerationReport, demo_clock, generate_university

sys.path.insert(0, str(Path(__file__).resolve().parent))
import plain

import storage

PG = os.environ.get("JOURNAL_RULES_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
SEED = 1
SIZES = {"1/10": 1_200, "full": 12_000}
ROOT = Path(__file__).resolve().parents[1]
REFUSE_LATE = ROOT / "rulesets" / "tests" / "rulesets" / "refuse-late.yaml"
# The targets of issue 6, on the reference machine.
AUDIT_VS_PLAIN = 2.5
AUDIT_PEAK_MB = 1.5 * 1024
SCALING = 11.0
GUARD_P99_MS = 1.0


class Table:
    """Rows of the one table the benchmark prints."""

    COLUMNS = ("measure", "size", "store", "time", "peak MB", "events/s", "ratio / baseline",
               "target", "met?")

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
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
        report = jr.audit(store, ruleset, as_of)
        seconds = time.perf_counter() - started
    finally:
        store.close()
    wanted = {r.id for r in plain.deadline_rules(ruleset)}
    keys = sorted((f.rule_id, f.journal or "", f.control or "") for f in report.findings
                  if f.kind == "violation" and f.rule_id in wanted)
    return {"seconds": seconds, "peak_mb": _peak_mb(), "findings": len(report.findings),
            "sanctions": len(report.sanctions), "keys": keys, "stats": dict(report.stats)}


def plain_job(url: str, as_of: date) -> dict[str, Any]:
    ruleset = jr.default_ruleset()
    store = jr.open_store(url)
    try:
        started = time.perf_counter()
        keys, events = plain.deadline_findings(store, ruleset, as_of)
        seconds = time.perf_counter() - started
    finally:
        store.close()
    return {"seconds": seconds, "peak_mb": _peak_mb(), "keys": sorted(keys), "events": events}


# --- building the stores --------------------------------------------------------------------------

def generate(students: int) -> tuple[jr.MemoryStore, GenerationReport, float]:
    ruleset = jr.default_ruleset()
    store = jr.MemoryStore()
    started = time.perf_counter()
    report = generate_university(store, ruleset.policy, students=students, seed=SEED)
    return store, report, time.perf_counter() - started


def streams_of(store: jr.Storage) -> list[tuple[str, list[jr.StoredEvent]]]:
    return [(info.name, list(store.read(info.name))) for info in store.streams()]


def bulk_copy(streams: Iterable[tuple[str, list[jr.StoredEvent]]], target: jr.Storage,
              batch: int = 10_000) -> float:
    """Copy every stream through the target's batch append; return the seconds it took."""
    started = time.perf_counter()
    for name, events in streams:
        for start in range(0, len(events), batch):
            target.append(name, start, events[start:start + batch])
    return time.perf_counter() - started


def last_day(store: jr.Storage, ruleset: jr.Ruleset) -> date:
    """The audit's as-of date: the day after the last recorded event (university time)."""
    latest = max(e.recorded_at for info in store.streams() for e in store.read(info.name))
    return plain.local_day(plain.Calendar(ruleset.calendar), latest) + timedelta(days=1)


# --- measures in this process ---------------------------------------------------------------------

def guard_figures(store: jr.Storage, table: Table, size: str, rounds: int, as_of: date) -> None:
    """Decisions of ``Gradebook.check`` with the rules guard, on the generated term."""
    for label, ruleset in (("default", jr.default_ruleset()),
                           ("refuse_late_marks", jr.load_ruleset(REFUSE_LATE))):
        clock = jr.ManualClock(datetime.combine(as_of, datetime.min.time(), UTC))
        book = jr.Gradebook(store, ruleset.policy, clock=clock, guards=[jr.RulesGuard(ruleset)])
        rng = random.Random(SEED)
        journals = rng.sample(book.journals(), min(rounds // 4, len(book.journals())))
        commands: list[tuple[str, Any]] = []
        for journal in journals:
            spec = book.directory.journal(journal)
            teacher = spec.teachers[0]
            point = spec.controls[0]
            student = book.directory.students_of(spec.group)[0].id
            commands += [
                (teacher, jr.EnterMarks(journal, point.starts, {student: "75"},
                                        control=point.id)),
                (teacher, jr.CloseJournal(journal, point.id)),
                ("or-head", jr.Reopen(journal, point.id)),
                (teacher, jr.EnterMarks(journal, point.ends, {student: "н/б"},
                                        control=point.id)),
            ]
        cold: list[float] = []
        for journal in journals:  # the first look at a journal replays its stream
            started = time.perf_counter()
            book.journal(journal)
            cold.append(time.perf_counter() - started)
        rng.shuffle(commands)
        samples: list[float] = []
        refused = 0
        for actor, command in commands:
            started = time.perf_counter()
            decision = book.check(actor, command)
            samples.append(time.perf_counter() - started)
            refused += not decision.allowed
        samples.sort()
        p50 = samples[len(samples) // 2]
        p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
        table.add(f"guard check() p50 / p99, ruleset {label}", size, "memory",
                  time_text=f"{p50 * 1000:.3f} / {p99 * 1000:.3f} ms",
                  rate=len(samples) / sum(samples),
                  ratio=f"{len(samples)} decisions, {refused} refused",
                  target=f"p99 < {GUARD_P99_MS:g} ms", met=p99 * 1000 < GUARD_P99_MS)
        if label == "default":
            table.add("  first look at a journal (replay its stream), median", size, "memory",
                      seconds=statistics.median(cold))


def grade_sheet_figures(store: jr.Storage, table: Table, size: str, budget: float) -> None:
    """Every grade sheet of the term (or as many as ``budget`` seconds allow, projected)."""
    ruleset = jr.default_ruleset()
    grading = ruleset.grading
    assert grading is not None
    book = jr.Gradebook(store, ruleset.policy, clock=demo_clock())
    journals = book.journals()
    started = time.perf_counter()
    formed = skipped = rows = looked = 0
    for journal in journals:
        if time.perf_counter() - started > budget:
            break
        looked += 1
        try:
            sheet = jr.compute_grade_sheet(book, grading, journal)
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
    table.add("every grade sheet (compute_grade_sheet)", size, "memory", seconds=seconds,
              rate=formed / seconds, ratio=note)


def durable_per_mark(store: jr.Storage, table: Table, size: str, total_cells: int,
                     budget: float) -> None:
    """durable_rules fed one event per mark cell: a sample, projected to the whole term."""
    rate, fed, late = plain.durable_one_event_per_mark(store, jr.default_ruleset(), budget)
    table.add("baseline: durable_rules, one event per mark cell", size, "memory",
              seconds=fed / rate, rate=rate,
              ratio=f"{fed:,} cells fed ({late:,} late); the whole term's {total_cells:,}: "
                    f"{total_cells / rate:,.0f} s projected")


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
        table.add(f"bulk import ({len(streams):,} streams, batch append)", size, name,
                  seconds=copied, rate=events / copied)
    del streams
    gc.collect()
    for name, url in urls.items():
        base = in_fresh_process(plain_job, url, as_of)
        result = in_fresh_process(audit_job, url, as_of)
        audits[(size, name)] = result["seconds"]
        agree = base["keys"] == result["keys"]
        table.add("baseline: plain Python pass, deadline findings", size, name,
                  seconds=base["seconds"], peak_mb=base["peak_mb"],
                  rate=base["events"] / base["seconds"],
                  ratio=f"{len(base['keys']):,} findings, "
                        f"{'agree' if agree else 'DISAGREE'} with the audit",
                  target="same findings", met=agree)
        ratio = result["seconds"] / base["seconds"]
        full = size == "full"
        table.add("audit (jr.audit, whole term)", size, name, seconds=result["seconds"],
                  peak_mb=result["peak_mb"], rate=events / result["seconds"],
                  ratio=f"{ratio:.2f}x plain; {result['findings']:,} findings, "
                        f"{result['stats'].get('facts', 0):,} facts",
                  target=f"<= {AUDIT_VS_PLAIN}x, < {AUDIT_PEAK_MB:,.0f} MB" if full else "",
                  met=(ratio <= AUDIT_VS_PLAIN and result["peak_mb"] < AUDIT_PEAK_MB)
                  if full else None)
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
    if last:
        durable_per_mark(memory, table, size, report.mark_cells, per_mark_budget)
        guard_figures(memory, table, size, guard_rounds, as_of)
        grade_sheet_figures(memory, table, size, sheet_budget)
        if "TinyDB" in urls:
            append_figures(urls["TinyDB"], table, size, events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 1/10 size")
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
                         guard_rounds=2000 if args.quick else 4000,
                         last=n == len(sizes) - 1)
    finally:
        for schema in schemas:
            try:
                drop_schema(schema)
            except Exception as exc:
                print(f"could not drop schema {schema}: {exc}", file=sys.stderr)
    header = (f"journal-rules benchmarks{' (--quick)' if args.quick else ''}, seed {SEED}, "
              f"{time.perf_counter() - started:,.0f} s in all; {machine()}")
    table.print(header)
    if table.missed:
        print("Targets missed:")
        for line in table.missed:
            print(f"  {line}")


if __name__ == "__main__":
    main()
