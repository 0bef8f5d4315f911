"""The CLI speaks the ruleset's declared language (KazNMU: ru) unless --lang says otherwise:
messages, table headings and labels alike; --lang takes ru, kk or en only."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules_cli import app

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"tinydb://{tmp_path_factory.mktemp('cli-lang') / 'store'}"
    result = runner.invoke(app, ["demo", "--store", url, "--json"])
    assert result.exit_code == 0, result.output
    return url


def test_the_shipped_ruleset_declares_russian() -> None:
    assert jr.default_ruleset().language == "ru"


def test_a_ruleset_language_must_be_known(tmp_path: Path) -> None:
    text = (Path(jr.bundled_rulesets()["kaznmu-sop-2021"]).read_text("utf-8")
            .replace("  language: ru\n", "  language: de\n", 1))
    with pytest.raises(jr.InvalidInput) as caught:
        jr.loads_ruleset(text, "x.yaml")
    assert any(p.path == "ruleset.language" for p in caught.value.problems)


def test_audit_defaults_to_the_ruleset_language(store: str) -> None:
    result = runner.invoke(app, ["audit", "--store", store, "--as-of", "2025-10-31"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Аудит на 2025-10-31 по kaznmu-sop-2021")
    assert "нарушение" in result.output
    assert "срок 2025-" in result.output
    assert "нарушений:" in result.output.splitlines()[-1]
    assert "violation" not in result.output


@pytest.mark.parametrize(("lang", "header", "summary"), [
    ("en", "Audit as of 2025-10-31", "violation(s)"),
    ("kk", "2025-10-31 күнгі аудит", "бұзушылықтар:"),
    ("ru", "Аудит на 2025-10-31", "нарушений:"),
])
def test_audit_lang_overrides_it(store: str, lang: str, header: str, summary: str) -> None:
    result = runner.invoke(app, ["audit", "--store", store, "--as-of", "2025-10-31",
                                 "--lang", lang], env=WIDE)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(header)
    assert summary in result.output.splitlines()[-1]


def test_lang_accepts_only_ru_kk_en(store: str) -> None:
    for command in (["audit", "--store", store, "--as-of", "2025-10-31"],
                    ["rules", "explain", "--store", store, "--as-of", "2025-10-31"],
                    ["rules", "coverage"], ["rules", "parameters"], ["demo", "--json"]):
        result = runner.invoke(app, [*command, "--lang", "de"])
        assert result.exit_code == 2, (command, result.output)
        assert "Invalid value for '--lang'" in result.output, command


def test_explain_labels_messages_and_parameter_docs_follow_the_language(store: str) -> None:
    args = ["rules", "explain", "--store", store, "--as-of", "2025-10-31", "--rule",
            "close-deadline"]
    ru = runner.invoke(app, args, env=WIDE)
    assert ru.exit_code == 0, ru.output
    assert "  факты: " in ru.output
    assert "  ответственные: " in ru.output
    assert "Заведующий кафедрой/курсом" in ru.output  # role names, not ids
    assert "параметр closing_days = 3: Журнал закрывается" in ru.output
    en = runner.invoke(app, [*args, "--lang", "en"], env=WIDE)
    assert "  facts: " in en.output
    assert "Head of department" in en.output
    assert "parameter closing_days = 3: The journal is closed" in en.output
    kk = runner.invoke(app, [*args, "--lang", "kk"], env=WIDE)
    assert "  деректер: " in kk.output
    assert "Кафедра/курс меңгерушісі" in kk.output


def test_coverage_and_parameters_speak_the_language() -> None:
    ru = runner.invoke(app, ["rules", "coverage"], env=WIDE)
    assert ru.exit_code == 0, ru.output
    assert "правила: " in ru.output
    assert "покрыто пунктов СОП" in ru.output.splitlines()[-1]
    en = runner.invoke(app, ["rules", "coverage", "--lang", "en"], env=WIDE)
    assert en.output.splitlines()[-1].endswith("behavioural clauses covered")
    kk = runner.invoke(app, ["rules", "parameters", "--lang", "kk"], env=WIDE)
    assert kk.exit_code == 0, kk.output
    assert "closing_days = 3 (СОП тармақтары: T11)" in kk.output


def test_demo_tables_follow_the_language() -> None:
    ru = runner.invoke(app, ["demo", "--store", "memory://"], env=WIDE)
    assert ru.exit_code == 0, ru.output
    assert "Журнал anat/101/2025-1" in ru.output
    assert "состояние" in ru.output
    assert "закрыт" in ru.output  # the state's name, not its id
    en = runner.invoke(app, ["demo", "--store", "memory://", "--lang", "en"], env=WIDE)
    assert "Journal anat/101/2025-1" in en.output
    assert "Audit as of 2025-10-31" in en.output
