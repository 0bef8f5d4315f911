"""docs/first-term.md, run as written: an empty folder, ``init``, the templates' example rows
imported in the guide's order, marks entered and a control closed through the command line,
then the audit. Nothing may be refused on the way, and the audit reports what the data
implies. Then the guide's promise about importing again: a dry run and a repeated import
change nothing (the stores' heads compared), a changed row records exactly the change."""

from __future__ import annotations

import csv
import json
import re
import shlex
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.importing import IMPORT_KINDS
from journal_rules_cli import app

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "first-term.md"
BLOCK = re.compile(r"^```(\S+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
STORE = "tinydb://school"  # the guide's store: a folder beside the files
runner = CliRunner()


def _shell_blocks() -> list[str]:
    return [m.group(2) for m in BLOCK.finditer(GUIDE.read_text("utf-8"))
            if m.group(1) == "sh"]


def _guide_commands() -> list[list[str]]:
    """The guide's ``journal-rules`` command lines, in order."""
    return [shlex.split(line)[1:] for body in _shell_blocks() for line in body.splitlines()
            if line.startswith("journal-rules ")]


def _run(args: list[str], store: str) -> str:
    argv = [store if a == STORE else a for a in args]
    result = runner.invoke(app, argv, env={"COLUMNS": "250"})
    assert result.exit_code == 0, f"{' '.join(argv)}\n{result.output}"
    assert "refused" not in result.output, result.output
    return result.output


def _heads(url: str) -> list[tuple[str, int, str]]:
    with jr.open_store(url) as store:
        return [(s.name, s.version, s.last_hash) for s in store.streams()]


@pytest.fixture
def started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, str]]:
    """The guide run up to (not including) the audit; the audit's output by --format."""
    monkeypatch.chdir(tmp_path)
    # The guide's one file besides the templates, the administrator's card, is written by a
    # here-document in the guide.
    card = re.search(r"cat > (\S+) <<'EOF'\n(.*?)^EOF$", "".join(_shell_blocks()),
                     re.MULTILINE | re.DOTALL)
    assert card is not None
    (tmp_path / card.group(1)).write_text(card.group(2), "utf-8")
    store = f"tinydb://{tmp_path / 'school'}"
    commands = _guide_commands()
    kinds = [c[1] for c in commands if c[0] == "import" and "--dry-run" not in c]
    # The guide imports every kind there is, each once, in the order templates list them.
    assert kinds == list(IMPORT_KINDS)
    outputs: dict[str, str] = {}
    for args in commands:
        outputs[args[0]] = _run(args, store)
        if args[0] == "audit":  # the same audit, as data
            outputs["audit-json"] = _run([*args, "--format", "json"], store)
    return store, outputs


def test_the_guide_starts_a_term_from_an_empty_folder(started: tuple[str, dict[str, str]]
                                                      ) -> None:
    _, outputs = started
    assert "it-admin (it_department)" in outputs["init"]
    report = json.loads(outputs["audit-json"])
    found = {(f["rule_id"], f["subject"], f.get("control")) for f in report["findings"]}
    journal = "anat/101/2025-1"
    # The example term's dates are in the past: the marks and the closing came late, the exam
    # was never closed nor its sheet formed. Nothing suggests a stranger acted.
    assert ("close-deadline", journal, "current-1") in found, found
    assert ("close-deadline", journal, "exam") in found, found
    assert ("marks-deadline", journal, "current-1") in found, found
    assert ("grade-sheet-deadline", journal, "exam") in found, found
    rules = {f["rule_id"] for f in report["findings"]}
    assert not rules & {"complete-marks", "journal-authorship", "unknown-actor"}, rules
    closed = [f for f in report["findings"] if f["rule_id"] == "close-deadline"
              and f["control"] == "current-1"]
    assert closed[0]["facts"]["done_on"] is not None
    # The contingent, curriculum and deadlines of the example year were loaded: no setup
    # finding names 2025-2026 or the term 2025-1.
    assert not [f for f in report["findings"] if f["rule_id"].endswith("-setup")
                and f["subject"] in ("2025-2026", "2025-1")]
    assert "close-deadline" in outputs["audit"]


def test_the_guide_audits_today_by_default(started: tuple[str, dict[str, str]]) -> None:
    report = json.loads(started[1]["audit-json"])
    today = datetime.now(jr.default_ruleset().policy.tz).date()
    # (the day before too: the fixture's audit may have run just before the university's
    # midnight)
    assert report["as_of"] in (today.isoformat(), (today - timedelta(days=1)).isoformat())


def test_a_dry_run_and_a_repeated_import_change_nothing(started: tuple[str, dict[str, str]],
                                                         tmp_path: Path) -> None:
    store, _ = started
    before = _heads(store)
    for kind in IMPORT_KINDS:
        actor = {"orgunits": "it-admin", "people": "it-admin", "contingent": "or-insp",
                 "uploaders": "head-anat", "plan": "t-anat", "deadlines": "or-head",
                 "journals": "or-insp"}.get(kind, "methodist")
        file = f"templates/{kind}.csv"
        dry = _run(["import", kind, file, "--actor", actor, "--store", store, "--dry-run"],
                   store)
        *records, summary = dry.strip().splitlines()
        assert records, dry
        assert all(line.startswith("unchanged ") for line in records), dry
        assert summary.endswith(f"0 new, 0 changed, {len(records)} unchanged; dry run, "
                                "nothing was recorded"), summary
        again = _run(["import", kind, file, "--actor", actor, "--store", store], store)
        assert "0 event(s) recorded" in again, again
    assert _heads(store) == before


def test_a_changed_row_records_exactly_the_change(started: tuple[str, dict[str, str]],
                                                  tmp_path: Path) -> None:
    store, _ = started
    text = (tmp_path / "templates" / "people.csv").read_text("utf-8")
    rows = list(csv.reader(text.splitlines()))
    header = rows[0]
    for row in rows[1:]:
        if row[0] == "t-anat":
            row[header.index("position")] = "доцент"
    changed = tmp_path / "people-changed.csv"
    with changed.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    before = {name: version for name, version, _ in _heads(store)}
    args = ["import", "people", str(changed), "--actor", "it-admin", "--store", store]
    dry = _run([*args, "--dry-run"], store)
    assert "changed   person t-anat (position)" in dry, dry
    assert "1 changed, 8 unchanged" in dry
    assert {name: version for name, version, _ in _heads(store)} == before
    _run(args, store)
    after = {name: version for name, version, _ in _heads(store)}
    grown = {name: after[name] - before.get(name, 0) for name in after
             if after[name] != before.get(name, 0)}
    assert grown == {"registry:people": 1}
    with jr.open_store(store) as opened:
        last = list(opened.read("registry:people"))[-1]
    people = last.data["people"]
    assert [p["id"] for p in people] == ["t-anat"]
    assert people[0]["position"] == "доцент"
