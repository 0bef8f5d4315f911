"""Hostile and broken ruleset / case files: one clear error within bounds, naming file and line."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.model import LANGUAGES, Messages
from journal_rules.policy import DEFAULT_RULESET
from journal_rules_cli import app

BUNDLED = jr.bundled_rulesets()[DEFAULT_RULESET]
TEXT = BUNDLED.read_text(encoding="utf-8")

# "Billion laughs": 9 levels of 9 references, 520 bytes, 9**9 values once expanded.
ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    + ["ruleset: *a8"]) + "\n"


def _problems(exc: pytest.ExceptionInfo[jr.InvalidInput]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_the_alias_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    assert len(ALIAS_BOMB.encode()) <= 520
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    tracemalloc.start()
    try:
        with pytest.raises(jr.InvalidInput, match="aliases are expanded") as caught:
            jr.load_ruleset(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024
    assert caught.value.problems[0].file == str(path)
    assert caught.value.problems[0].line is not None


def test_a_second_grants_key_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    lines = TEXT.splitlines(keepends=True)
    start = lines.index("  - id: perm-reopen\n")
    first = next(i for i in range(start, len(lines)) if lines[i].startswith("    grants:"))
    last = next(i for i in range(first, len(lines)) if lines[i].startswith("      en:"))
    # A second `grants:` after the messages of the reopening permission: teachers may reopen.
    lines.insert(last + 1, "    grants: [{role: teacher, scope: any}]\n")
    path = tmp_path / "twice.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(jr.InvalidInput) as caught:
        jr.load_ruleset(path)
    [problem] = caught.value.problems
    assert problem.line == last + 2
    assert f"lines {first + 1} and {last + 2}" in problem.message
    assert "'grants'" in problem.message


@pytest.mark.parametrize(("text", "message"), [
    ("a: &a [*a]\n", "cycle"),
    ("x: " + "[" * 200 + "]" * 200 + "\n", "nested"),
    ("x:\n" + "".join("  " * i + "- \n" for i in range(1, 100)), "nested"),
    ("day: 2024-13-45\n", "month must be in 1..12"),
    ("x: !!python/object/apply:os.system [echo]\n", "constructor"),
    ("a: 1\n\tb: 2\n", "not valid YAML"),
])
def test_broken_yaml_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(jr.InvalidInput, match=message) as caught:
        jr.load_ruleset(path)
    assert all(p.file == str(path) for p in caught.value.problems)


def test_size_is_bounded_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as f:
        f.write("# " + "x" * (3 * 1024 * 1024) + "\n")
    with pytest.raises(jr.InvalidInput, match="too large"):
        jr.load_ruleset(path)
    (tmp_path / "latin1.yaml").write_bytes(b"ruleset: caf\xe9\n")
    with pytest.raises(jr.InvalidInput, match="not UTF-8"):
        jr.load_ruleset(tmp_path / "latin1.yaml")


def test_case_files_are_read_within_the_same_bounds(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(ALIAS_BOMB.replace("ruleset: *a8", "cases: *a8"),
                                        encoding="utf-8")
    (tmp_path / "twice.yaml").write_text("cases: []\nworld: empty\ncases: []\n",
                                         encoding="utf-8")
    for name, message in (("bomb.yaml", "aliases are expanded"), ("twice.yaml", "lines 1 and 3")):
        result = CliRunner().invoke(app, ["rules", "test", str(tmp_path / name)])
        assert result.exit_code != 0
        assert isinstance(result.exception, jr.InvalidInput | SystemExit), result.exception
        assert message in str(result.exception) + result.output


# --- message templates -------------------------------------------------------------------------

def _with_template(placeholder: str) -> str:
    """The bundled ruleset with the first `{journal}` of an English message replaced."""
    match = re.search(r'en: "[^"\n]*\{journal\}', TEXT)
    assert match is not None
    return TEXT.replace(match.group(0), match.group(0).replace("{journal}", placeholder), 1)


@pytest.mark.parametrize(("placeholder", "message"), [
    ("{0}", "positional"),
    ("{}", "positional"),
    ("{journal.__class__}", "attribute or index"),
    ("{journal[0]}", "attribute or index"),
    ("{journal:>999999999}", "format specifications"),
    ("{journal!r}", "conversions"),
    ("{jurnal}", "has no fact 'jurnal'"),
    ("{journal", "not a valid message template"),
])
def test_message_templates_are_checked_at_load(placeholder: str, message: str) -> None:
    with pytest.raises(jr.InvalidInput, match=re.escape(message)) as caught:
        jr.loads_ruleset(_with_template(placeholder), "r.yaml")
    [problem] = caught.value.problems
    assert problem.path.endswith(".en")
    assert problem.line is not None


def test_phrases_are_templates_too(tmp_path: Path) -> None:
    path = tmp_path / "phrased.yaml"
    path.write_text(
        "ruleset: {id: phrased, extends: kaznmu-sop-2021}\nrules:\n  - id: close-deadline\n"
        "    phrases:\n      done_on:\n        absent: {ru: нет, kk: жоқ, en: not yet}\n"
        "        present: {ru: '{done_on}', kk: '{done_on}', en: '{0}'}\n", encoding="utf-8")
    with pytest.raises(jr.InvalidInput, match="positional") as caught:
        jr.load_ruleset(path)
    assert caught.value.problems[0].path.endswith("phrases.done_on.present.en")


def test_a_known_field_of_another_kind_is_not_known_here() -> None:
    # `{month}` is a fact of periodic rules, not of a permission's refusal.
    with pytest.raises(jr.InvalidInput, match="has no fact 'month'"):
        jr.loads_ruleset(_with_template("{month}"), "r.yaml")


def test_every_bundled_message_names_only_known_facts() -> None:
    ruleset = jr.default_ruleset()
    checked = 0
    for rule in ruleset.rules:
        fields = rule.fields()  # the kind's facts, or more where the rule's settings add some
        if fields is None:  # a kind that declares none: the form only
            continue
        checked += 1
        for messages in (rule.messages, rule.pending):
            if messages is None:
                continue
            for lang in LANGUAGES:
                for name in re.findall(r"\{(\w+)\}", messages.get(lang)):
                    assert name in fields, (rule.id, name)
    assert checked >= 20


def test_a_message_built_in_code_never_crashes_rendering() -> None:
    messages = Messages("{0} {a.b}", "{x[1]}", "{", )
    assert messages.render("ru", {"a": 1}) == "{0} {a.b}"
    assert messages.render("en", {}) == "{"


# --- numeric bounds and extends ----------------------------------------------------------------

@pytest.mark.parametrize(("before", "after", "message"), [
    ("gpa_places: 2", "gpa_places: 100000", "out of bounds (0..6)"),
    ("unmarked: 0", "unmarked: 1e999", "within bounds"),
    ("    value: 3\n", "    value: 99999999999999999999\n", "out of bounds"),
    ("    value: 3\n", "    value: 5000\n", "out of bounds (0..3660)"),
    ("    value: 3\n", "    value: -1\n", "out of bounds (0..3660)"),
])
def test_numbers_have_bounds(before: str, after: str, message: str) -> None:
    assert before in TEXT
    with pytest.raises(jr.InvalidInput, match=re.escape(message)) as caught:
        jr.loads_ruleset(TEXT.replace(before, after, 1), "r.yaml")
    assert caught.value.problems[0].line is not None


def test_schema_declares_the_bounds() -> None:
    assert '"maximum": 3660' in str(jr.rules.ruleset_json_schema()).replace("'", '"')


def test_extends_only_reaches_bundled_rulesets_and_files_beside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "base.yaml").write_text(TEXT, encoding="utf-8")
    here = tmp_path / "here"
    here.mkdir()
    for target in (str(outside / "base.yaml"), "../outside/base.yaml", "/etc/passwd",
                   "../outside/base"):
        mine = here / "mine.yaml"
        mine.write_text(f"ruleset: {{id: mine, extends: {target!r}}}\n", encoding="utf-8")
        with pytest.raises(jr.InvalidInput, match="unknown base ruleset"):
            jr.load_ruleset(mine)
    # A symbolic link beside the file that leads elsewhere does not count as beside it.
    (here / "link.yaml").symlink_to(outside / "base.yaml")
    mine.write_text("ruleset: {id: mine, extends: link}\n", encoding="utf-8")
    with pytest.raises(jr.InvalidInput, match="unknown base ruleset"):
        jr.load_ruleset(mine)
    # Explicitly allowed: a folder given to extends_from.
    mine.write_text("ruleset: {id: mine, extends: base}\n", encoding="utf-8")
    loaded = jr.load_ruleset(mine, extends_from=(outside,))
    assert loaded.id == "mine"
    (here / "base.yaml").write_text(TEXT, encoding="utf-8")
    assert jr.load_ruleset(mine).id == "mine"
