"""Run corpus cases through ``journal-rules``' real entry point, each within bounds; print one
JSON line per case. Run by ``test_corpus.py`` in a child process (``python -m``).

Memory: before each case the address space (RLIMIT_AS) is limited to what the process has plus
500 MB, so a case that needs more fails with MemoryError (reported as a crash); ``peak_mb`` is the
process's peak resident size during the case (the whole process: libraries included).
Time: 10 s of the process's CPU time (ITIMER_PROF, reported as a crash), so a loaded machine
does not make a sound case fail; a wall-clock alarm of 120 s catches a case that hangs idle."""

from __future__ import annotations

import contextlib
import io
import json
import resource
import signal
import sys
import tempfile
import traceback
from pathlib import Path
from types import FrameType

from journal_rules_cli import main

from .corpus import CASES

SECONDS = 10
WALL_SECONDS = 120
MEGABYTES = 500


def _address_space() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize")


def _peak_resident() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _timeout(signum: int, frame: FrameType | None) -> None:
    if signum == signal.SIGALRM:
        raise TimeoutError(f"more than {WALL_SECONDS} s of wall-clock time")
    raise TimeoutError(f"more than {SECONDS} s of CPU time")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(index: int, folder: Path) -> dict[str, object]:
    case = CASES[index]
    argv = case.build(folder)
    out, err = io.StringIO(), io.StringIO()
    sys.argv = ["journal-rules", *argv]
    code: object = 0
    crash = ""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    with contextlib.suppress(OSError):  # reset the peak resident size (Linux >= 4.0)
        Path("/proc/self/clear_refs").write_text("5")
    # Each case may grow the address space by at most MEGABYTES beyond what it is now.
    resource.setrlimit(resource.RLIMIT_AS, (_address_space() + MEGABYTES * 1024 * 1024, hard))
    signal.signal(signal.SIGALRM, _timeout)
    signal.signal(signal.SIGPROF, _timeout)
    signal.alarm(WALL_SECONDS)
    signal.setitimer(signal.ITIMER_PROF, SECONDS)
    started = _cpu_seconds()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = exc.code if exc.code is not None else 0
    except BaseException:
        crash = traceback.format_exc()
        code = "crash"
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.alarm(0)
        seconds = _cpu_seconds() - started
        peak = _peak_resident()
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    return {"index": index, "name": case.name, "code": code, "out": out.getvalue()[-2000:],
            "err": err.getvalue()[-2000:], "crash": crash[-4000:], "seconds": seconds,
            "peak_mb": peak / 1024 / 1024, "limit_mb": MEGABYTES}


if __name__ == "__main__":
    indices = [int(a) for a in sys.argv[1:]] or list(range(len(CASES)))
    for i in indices:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(i, Path(tmp))
        print(json.dumps(result, ensure_ascii=False), flush=True)
