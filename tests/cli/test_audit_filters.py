"""``journal-rules audit`` for people and pipelines: filters, JSON Lines and ``--fail-on`` exit
codes, run on the demo's store as a user runs them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from journal_rules_cli import app

runner = CliRunner()
AS_OF = "2025-10-31"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"tinydb://{tmp_path_factory.mktemp('cli-audit') / 'store'}"
    result = runner.invoke(app, ["demo", "--store", url, "--json"])
    assert result.exit_code == 0, result.output
    return url


def _jsonl(store: str, *args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["audit", "--store", store, "--as-of", AS_OF,
                                 "--format", "jsonl", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_jsonl_is_one_object_per_finding_register_entry_and_sanction(store: str) -> None:
    rows = _jsonl(store)
    whole = json.loads(runner.invoke(app, ["audit", "--store", store, "--as-of", AS_OF,
                                           "--format", "json"]).stdout)
    assert len(rows) == (len(whole["findings"]) + len(whole["register"])
                         + len(whole["sanctions"]))
    kinds = {r["kind"] for r in rows}
    assert kinds == {"violation", "pending", "register", "sanction"}
    assert all(r["as_of"] == AS_OF and r["rule_id"] and r["clauses"] for r in rows)


@pytest.mark.parametrize(("option", "value", "field"), [
    ("--rule", "close-deadline", "rule_id"),
    ("--department", "dep-bio", "department"),
    ("--kind", "pending", "kind"),
])
def test_a_filter_keeps_only_what_matches(store: str, option: str, value: str,
                                          field: str) -> None:
    everything = _jsonl(store)
    kept = _jsonl(store, option, value)
    assert kept, "the demo has something of each"
    assert len(kept) < len(everything)
    for row in kept:
        if row["kind"] == "sanction" and field == "department":
            assert row["subject"] == value
        else:
            assert row[field] == value


def test_clause_person_and_kind_combine(store: str) -> None:
    by_clause = _jsonl(store, "--clause", "T16")
    assert by_clause
    assert all("T16" in r["clauses"] for r in by_clause)
    by_person = _jsonl(store, "--person", "t-anat")
    assert by_person
    for row in by_person:
        people = {row.get("person"), row.get("subject"), *row["responsible"]}  # type: ignore[misc]
        assert "t-anat" in people or "t-anat" in row["facts"].get("named", [])  # type: ignore[union-attr]
    both = _jsonl(store, "--person", "t-anat", "--kind", "sanction")
    assert [r["subject"] for r in both] == ["t-anat"]
    repeated = _jsonl(store, "--kind", "sanction", "--kind", "register")
    assert {r["kind"] for r in repeated} == {"sanction", "register"}


def test_fail_on_sets_the_exit_code(store: str) -> None:
    base = ["audit", "--store", store, "--as-of", AS_OF, "--format", "jsonl"]
    assert runner.invoke(app, base).exit_code == 0
    assert runner.invoke(app, [*base, "--fail-on", "violation"]).exit_code == 1
    # Only pending obligations kept: not a violation, but --fail-on pending fails on them.
    pending = [*base, "--kind", "pending"]
    assert runner.invoke(app, [*pending, "--fail-on", "violation"]).exit_code == 0
    assert runner.invoke(app, [*pending, "--fail-on", "pending"]).exit_code == 1
    # Nothing kept: nothing to fail on.
    quiet = [*base, "--department", "no-such-department", "--fail-on", "pending"]
    result = runner.invoke(app, quiet)
    assert (result.exit_code, result.stdout) == (0, "")


def test_a_mistyped_rule_is_refused(store: str) -> None:
    result = runner.invoke(app, ["audit", "--store", store, "--as-of", AS_OF,
                                 "--rule", "close-deadlin", "--fail-on", "violation"])
    assert result.exit_code == 2
    assert "no rule 'close-deadlin'" in result.output


def test_text_output_is_filtered_and_summarised(store: str) -> None:
    result = runner.invoke(app, ["audit", "--store", store, "--as-of", AS_OF, "--lang", "en",
                                 "--kind", "register"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == "0 violation(s), 0 pending, 1 register entry(ies), 0 sanction(s)"
    assert sum(line.startswith("register") for line in lines) == 1
