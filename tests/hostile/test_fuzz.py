"""Fuzzing the readers: random bytes and mutated valid files thrown at the ruleset loader, the
registry importer and restore. Only the library's own errors (``JournalRulesError``) may come
out, each example within 10 s and 500 MB (Python allocations, tracemalloc); the number of
examples is bounded and derandomised, so CI stays fast and the run is the same every time."""

from __future__ import annotations

import functools
import gzip
import io
import tempfile
import time
import tracemalloc
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

import journal_rules as jr
from journal_rules.importing import IMPORT_SHEET, plan_import
from journal_rules.policy import DEFAULT_RULESET
from journal_rules.testing import demo_gradebook, make_events

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
BUNDLED = jr.bundled_rulesets()[DEFAULT_RULESET].read_bytes()


def _bounded(call: Callable[[], object], outcomes: Counter[str]) -> None:
    """Run ``call``; only a JournalRulesError may escape it, within 10 s and 500 MB."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        call()
        outcomes["accepted"] += 1
    except jr.JournalRulesError as exc:
        outcomes["refused" if str(exc) else "refused without a message"] += 1
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - started < 10
    assert peak < 500 * 1024 * 1024


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with a few random edits: bytes replaced, inserted, deleted, lines repeated."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["replace", "insert", "delete", "repeat", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "replace" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from([b"{0}", b"&a ", b"*a", b"\r", b'"', b"\x00",
                                                b"- ", b": ", b"\n  ", b"=", b"1e999999"]))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 50))]
        elif kind == "repeat":
            end = data.find(b"\n", at)
            line = bytes(data[at:end + 1 if end >= 0 else len(data)])
            data[at:at] = line * draw(st.integers(1, 3))
        else:
            del data[at:]
    return bytes(data)


# --- the ruleset loader ------------------------------------------------------------------------

def test_the_ruleset_loader_raises_only_its_own_errors() -> None:
    outcomes: Counter[str] = Counter()

    @FUZZ
    @given(st.one_of(st.binary(max_size=2000), mutated(BUNDLED)))
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ruleset.yaml"
            path.write_bytes(data)
            _bounded(lambda: jr.load_ruleset(path), outcomes)

    check()
    assert outcomes["refused"] > 0
    assert outcomes["refused without a message"] == 0
    assert outcomes["accepted"] > 0  # some edits leave a valid ruleset: the loader was reached


# --- the importer ------------------------------------------------------------------------------

CSV = ("academic_year,group,specialty,year_of_study,school,language,curation_dean,student,"
       "student_name\n"
       "2025-2026,201,Педиатрия,2,som,kk,curator,s20101,Студент 201-01\n"
       "2025-2026,201,Педиатрия,2,som,kk,curator,s20102,\"Студент, 201-02\"\n").encode()


@functools.cache
def _xlsx_of(csv_bytes: bytes) -> bytes:
    """A valid XLSX of the CSV rows (written by the library's own templates' writer)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = IMPORT_SHEET
    for line in csv_bytes.decode().splitlines():
        ws.append(line.replace('"', "").split(",")[:9])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_xml_mutated(draw: st.DrawFn) -> bytes:
    """The valid XLSX with its sheet's XML (not the zip around it) mutated."""
    with zipfile.ZipFile(io.BytesIO(_xlsx_of(CSV))) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    member = draw(st.sampled_from(sorted(parts)))
    parts[member] = draw(mutated(parts[member]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


@st.composite
def registry_files(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from([".csv", ".xlsx"]))
    source = CSV if suffix == ".csv" else _xlsx_of(CSV)
    how = draw(st.sampled_from(["random", "mutated", "xml"] if suffix == ".xlsx"
                               else ["random", "mutated"]))
    if how == "random":
        return suffix, draw(st.binary(max_size=2000))
    if how == "xml":
        return suffix, _sheet_xml_mutated(draw)
    return suffix, draw(mutated(source))


def test_the_importer_raises_only_its_own_errors() -> None:
    outcomes: Counter[str] = Counter()
    book = demo_gradebook(jr.MemoryStore())
    before = sum(s.version for s in book.store.streams())

    @FUZZ
    @given(registry_files())
    def check(file: tuple[str, bytes]) -> None:
        suffix, data = file
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"contingent{suffix}"
            path.write_bytes(data)
            _bounded(lambda: plan_import(book, "contingent", path, actor="or-insp"),
                     outcomes)

    check()
    assert outcomes["refused"] > 0
    assert outcomes["refused without a message"] == 0
    assert outcomes["accepted"] > 0
    assert sum(s.version for s in book.store.streams()) == before  # planning writes nothing


# --- restore -----------------------------------------------------------------------------------

@functools.cache
def _archive() -> bytes:
    store = jr.MemoryStore()
    for i in range(3):
        store.append(f"journal:{i}", 0, make_events(f"journal:{i}", 3, data={"mark": i}))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.jsonl.gz"
        jr.backup_store(store, path, actor="it", at=datetime(2024, 10, 1, tzinfo=UTC))
        return gzip.decompress(path.read_bytes())


@st.composite
def archives(draw: st.DrawFn) -> bytes:
    how = draw(st.sampled_from(["random", "random-gzip", "mutated", "mutated-gzip"]))
    if how == "random":
        return draw(st.binary(max_size=2000))
    plain = draw(st.binary(max_size=2000)) if how == "random-gzip" else draw(mutated(_archive()))
    if how == "mutated" and draw(st.booleans()):
        return draw(mutated(gzip.compress(_archive())))  # damage to the compressed stream itself
    return gzip.compress(plain)


def test_restore_raises_only_its_own_errors() -> None:
    outcomes: Counter[str] = Counter()

    @FUZZ
    @given(archives())
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "backup.jsonl.gz"
            path.write_bytes(data)
            # Unsigned on purpose: the fuzzing is about reading, not about signatures.
            _bounded(lambda: jr.restore_store(path, jr.MemoryStore(), trust_unsigned=True),
                     outcomes)

    check()
    assert outcomes["refused"] > 0
    assert outcomes["refused without a message"] == 0
    # The valid archive itself restores (the fuzzing reached past the checks at least once).
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ok.jsonl.gz"
        path.write_bytes(gzip.compress(_archive()))
        assert jr.restore_store(path, jr.MemoryStore(), trust_unsigned=True).events >= 9
