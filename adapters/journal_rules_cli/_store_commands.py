"""``journal-rules store ...``: verify, back up and restore stores.

Self-contained: ``store_app`` can be mounted anywhere or run alone. Exit codes: 0 done and
sound, 1 ``verify`` found integrity problems, 2 the command failed (the message says why).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

import journal_rules as jr

store_app = typer.Typer(help="Store tools: verify, backup, restore.", no_args_is_help=True,
                        pretty_exceptions_enable=False)

StoreURL = Annotated[str, typer.Option(
    "--store", help="Store URL (tinydb://FOLDER, sqlite:///FILE, postgresql://...).",
    show_default=True)]


@contextlib.contextmanager
def _handled(url: str | None = None) -> Iterator[jr.Storage | None]:
    """Open the store (if a URL is given) and turn library errors into a message and exit 2."""
    store: jr.Storage | None = None
    try:
        if url is not None:
            store = jr.open_store(url)
        yield store
    except jr.JournalRulesError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        if store is not None:
            store.close()


@store_app.command("verify")
def verify_command(store: StoreURL = jr.DEFAULT_STORE_URL) -> None:
    """Check every stream's hash chain; print each finding; exit 1 if there is any."""
    with _handled(store) as opened:
        assert opened is not None
        findings = jr.verify_store(opened)
        streams = len(opened.streams())
    for finding in findings:
        typer.echo(f"{finding['stream']} version {finding['version']}: {finding['problem']}: "
                   f"{finding['message']}")
    if findings:
        typer.echo(f"{len(findings)} finding(s) in {store}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{store}: {streams} stream(s), every hash chain holds")


@store_app.command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(help="The archive to write (.jsonl.gz).")],
    actor: Annotated[str, typer.Option("--actor", help="Id of the person making the backup.")],
    store: StoreURL = jr.DEFAULT_STORE_URL,
    ruleset: Annotated[Path | None, typer.Option(
        "--ruleset", help="Ruleset deciding who may record backups (default: bundled).")] = None,
) -> None:
    """Write a verified archive of the store and record a backup_made event (P9); the actor
    must be allowed to record backups by the ruleset."""
    rules = jr.load_ruleset(ruleset) if ruleset else jr.default_ruleset()
    with _handled(store) as opened:
        assert opened is not None
        # The command line is the edge of the system: here the wall clock is the right one.
        info = jr.backup_store(opened, file, actor=actor, at=datetime.now(UTC), ruleset=rules)
    typer.echo(f"{file}: {info.events} event(s) in {info.streams} stream(s), "
               f"sha256 {info.sha256}")


@store_app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="The archive to restore.")],
    store: StoreURL = jr.DEFAULT_STORE_URL,
) -> None:
    """Verify an archive completely, then load it into an empty store."""
    with _handled(store) as opened:
        assert opened is not None
        info = jr.restore_store(file, opened)
    typer.echo(f"restored {info.events} event(s) in {info.streams} stream(s) from {file} "
               f"into {store}")
