"""SIGKILL during a 400-journal import and during a restore, on the TinyDB store (the default):
afterwards the store holds all of the import or none of it, and running the same import (or
restore) again completes it. The child is forked from this process, so each round costs the
import's own work, not an interpreter start; the kill lands at a random moment of a full run.
``JOURNAL_RULES_KILLS`` sets the number of kills per loop (100 by default) and
``JOURNAL_RULES_KILL_SECONDS`` bounds each loop's time (240 s by default; at least 25 kills are
made whatever the time, so on a loaded machine a loop may stop before its hundredth kill).

The stores live in a RAM file system (/dev/shm) when there is one: a SIGKILL ends the process,
not the machine, so what survives it is what the kernel already had, whatever the disk; and
there the rounds take a fraction of the time (the full-disk and fsync behaviour is tested in
test_storage_full_disk.py)."""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import journal_rules as jr
from journal_rules.importing import IMPORT_KINDS, plan_import
from journal_rules.storage import StreamInfo
from journal_rules.testing import build_faculty, demo_clock

KILLS = int(os.environ.get("JOURNAL_RULES_KILLS", "100"))
BUDGET = float(os.environ.get("JOURNAL_RULES_KILL_SECONDS", "240"))
MIN_KILLS = 25
JOURNALS = 400
ACTOR = "or-insp"


@pytest.fixture
def work_dir(tmp_path: Path) -> Iterator[Path]:
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="journal-rules-kill-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _registry(folder: Path) -> str:
    """A TinyDB store holding the demo faculty's registry (no term yet): a template."""
    url = f"tinydb://{folder}"
    store = jr.open_store(url)
    try:
        clock = demo_clock()
        build_faculty(jr.Gradebook.for_ruleset(store, jr.default_ruleset(), clock=clock),
                         clock)
    finally:
        store.close()
    return url


def _journals_file(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow([c.name for c in IMPORT_KINDS["journals"].columns])
        for i in range(JOURNALS):
            out.writerow([f"bulk/{i:03d}", "anat", "", "101", "2025-1", "t-anat", "dep-anat",
                          "current-1", "current", "2025-09-01", "2025-10-22"])
    return path


def _fork(work: Callable[[], None]) -> int:
    """Run ``work`` in a forked child that exits 0 when it finishes; its pid."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return pid


def _run_killed(work: Callable[[], None], delay: float) -> bool:
    """Run ``work`` in a forked child and SIGKILL it after ``delay`` seconds; True if the child
    finished first."""
    pid = _fork(work)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _timed(work: Callable[[], None]) -> float:
    """How long ``work`` takes in a forked child that is left to finish."""
    start = time.monotonic()
    _, status = os.waitpid(_fork(work), 0)
    assert os.WIFEXITED(status)
    assert os.WEXITSTATUS(status) == 0
    return time.monotonic() - start


def _rounds() -> Iterator[int]:
    """0, 1, ... up to KILLS, stopping early once the time budget is spent (after MIN_KILLS)."""
    started = time.monotonic()
    for round_ in range(KILLS):
        if round_ >= MIN_KILLS and time.monotonic() - started > BUDGET:
            return
        yield round_


def _check(condition: bool) -> None:
    if not condition:
        raise AssertionError("the child's work did not do what it should")


def _bulk(store: jr.Storage) -> list[StreamInfo]:
    return [i for i in store.streams() if i.name.startswith("journal:bulk/")]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")
                  if p.name == "pending.json" or p.name.endswith(".tmp"))


@pytest.mark.slow
def test_sigkill_during_an_import_leaves_all_or_nothing(work_dir: Path) -> None:
    tmp_path = work_dir
    template = tmp_path / "template"
    _registry(template)
    source = _journals_file(tmp_path / "journals.csv")
    ruleset = jr.default_ruleset()
    target = tmp_path / "store"
    url = f"tinydb://{target}"

    def fresh() -> None:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(template, target)

    fresh()
    # The file's rows are read and checked once; each child executes the import's commands (the
    # second half of import_file) so that the kills land in the part that writes.
    planned = plan_import(jr.Gradebook.for_ruleset(jr.open_store(url), ruleset,
                                                      clock=demo_clock()),
                             "journals", source, ACTOR)
    assert len(planned) == JOURNALS

    def importer() -> Callable[[], None]:
        """A gradebook on a fresh copy of the registry, and the import to run in the child."""
        fresh()
        book = jr.Gradebook.for_ruleset(jr.open_store(url), ruleset, clock=demo_clock())
        return lambda: _check(len(book.execute_many(ACTOR, planned)) == JOURNALS)

    full = _timed(importer())
    rng = random.Random(2026)
    outcomes = {"none": 0, "all": 0}
    for round_ in _rounds():
        finished = _run_killed(importer(), rng.uniform(0.0, full * 1.1))
        store = jr.open_store(url)  # opening takes back an append that never confirmed
        try:
            bulk = _bulk(store)
            assert len(bulk) in (0, JOURNALS), (round_, len(bulk))
            assert not finished or len(bulk) == JOURNALS, round_
            assert all(i.version == 1 for i in bulk), round_
            assert _leftovers(target) == [], round_
            outcomes["all" if bulk else "none"] += 1
            if round_ % 10 == 0:
                assert jr.verify_store(store) == [], round_
            if round_ % 20 == 0 and not bulk:  # the same file again completes the import
                book = jr.Gradebook.for_ruleset(store, ruleset, clock=demo_clock())
                jr.importing.import_file(book, ACTOR, "journals", source)
                assert len(_bulk(store)) == JOURNALS
                assert len(book.journals()) == JOURNALS + len(
                    [j for j in book.journals() if not j.startswith("bulk/")])
        finally:
            store.close()
    if sum(outcomes.values()) >= 50:  # both outcomes: kills before and after the commit point
        assert outcomes["none"] > 0, outcomes
        assert outcomes["all"] > 0, outcomes


@pytest.mark.slow
def test_sigkill_during_a_restore_then_the_same_restore_completes(work_dir: Path) -> None:
    """The restore writes in steps of 100 events (the default is 5,000, which would make this
    archive of about 430 events one atomic step), so kills also land between steps."""
    tmp_path = work_dir
    source = tmp_path / "source"
    url = _registry(source)
    store = jr.open_store(url)
    book = jr.Gradebook.for_ruleset(store, jr.default_ruleset(), clock=demo_clock())
    jr.importing.import_file(book, ACTOR, "journals", _journals_file(tmp_path / "journals.csv"))
    archive = tmp_path / "backup.jsonl.gz"
    expected = {i.name: (i.version, i.last_hash) for i in store.streams()}
    info = jr.backup_store(store, archive, actor="it-admin", at=demo_clock().now())
    store.close()
    target = tmp_path / "restored"
    target_url = f"tinydb://{target}"

    def restore() -> None:
        opened = jr.open_store(target_url)
        jr.restore_store(archive, opened, step=100, trust_unsigned=True)
        opened.close()

    full = _timed(restore)
    rng = random.Random(13)
    outcomes = {"nothing": 0, "part": 0, "all": 0}
    for round_ in _rounds():
        shutil.rmtree(target, ignore_errors=True)
        finished = _run_killed(restore, rng.uniform(0.0, full))
        opened = jr.open_store(target_url)
        try:
            heads = {i.name: (i.version, i.last_hash) for i in opened.streams()}
            # Whatever is there is the archive's: known streams, no further than the archive.
            assert all(name in expected and head[0] <= expected[name][0]
                       for name, head in heads.items()), round_
            assert _leftovers(target) == [], round_
            assert not finished or heads == expected, round_
            outcomes["all" if heads == expected else "part" if heads else "nothing"] += 1
            if heads != expected and round_ % 5 == 0:
                # the same restore completes it
                again = jr.restore_store(archive, opened, step=100, trust_unsigned=True)
                assert again.events == info.events
                assert {i.name: (i.version, i.last_hash)
                        for i in opened.streams()} == expected, round_
                assert jr.verify_store(opened) == [], round_
        finally:
            opened.close()
    if sum(outcomes.values()) >= 50:  # kills landed between two steps of the restore
        assert outcomes["part"] > 0, outcomes
