"""``journal-rules init``: a new store and its first administrator, from a file or prompts;
never on a store that holds anything."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

import journal_rules as jr
from journal_rules_cli import app

runner = CliRunner()


def test_init_asks_when_there_is_no_file_and_refuses_a_second_time(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path / 'store'}"
    first = runner.invoke(app, ["init", "--store", url], input="it-1\nИванова И.И.\n")
    assert first.exit_code == 0, first.output
    with jr.open_store(url) as store:
        book = jr.Gradebook.for_ruleset(store, jr.default_ruleset())
        admin = book.directory.people["it-1"]
    assert admin.name == "Иванова И.И."
    assert admin.roles == frozenset({"it_department"})
    again = runner.invoke(app, ["init", "--store", url], input="it-2\nX\n")
    assert isinstance(again.exception, jr.StoreError)
    assert "not empty" in str(again.exception)


def test_a_bad_administrator_file_names_its_mistakes(tmp_path: Path) -> None:
    card = tmp_path / "admin.yaml"
    card.write_text("id: it-1\nnmae: Иванова\n", encoding="utf-8")
    result = runner.invoke(app, ["init", "--store", "memory://", "--admin", str(card)])
    assert isinstance(result.exception, jr.InvalidInput)
    text = str(result.exception)
    assert "nmae" in text
    assert "name" in text
