"""The policy author's tools (issue 14): the JSON Schema, `rules fmt`, `rules lint` on many files
with JSON and SARIF, `rules test` (-k, -x, JSON, JUnit, short YAML failures, bundled cases),
`rules coverage` of the ruleset given and `rules decide`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules._rules._format import SECTION_ORDER
from journal_rules.testing import Scenario, build_faculty, demo_clock
from journal_rules_cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
JOURNAL = "anat/101/2025-1"


def _plain(value: object) -> object:
    """YAML as an editor's schema validator sees it (dates are texts)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


def _rulesets() -> list[Path]:
    """Every ruleset of the repository: shipped, test variants and examples."""
    found = [p for folder in ("rulesets", "examples") for p in sorted((ROOT / folder).rglob(
        "*.yaml")) if isinstance(data := yaml.safe_load(p.read_text(encoding="utf-8")), dict)
        and "ruleset" in data and "cases" not in data]
    assert len(found) >= 17
    return found


# --- 1. the schema ------------------------------------------------------------------------------

def test_every_ruleset_of_the_repository_validates_against_the_schema() -> None:
    validator = jsonschema.Draft202012Validator(jr.rules.ruleset_json_schema())
    jsonschema.Draft202012Validator.check_schema(validator.schema)
    for path in _rulesets():
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(
            _plain(yaml.safe_load(path.read_text(encoding="utf-8"))))]
        assert not errors, (path, errors[:3])


@pytest.mark.parametrize(("text", "where"), [
    # a full ruleset must have every required section
    ("ruleset: {id: x, title: {ru: a, kk: b, en: c}, edition: '1'}\n", "roles"),
    # an unknown section, in a full or an extending ruleset
    ("ruleset: {id: x, extends: kaznmu-sop-2021}\nrulez: []\n", "rulez"),
    # a misspelt field of a rule an extending ruleset overrides
    ("ruleset: {id: x, extends: kaznmu-sop-2021}\nrules:\n  - {id: close-deadline, dayz: 5}\n",
     "dayz"),
    # a rule without its id cannot be merged
    ("ruleset: {id: x, extends: kaznmu-sop-2021}\nrules:\n  - {days: 5}\n", "id"),
    # a wrong type under a mapping merged into the base
    ("ruleset: {id: x, extends: kaznmu-sop-2021}\ncalendar: {days: sometimes}\n", "sometimes"),
])
def test_the_schema_rejects_what_the_loader_rejects(text: str, where: str) -> None:
    validator = jsonschema.Draft202012Validator(jr.rules.ruleset_json_schema())
    errors = list(validator.iter_errors(_plain(yaml.safe_load(text))))
    assert errors
    assert any(where in json.dumps([e.message, *[c.message for c in e.context]])
               for e in errors), [e.message for e in errors]


# --- 2. rules fmt -------------------------------------------------------------------------------

MESSY = """\
# Our edition: five working days to close.
rules:
  # the closing deadline
  - days: 5
    counting: working   # T11 read as working days
    id: close-deadline
ruleset:
  extends: 'kaznmu-sop-2021'
  id: five-days
calendar:
  utc_offset: '+05:00'
"""


def test_fmt_orders_keys_keeps_comments_and_means_the_same(tmp_path: Path) -> None:
    path = tmp_path / "five.yaml"
    path.write_text(MESSY, encoding="utf-8")
    before = jr.load_ruleset(path).content_hash
    result = runner.invoke(app, ["rules", "fmt", "--check", str(path)])
    assert result.exit_code == 1
    assert f"would reformat {path}" in result.output
    assert path.read_text(encoding="utf-8") == MESSY  # --check changes nothing
    result = runner.invoke(app, ["rules", "fmt", str(path)])
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert text == (
        "# Our edition: five working days to close.\n"
        "ruleset:\n"
        "  id: five-days\n"
        '  extends: "kaznmu-sop-2021"\n'
        "calendar:\n"
        '  utc_offset: "+05:00"\n'
        "rules:\n"
        "  # the closing deadline\n"
        "  - id: close-deadline\n"
        "    days: 5\n"
        "    counting: working   # T11 read as working days\n")
    assert jr.load_ruleset(path).content_hash == before
    assert runner.invoke(app, ["rules", "fmt", "--check", str(path)]).exit_code == 0


def test_the_shipped_rulesets_are_in_canonical_form() -> None:
    result = runner.invoke(app, ["rules", "fmt", "--check", str(ROOT / "rulesets"),
                                 str(ROOT / "examples")])
    assert result.exit_code == 0, result.output
    assert f"{len(_rulesets())} file(s), 0 to reformat" in result.output


def test_fmt_refuses_bad_yaml_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("ruleset: {id: x\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "fmt", str(path)])
    assert isinstance(result.exception, jr.InvalidInput)
    assert "broken.yaml" in str(result.exception)
    assert path.read_text(encoding="utf-8") == "ruleset: {id: x\n"


# --- 3. rules lint ------------------------------------------------------------------------------

def _broken(folder: Path) -> tuple[Path, Path]:
    folder.mkdir()
    ruleset = folder / "bad.yaml"
    ruleset.write_text("ruleset: {id: x, extends: kaznmu-sop-2021}\nrules:\n"
                       "  - {id: close-deadline, kind: deadlin}\n", encoding="utf-8")
    cases = folder / "cases.yaml"
    cases.write_text("cases:\n  - name: a\n    as_of: 2025-11-05\n    expect:\n"
                     "      findings: [close-deadlin]\n", encoding="utf-8")
    (folder / "other.yaml").write_text("anything: else\n", encoding="utf-8")  # not ours
    return ruleset, cases


def test_lint_takes_files_and_folders_and_reports_json(tmp_path: Path) -> None:
    ruleset, cases = _broken(tmp_path / "mine")
    result = runner.invoke(app, ["rules", "lint", "--format", "json", str(tmp_path / "mine"),
                                 str(ROOT / "rulesets" / "kaznmu-sop-2021.yaml")])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [f["file"] for f in data["files"]] == [
        str(ruleset), str(cases), str(ROOT / "rulesets" / "kaznmu-sop-2021.yaml")]
    assert [f["ok"] for f in data["files"]] == [False, False, True]
    first, second = data["problems"]
    assert first == {"file": str(ruleset), "line": 3, "column": 26, "code": "unknown-name",
                     "message": first["message"], "path": "rules[0].kind",
                     "suggestion": "deadline"}
    assert (second["file"], second["line"], second["code"], second["suggestion"]) == (
        str(cases), 5, "unknown-name", "close-deadline")


def test_lint_reports_sarif_for_code_review_tools(tmp_path: Path) -> None:
    ruleset, _ = _broken(tmp_path / "mine")
    result = runner.invoke(app, ["rules", "lint", "--format", "sarif", str(tmp_path / "mine")])
    assert result.exit_code == 1
    log = json.loads(result.output)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "journal-rules"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["unknown-name"]
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == ruleset.resolve().as_uri()
    assert location["region"] == {"startLine": 3, "startColumn": 26}
    assert "did you mean 'deadline'" in run["results"][0]["message"]["text"]


def test_lint_text_names_file_line_column_and_code(tmp_path: Path) -> None:
    ruleset, _ = _broken(tmp_path / "mine")
    result = runner.invoke(app, ["rules", "lint", str(ruleset)])
    assert result.exit_code == 1
    assert f"{ruleset}:3:26: unknown-name: rules[0].kind:" in result.output
    result = runner.invoke(app, ["rules", "lint", str(ROOT / "rulesets"),
                                 str(ROOT / "examples")])
    assert result.exit_code == 0, result.output
    assert ", 0 problem(s)" in result.output


# --- 4. rules test ------------------------------------------------------------------------------

FAILING = """\
cases:
  - name: closing on day 4 is late
    steps:
      - {at: "2025-10-29T10:00:00+05:00", actor: t-anat, do: close,
         with: {journal: anat/101/2025-1, control: current-1}}
    as_of: 2025-11-05
    expect:
      findings:
        - {rule: close-deadline, journal: anat/101/2025-1, due: 2025-10-24}
  - name: closing on day 4 breaks clause T11
    steps:
      - {at: "2025-10-29T10:00:00+05:00", actor: t-anat, do: close,
         with: {journal: anat/101/2025-1, control: current-1}}
    as_of: 2025-11-05
    expect:
      findings: [{clause: T11, kind: violation, journal: anat/101/2025-1}]
      absent: [{clause: R1}]
"""


def test_a_failure_shows_the_expectation_and_the_nearest_finding_in_yaml(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(FAILING, encoding="utf-8")
    result = runner.invoke(app, ["rules", "test", str(cases)])
    assert result.exit_code == 1
    assert result.output.endswith("1 passed, 1 failed\n")
    body = result.output.split("FAIL", 1)[1].split("\n", 1)[1].rsplit("1 passed", 1)[0]
    shown = yaml.safe_load(body)
    assert shown["expected finding"] == {"rule": "close-deadline", "journal": JOURNAL,
                                         "due": date(2025, 10, 24)}
    nearest = shown["nearest finding"]
    assert (nearest["rule"], nearest["due"], nearest["kind"]) == (
        "close-deadline", date(2025, 10, 25), "violation")
    assert "T11" in nearest["clauses"]
    assert "Finding(" not in result.output
    assert "{'" not in result.output


def test_k_x_json_and_junit(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(FAILING, encoding="utf-8")
    result = runner.invoke(app, ["rules", "test", str(cases), "-k", "clause and not late",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [c["name"] for c in data["cases"]] == ["closing on day 4 breaks clause T11"]
    assert "close-deadline" in data["cases"][0]["fired"]
    result = runner.invoke(app, ["rules", "test", str(cases), "-x", "--format", "junit"])
    assert result.exit_code == 1
    suite = ElementTree.fromstring(result.output.split("?>", 1)[1]).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("1", "1")  # -x: stopped at once
    failure = suite.find("testcase/failure")
    assert failure is not None
    assert "nearest finding" in (failure.text or "")
    result = runner.invoke(app, ["rules", "test", str(cases), "-k", "late and (", "-v"])
    assert result.exit_code == 1
    assert "-k" in result.output or isinstance(result.exception, jr.InvalidInput)


def test_rules_test_runs_the_bundled_cases_outside_a_clone(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "journal-rules"), "rules", "test", "-k",
         "working-days"],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("3 passed, 0 failed")


def test_an_unknown_rule_or_clause_in_an_expectation_is_an_error(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(FAILING.replace("clause: T11", "clause: T11x").replace(
        "{clause: R1}", "{rule: note-deadlin}"), encoding="utf-8")
    with pytest.raises(jr.InvalidInput) as caught:
        jr.rules.run_ruleset_tests(cases)
    problems = {(p.line, p.suggestion) for p in caught.value.problems}
    assert problems == {(16, "T11"), (17, "note-deadline")}
    scenario = Scenario(world="demo-faculty")
    with pytest.raises(jr.InvalidInput) as caught:
        scenario.expect("2025-11-05", findings=[{"clause": "T11x"}], absent=["close-deadlin"])
    assert {p.suggestion for p in caught.value.problems} == {"T11", "close-deadline"}


def test_the_plugin_collects_journal_cases_by_itself(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "mine.yaml").write_text(FAILING, encoding="utf-8")
    (tmp_path / "test_nothing.py").write_text("def test_one():\n    pass\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_nothing.py",
         "--journal-cases", "cases", "-k", "clause or one"],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed, 1 deselected" in result.stdout


# --- 5. rules coverage --------------------------------------------------------------------------

def test_coverage_measures_the_ruleset_it_is_given(tmp_path: Path) -> None:
    ruleset = tmp_path / "ten-days.yaml"
    ruleset.write_text(
        "ruleset:\n  id: ten-days\n  extends: kaznmu-sop-2021\n"
        "  behavioural_clauses: [T11, T16, X1]\n"
        "parameters:\n  closing_days: {value: 10}\n"
        "rules:\n  - id: extra-closing\n    kind: deadline\n    clauses: [X1]\n"
        "    start: reopened\n    end: closed\n    days: 2\n"
        "    responsible: [{role: teacher, scope: journal_teacher}]\n"
        "    messages: {ru: '{journal}', kk: '{journal}', en: '{journal}'}\n",
        encoding="utf-8")
    tests = ROOT / "rulesets" / "tests" / "closing-start.yaml"
    result = runner.invoke(app, ["rules", "coverage", "--ruleset", str(ruleset), "--tests",
                                 str(tests), "--format", "json", "--threshold", "30"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ruleset"]["id"] == "ten-days"
    assert data["failed"] > 0  # the 3-day cases fail under a 10-day ruleset: they were run by it
    assert "extra-closing" in data["never_fired"]
    assert "X1" in data["uncovered"]
    assert data["behavioural"]["total"] == 3
    assert data["percent"] < 100
    result = runner.invoke(app, ["rules", "coverage", "--ruleset", str(ruleset), "--tests",
                                 str(tests), "--threshold", "100", "--lang", "en"])
    assert result.exit_code == 1
    assert "rules never fired:" in result.output
    assert "extra-closing" in result.output


# --- 6. rules decide ----------------------------------------------------------------------------

CLOSE = "{do: close, with: {journal: anat/101/2025-1, control: current-1}}"


def test_decide_allows_and_refuses_on_a_world() -> None:
    result = runner.invoke(app, ["rules", "decide", "--world", "demo-faculty", "--actor",
                                 "t-anat", "--command", CLOSE, "--as-of", "2025-10-24",
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ALLOW\n")
    result = runner.invoke(app, ["rules", "decide", "--world", "demo-faculty", "--actor",
                                 "t-phys", "--command", CLOSE, "--as-of", "2025-10-24",
                                 "--format", "json"])
    assert result.exit_code == 2, result.output
    data = json.loads(result.output)
    assert data["decision"] == "refuse"
    refusal = data["refusals"][0]
    assert refusal["rule_id"] == "perm-journal-teacher"
    assert refusal["clauses"]
    assert refusal["facts"]["actor"] == "t-phys"
    assert "t-phys" in refusal["messages"]["en"]


def test_decide_reads_a_store_and_writes_nothing(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path / 'store'}"
    store = jr.open_store(url)
    clock = demo_clock()
    build_faculty(jr.Gradebook.for_ruleset(store, jr.default_ruleset(), clock=clock), clock)
    heads = {s.name: s.version for s in store.streams()}
    store.close()
    command = tmp_path / "reopen.yaml"
    command.write_text("do: reopen\nwith: {journal: anat/101/2025-1, control: current-1}\n",
                       encoding="utf-8")
    result = runner.invoke(app, ["rules", "decide", "--store", url, "--actor", "or-senior",
                                 "--command", f"@{command}", "--as-of",
                                 "2025-10-27T10:00:00+05:00", "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("REFUSE\n")
    assert "refused by [perm-reopen]" in result.output
    assert "facts:" in result.output
    store = jr.open_store(url)
    assert {s.name: s.version for s in store.streams()} == heads
    store.close()
    result = runner.invoke(app, ["rules", "decide", "--world", "demo-faculty", "--actor", "x",
                                 "--command", "{do: clos}", "--as-of", "2025-10-24"])
    assert result.exit_code == 1  # bad input: not 2, which means "refused"
    assert "unknown command 'clos'" in result.output
    assert "did you mean 'close'" in result.output


# --- 2b. formatting twice changes nothing: generated rulesets -----------------------------------

_BASE = yaml.safe_load((ROOT / "rulesets" / "kaznmu-sop-2021.yaml").read_text(encoding="utf-8"))


@st.composite
def _extending_rulesets(draw: st.DrawFn) -> str:
    """An extending ruleset made of pieces of the shipped one: any key order, block or flow
    style, comments above any key or list item."""
    doc: dict[str, object] = {"ruleset": dict(draw(st.permutations(
        [("id", "generated"), ("extends", "kaznmu-sop-2021"), ("language", "en")])))}
    if draw(st.booleans()):
        doc["calendar"] = dict(draw(st.permutations(list(_BASE["calendar"].items()))))
    names = draw(st.lists(st.sampled_from(sorted(_BASE["parameters"])), max_size=3,
                          unique=True))
    if names:
        doc["parameters"] = {n: dict(draw(st.permutations(list(_BASE["parameters"][n].items()))))
                             for n in names}
    rules = draw(st.lists(st.sampled_from(_BASE["rules"]), max_size=3, unique_by=lambda r: r["id"]))
    if rules:
        doc["rules"] = [dict(draw(st.permutations(list(r.items())))) for r in rules]
    doc = dict(draw(st.permutations(list(doc.items()))))
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10**6,
                          default_flow_style=draw(st.sampled_from([False, None])))
    lines = text.splitlines()
    marks = draw(st.sets(st.integers(0, len(lines) - 1), max_size=4))
    out = []
    for i, line in enumerate(lines):
        if i in marks:
            indent = len(line) - len(line.lstrip())
            out.append(" " * indent + f"# note {i}")
        out.append(line)
    return "\n".join(out) + "\n"


def test_fmt_twice_changes_nothing_and_keeps_meaning_and_comments() -> None:

    seen = {"reordered": 0, "commented": 0}

    @settings(max_examples=int(os.environ.get("FMT_EXAMPLES", "25")), deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(text=_extending_rulesets())
    def check(text: str) -> None:
        once = jr.rules.format_ruleset_text(text)
        assert jr.rules.format_ruleset_text(once) == once
        assert yaml.safe_load(once) == yaml.safe_load(text)
        notes = sorted(line.strip() for line in text.splitlines() if "# note" in line)
        assert sorted(line.strip() for line in once.splitlines() if "# note" in line) == notes
        top = list(yaml.safe_load(once))
        assert top == sorted(top, key=list(SECTION_ORDER).index)
        seen["reordered"] += once != text
        seen["commented"] += bool(notes)

    check()
    assert seen["reordered"] > 5
    assert seen["commented"] > 5
