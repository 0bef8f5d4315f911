"""SIGKILL at random moments: every acknowledged append survives, no batch is half there, and
the store verifies. The writer is forked from this process (cheap) and killed mid-loop."""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from journal_rules import open_store, verify_store
from journal_rules._storage import chain
from journal_rules.storage import NewEvent, StoredEvent
from journal_rules.testing._conformance import T0

KILLS = 100


def _writer(url: str, stream: str, out: int) -> None:
    """The child: append batches of 1-5 events forever, reporting each acknowledged version."""
    store = open_store(url)
    head: StoredEvent | None = None
    rng = random.Random(os.getpid())
    batch = 0
    while True:
        batch += 1
        size = rng.randint(1, 5)
        events = chain(stream, head, [
            NewEvent("mark_entered", "t", T0 + timedelta(seconds=batch),
                     data={"batch": batch, "size": size, "mark": "н/б"})
            for _ in range(size)])
        store.append(stream, 0 if head is None else head.version, events)
        head = events[-1]
        os.write(out, f"{head.version}\n".encode())


def _crash_rounds(url: str, seed: int) -> None:
    rng = random.Random(seed)
    for round_ in range(KILLS):
        stream = f"crash:{round_}"
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            try:
                os.close(read_end)
                _writer(url, stream, write_end)
            finally:
                os._exit(0)
        os.close(write_end)
        # Wait for two acknowledgements: the writer is then in its steady append loop however
        # loaded the machine is (a fixed sleep alone made "was it busy?" depend on the load),
        # and the kill lands at a random moment within that loop.
        first = b""
        while first.count(b"\n") < 2:
            chunk = os.read(read_end, 4096)
            assert chunk, round_  # the writer died on its own
            first += chunk
        time.sleep(rng.uniform(0.0, 0.1))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(read_end, "rb") as pipe:
            acknowledged = [int(v) for v in (first + pipe.read()).split()]
        store = open_store(url)
        try:
            events = list(store.read(stream))
            assert [e.version for e in events] == list(range(1, len(events) + 1))
            if acknowledged:
                assert len(events) >= acknowledged[-1], (round_, acknowledged[-1])
            batches = Counter(e.data["batch"] for e in events)
            sizes = {e.data["batch"]: e.data["size"] for e in events}
            assert all(batches[b] == sizes[b] for b in batches), round_  # whole batches only
            assert sum(1 for e in store.read_recorded() if e.stream == stream) == len(events)
            assert verify_store(store) == []
        finally:
            store.close()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["tinydb", "sqlite"])
def test_sigkill_loses_no_acknowledged_append(tmp_path: Path, kind: str) -> None:
    url = f"tinydb://{tmp_path}/store" if kind == "tinydb" else f"sqlite:///{tmp_path}/store.db"
    open_store(url).close()
    _crash_rounds(url, seed=1234 if kind == "tinydb" else 4321)
