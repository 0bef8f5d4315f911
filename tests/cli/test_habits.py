"""The command line keeps the ecosystem's habits: ``-h`` on every command, no type names as
options' metavars, choices listed for --lang and --format, required options marked."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.importing import IMPORT_KINDS
from journal_rules_cli import app

runner = CliRunner()
TYPE_METAVAR = re.compile(r"<(?:bool|path|str|int|float|text|integer|list\[[^\]]*\])>",
                          re.IGNORECASE)


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    if hasattr(command, "commands"):  # a group
        for name, sub in command.commands.items():
            found.extend(_commands(sub, (*path, name)))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def test_the_tree_was_walked() -> None:
    assert {("audit",), ("rules", "lint"), ("store", "verify"), ("sheets",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "root")
def test_every_command_answers_dash_h_without_type_names(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "-h"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    # An option's value is named for what it is (URL, FILE, DATE), never by its Python type.
    options = [line for line in result.output.splitlines() if line.lstrip().startswith("-")]
    assert not [line for line in options if TYPE_METAVAR.search(line)], result.output


def test_choices_are_listed_and_required_options_marked() -> None:
    sheets = runner.invoke(app, ["sheets", "-h"], env={"COLUMNS": "200"}).output
    assert "--format [xlsx|pdf]" in sheets or "--format <xlsx|pdf>" in sheets
    assert "--lang [ru|kk|en]" in sheets or "--lang <ru|kk|en>" in sheets
    assert re.search(r"--out \w+ .*\[required\]", sheets), sheets
    audit = runner.invoke(app, ["audit", "-h"], env={"COLUMNS": "200"}).output
    assert "text|json" in audit
    refused = runner.invoke(app, ["audit", "--as-of", "2025-10-31", "--format", "yaml"])
    assert refused.exit_code == 2
    assert "yaml" in refused.output


def test_one_date_format_set_everywhere() -> None:
    iso = runner.invoke(app, ["audit", "--store", "memory://", "--as-of", "2025-10-31",
                              "--format", "json"])
    dotted = runner.invoke(app, ["audit", "--store", "memory://", "--as-of", "31.10.2025",
                                 "--format", "json"])
    assert iso.exit_code == dotted.exit_code == 0, dotted.output
    assert '"as_of": "2025-10-31"' in dotted.output
    assert iso.output == dotted.output
    bad = runner.invoke(app, ["audit", "--store", "memory://", "--as-of", "31/10/2025"])
    assert bad.exit_code == 2
    assert "YYYY-MM-DD or DD.MM.YYYY" in bad.output


def test_version_names_the_bundled_ruleset_editions() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    for name, path in jr.bundled_rulesets().items():
        assert f"{name}: {jr.load_ruleset(path).meta.id}, edition " in result.output


def test_the_import_kinds_offered_are_the_library_s() -> None:
    from journal_rules_cli._office_commands import Kind

    assert [k.value for k in Kind] == list(IMPORT_KINDS)
    assert "orgunits|people|contingent" in runner.invoke(app, ["import", "-h"],
                                                          env={"COLUMNS": "200"}).output
