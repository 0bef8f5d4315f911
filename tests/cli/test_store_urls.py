"""Stores are opened, not conjured: a URL naming no store is refused with one line and nothing
is created; ``store init`` (and the commands that make stores: ``demo``, ``generate``,
``restore``) create them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import journal_rules as jr
from journal_rules_cli import app
from journal_rules_cli._options import message

runner = CliRunner()


def _commands(url: str, tmp_path: Path) -> list[list[str]]:
    csv = tmp_path / "terms.csv"
    csv.write_text("id,name\n", encoding="utf-8")
    return [
        ["audit", "--store", url, "--as-of", "2025-10-31"],
        ["sheets", "--store", url, "--out", str(tmp_path / "out")],
        ["store", "verify", "--store", url],
        ["store", "checkpoint", "--store", url, "--actor", "it-admin"],
        ["store", "backup", str(tmp_path / "b.tar.gz"), "--store", url, "--actor", "it-admin"],
        ["import", "terms", str(csv), "--actor", "methodist", "--store", url],
    ]


def _error(result: Result) -> str:
    """What the user reads on stderr: sub-apps print it and exit 2; the other commands leave the
    library error to ``journal_rules_cli.main``, which prints it the same way."""
    if isinstance(result.exception, jr.JournalRulesError):
        return f"error: {message(result.exception)}\n"
    assert result.exit_code == 2, result.output
    return result.stderr


@pytest.mark.parametrize("scheme", ["tinydb", "sqlite"])
def test_a_missing_store_is_refused_in_one_line_and_not_created(tmp_path: Path,
                                                                scheme: str) -> None:
    missing = tmp_path / "mistyped"
    url = f"tinydb://{missing}" if scheme == "tinydb" else f"sqlite:///{missing}.db"
    for command in _commands(url, tmp_path):
        error = _error(runner.invoke(app, command))
        assert error.startswith(f"error: no store at {url} ("), (command, error)
        assert error.count("\n") == 1, error
        assert "store init" in error
        assert not list(tmp_path.glob("mistyped*")), command


def test_store_init_creates_an_empty_store_once(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path / 'new'}"
    created = runner.invoke(app, ["store", "init", "--store", url])
    assert created.exit_code == 0, created.output
    assert created.stdout == f"created an empty store at {url}\n"
    again = runner.invoke(app, ["store", "init", "--store", url])
    assert again.stdout == f"{url} is already a store; nothing changed\n"
    audit = runner.invoke(app, ["audit", "--store", url, "--as-of", "2025-10-31",
                                "--format", "jsonl", "--kind", "register"])
    assert (audit.exit_code, audit.stdout) == (0, "")
    verify = runner.invoke(app, ["store", "verify", "--store", url])
    assert verify.exit_code == 0, verify.output


def test_memory_stores_and_the_demo_need_no_init(tmp_path: Path) -> None:
    assert runner.invoke(app, ["audit", "--store", "memory://", "--as-of", "2025-10-31",
                               "--format", "jsonl"]).exit_code == 0
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    demo = runner.invoke(app, ["demo", "--store", url, "--json"])
    assert demo.exit_code == 0, demo.output
    read_only = runner.invoke(app, ["audit", "--store", url + "?read_only=1",
                                    "--as-of", "2025-10-31", "--format", "jsonl"])
    assert read_only.exit_code == 0, read_only.output
