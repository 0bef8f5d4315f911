"""``journal-rules people|journals|roles list``: the ids other commands take can be found, with
filters, in the ruleset's language or --lang, as text or JSON."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from journal_rules_cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"tinydb://{tmp_path_factory.mktemp('cli-directory') / 'store'}"
    result = runner.invoke(app, ["demo", "--store", url, "--json"])
    assert result.exit_code == 0, result.output
    return url


def _json(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def test_people_list_filters_by_role_and_department(store: str) -> None:
    everyone = _json("people", "list", "--store", store)
    teachers = _json("people", "list", "--store", store, "--role", "teacher")
    assert 0 < len(teachers) < len(everyone)
    assert all("teacher" in t["roles"] for t in teachers)  # type: ignore[operator]
    anat = _json("people", "list", "--store", store, "--role", "teacher",
                 "--department", "dep-anat")
    assert [p["id"] for p in anat] == ["t-anat", "t-anat2"]
    text = runner.invoke(app, ["people", "list", "--store", store, "--role", "teacher",
                               "--department", "dep-anat", "--lang", "en"])
    first = "t-anat\tАхметова А.А.\tTeacher (teaching staff)\tdep-anat"
    assert text.stdout.splitlines()[0] == first
    ru = runner.invoke(app, ["people", "list", "--store", store, "--role", "teacher"])
    assert "Преподаватель" in ru.stdout


def test_an_unknown_role_is_refused_with_the_nearest(store: str) -> None:
    result = runner.invoke(app, ["people", "list", "--store", store, "--role", "teachr"])
    assert result.exit_code == 2
    assert "unknown role 'teachr' (did you mean 'teacher'?)" in result.stderr


def test_journals_list_filters_by_teacher_department_and_term(store: str) -> None:
    everything = _json("journals", "list", "--store", store)
    mine = _json("journals", "list", "--store", store, "--teacher", "t-anat")
    assert "anat/101/2025-1" in [j["id"] for j in mine]
    assert 0 < len(mine) < len(everything)
    assert all("t-anat" in j["teachers"] for j in mine)  # type: ignore[operator]
    bio = _json("journals", "list", "--store", store, "--department", "dep-bio")
    assert bio
    assert all(j["department"] == "dep-bio" for j in bio)
    assert _json("journals", "list", "--store", store, "--term", "2099-1") == []


def test_roles_list_names_them_in_the_chosen_language() -> None:
    en = _json("roles", "list", "--lang", "en")
    assert {"id": "teacher", "name": "Teacher (teaching staff)"} in en
    kk = runner.invoke(app, ["roles", "list", "--lang", "kk"])
    assert kk.exit_code == 0
    assert "vice_rector\tАкадемиялық қызмет жөніндегі проректор" in kk.stdout.splitlines()


def test_show_prints_controls_a_grid_and_the_history(store: str) -> None:
    result = runner.invoke(app, ["show", "anat/101/2025-1", "--store", store, "--control",
                                 "milestone-1", "--lang", "en"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Journal anat/101/2025-1" in out
    assert "control milestone-1" in out
    assert "control current-1" not in out  # only the chosen control's grid
    grid = [line for line in out.splitlines() if "s10101" in line]
    assert len(grid) == 1
    assert "70" in grid[0]
    assert "history of the journal" in out
    assert "journal_opened" in out
    assert "journal_reopened" in out
    ru = runner.invoke(app, ["show", "anat/101/2025-1", "--store", store],
                       env={"COLUMNS": "200"})
    assert "история журнала" in ru.stdout
    unknown = runner.invoke(app, ["show", "anat/101/2025-x", "--store", store])
    assert unknown.exit_code == 2
    assert "did you mean 'anat/101/2025-1'" in unknown.stderr
