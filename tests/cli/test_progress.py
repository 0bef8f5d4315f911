"""Long commands show a progress bar on stderr (how many of how many, the rate, the time left),
never on stdout: ``generate`` and ``audit`` here, forced on with JOURNAL_RULES_PROGRESS=always
(a terminal is what turns it on otherwise), and off with ``never``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.testing import generate_university
from journal_rules_cli import app

runner = CliRunner()


def _generate(tmp_path: Path, setting: str) -> tuple[str, str]:
    url = f"tinydb://{tmp_path}/store"
    result = runner.invoke(app, ["generate", "--store", url, "--students", "40"],
                           env={"JOURNAL_RULES_PROGRESS": setting, "COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_generate_and_audit_draw_a_bar_on_stderr_only(tmp_path: Path) -> None:
    stdout, stderr = _generate(tmp_path, "always")
    figures = json.loads(stdout)  # stdout holds the figures alone
    assert figures["journals"] > 0
    assert "journals/s" in stderr
    assert "eta" in stderr
    assert f"/{figures['journals']}" in stderr  # done of all
    with jr.open_store(f"tinydb://{tmp_path}/store") as store:
        last = max(e.recorded_at for info in store.streams() for e in store.read(info.name))
    result = runner.invoke(app, ["audit", "--store", f"tinydb://{tmp_path}/store", "--as-of",
                                 last.date().isoformat(), "--format", "json", "--no-verify"],
                           env={"JOURNAL_RULES_PROGRESS": "always", "COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] is not None
    assert "judging journals" in result.stderr or "reading journals" in result.stderr


def test_never_means_no_bar(tmp_path: Path) -> None:
    _, stderr = _generate(tmp_path, "never")
    assert "journals/s" not in stderr


def test_the_audit_reports_its_progress_to_a_caller() -> None:
    store = jr.MemoryStore()
    generate_university(store, jr.default_ruleset().policy, students=40, seed=3)
    seen: list[tuple[str, int, int]] = []
    last = max(e.recorded_at for info in store.streams() for e in store.read(info.name))
    jr.audit(store, jr.default_ruleset(), last.date(),
             progress=lambda phase, done, total: seen.append((phase, done, total)))
    journals = sum(1 for i in store.streams() if i.name.startswith("journal:"))
    assert [s for s in seen if s[0] == "read"][-1] == ("read", journals, journals)
    judged = [s for s in seen if s[0] == "judge"]
    assert judged[-1][1] == judged[-1][2] > 0
    assert [d for _, d, _ in judged] == sorted(d for _, d, _ in judged)
