"""``journal-rules generate``: a synthetic university's term, for benchmarks and trials."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

from journal_rules.testing import GeneratorSettings, generate_university

from ._options import NewStoreOption, RulesetOption, load_ruleset, opened
from ._progress import progress_bar


def generate(
    store: NewStoreOption,
    students: Annotated[int, typer.Option(metavar="N", help="How many students.")] = 12_000,
    seed: Annotated[int, typer.Option(
        metavar="N", help="Random seed: the same seed gives the same store.")]
    = 1,
    ruleset: RulesetOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress lines.")] = False,
) -> None:
    """Generate a KazNMU-size university (about 500 groups, 6-10 units each, a 15-week term)
    with marks, late entries, absences, substitutions and reopenings."""
    policy = load_ruleset(ruleset).policy
    started = time.perf_counter()
    with opened(store, create=True) as handle, \
            progress_bar("journals", quiet=quiet) as progress:
        report = generate_university(
            handle, policy, GeneratorSettings(students=students, seed=seed),
            progress=None if quiet else (lambda line: typer.echo(line, err=True)),
            tick=lambda done, total, _events: progress("journals", done, total))
    figures = {**report.as_dict(), "seconds": round(time.perf_counter() - started, 2)}
    typer.echo(json.dumps(figures, ensure_ascii=False))
