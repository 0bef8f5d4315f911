"""``journal-rules generate``: a synthetic university's term, for benchmarks and trials."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

import journal_rules as jr


def generate(
    store: Annotated[str, typer.Option("--store", help="Store URL to fill (must be empty).")],
    students: Annotated[int, typer.Option(help="How many students.")] = 12_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same store.")]
    = 1,
    ruleset: Annotated[Path | None, typer.Option(
        help="Ruleset file whose policy the generated commands must pass (default: bundled).")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress lines.")] = False,
) -> None:
    """Generate a KazNMU-size university (about 500 groups, 6-10 units each, a 15-week term)
    with marks, late entries, absences, substitutions and reopenings."""
    policy = (jr.load_ruleset(ruleset) if ruleset else jr.default_ruleset()).policy
    opened = jr.open_store(store)
    started = time.perf_counter()
    try:
        report = jr.generate_university(
            opened, policy, jr.GeneratorSettings(students=students, seed=seed),
            progress=None if quiet else (lambda line: typer.echo(line, err=True)))
    finally:
        opened.close()
    figures = {**report.as_dict(), "seconds": round(time.perf_counter() - started, 2)}
    typer.echo(json.dumps(figures, ensure_ascii=False))
