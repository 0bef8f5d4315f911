"""The bad-input corpus (``corpus.py``): every case ends in one clear error, no traceback, within
10 s of CPU time and 500 MB (each case's address space limited with RLIMIT_AS to 500 MB above the
child process's own, and a profiling timer after 10 s of CPU time: going over either is a crash,
which fails the case). CPU time, not wall-clock time, so that a busy machine cannot fail a case."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .corpus import CASES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def results() -> dict[int, dict[str, object]]:
    env = {**os.environ, "COLUMNS": "200"}
    # Two children share the corpus: the machine's cores, not the cases, set the wall time.
    halves = [[str(i) for i in range(len(CASES)) if i % 2 == k] for k in (0, 1)]
    children = [subprocess.Popen([sys.executable, "-m", "tests.hostile._run_corpus", *half],
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
                for half in halves]
    found: dict[int, dict[str, object]] = {}
    for child in children:
        out, _ = child.communicate(timeout=20 * len(CASES))
        for line in out.splitlines():
            record = json.loads(line)
            found[record["index"]] = record
    return found


def test_the_corpus_covers_every_kind_of_input() -> None:
    kinds = {c.name.split(":")[0] for c in CASES}
    assert kinds == {"ruleset", "case file", "import", "restore", "arguments"}
    assert len(CASES) >= 60


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.name for c in CASES])
def test_one_clear_error_within_bounds(results: dict[int, dict[str, object]],
                                       index: int) -> None:
    case = CASES[index]
    record = results.get(index)
    assert record is not None, "the child process died on this case (memory limit?)"
    assert not record["crash"], record["crash"]
    text = f"{record['out']}{record['err']}"
    assert "Traceback" not in text, text
    assert record["code"] in case.exits, (record["code"], text)
    assert text.strip(), "no message"
    assert case.says in text, text
    # CPU seconds (see _run_corpus): a loaded machine does not make a sound case slow.
    assert float(record["seconds"]) < 10  # type: ignore[arg-type]
    assert float(record["peak_mb"]) < 500  # type: ignore[arg-type]
