"""Editions with effective dates (issue 14, item 7): the shipped ruleset and a second edition from
2026-09-01 (closing within 5 working days) judge one store, each finding by the edition in force
on its day, and each finding and refusal names its edition."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.testing import build_faculty, demo_clock
from journal_rules_cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "editions"
ALMATY = timezone(timedelta(hours=5))
runner = CliRunner()


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ALMATY).astimezone(UTC)


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store spanning both editions, written through the gradebook guarded by them."""
    url = f"tinydb://{tmp_path_factory.mktemp('editions') / 'store'}"
    store = jr.open_store(url)
    clock = demo_clock()
    editions = jr.rules.load_editions([EXAMPLE / "editions.yaml"])
    book = jr.rules.gradebook_for_editions(store, editions, clock=clock)
    build_faculty(book, clock)
    clock.set(_at(date(2025, 10, 29)))  # 7 days after current-1 ended on 22.10.2025
    book.execute("t-anat", jr.commands.CloseJournal("anat/101/2025-1", "current-1"))
    clock.set(_at(date(2026, 8, 20)))
    term = jr.model.Term("2026-1", "2026-2027", 1, date(2026, 9, 1), date(2026, 12, 31))
    unit = jr.model.CourseUnit("anat-2", "Анатомия 2", jr.model.CourseKind.DISCIPLINE,
                               "dep-anat", 5,
                         date(2026, 9, 1), date(2026, 12, 20))
    book.execute("methodist", jr.commands.LoadCurriculum(
        [term], [unit], [jr.model.CurriculumEntry(g, "anat-2", "2026-1") for g in ("101", "102")]))
    for group in ("101", "102"):
        book.execute("or-insp", jr.commands.OpenJournal(jr.model.JournalSpec(
            f"anat-2/{group}/2026-1", "anat-2", group, "2026-1", ["t-anat"],
            [jr.model.ControlPoint("current-1", jr.model.ControlKind.CURRENT, date(2026, 9, 1),
                             date(2026, 9, 16))],
            department="dep-anat")))
    # Wednesday 16.09.2026: 5 working days end on Wednesday 23.09.
    clock.set(_at(date(2026, 9, 22)))
    book.execute("t-anat", jr.commands.CloseJournal("anat-2/101/2026-1", "current-1"))
    clock.set(_at(date(2026, 9, 25)))
    book.execute("t-anat", jr.commands.CloseJournal("anat-2/102/2026-1", "current-1"))
    store.close()
    return url


def test_each_finding_is_judged_and_named_by_the_edition_of_its_day(store_url: str) -> None:
    result = runner.invoke(app, ["audit", "--store", store_url, "--as-of", "2026-10-01",
                                 "--ruleset", str(EXAMPLE / "editions.yaml"), "--format",
                                 "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [(e["id"], e["edition"]) for e in report["editions"]] == [
        ("kaznmu-sop-2021", "1"), ("kaznmu-sop-2026", "2")]
    assert report["ruleset"]["edition"] == "2"  # in force on the as-of date
    findings = report["findings"] + report["register"]
    editions = {f["ruleset"]["edition"] for f in findings}
    assert editions == {"1", "2"}
    for f in findings:
        day = f["facts"].get("start") or f["facts"].get("on")
        if day is None and f["facts"].get("month"):
            day = f"{f['facts']['month']}-01"
        day = day or f["due"] or "2026-10-01"
        assert f["ruleset"]["edition"] == ("2" if day >= "2026-09-01" else "1"), f
    closings = {(f["journal"], f["ruleset"]["edition"]): f for f in findings
                if f["rule_id"] == "close-deadline" and f["control"] == "current-1"}
    late_2025 = closings[("anat/101/2025-1", "1")]
    assert (late_2025["kind"], late_2025["due"]) == ("violation", "2025-10-25")  # 3 days
    late_2026 = closings[("anat-2/102/2026-1", "2")]
    assert (late_2026["kind"], late_2026["due"]) == ("violation", "2026-09-23")  # 5 working
    assert not any(j == "anat-2/101/2026-1" for j, _ in closings)  # 4 working days: on time
    text = runner.invoke(app, ["audit", "--store", store_url, "--as-of", "2026-10-01",
                               "--ruleset", str(ROOT / "rulesets" / "kaznmu-sop-2021.yaml"),
                               "--ruleset", str(EXAMPLE / "five-working-days.yaml"),
                               "--lang", "en"])
    assert text.exit_code == 0, text.output
    assert "[close-deadline] {edition 2} (T11" in text.output
    assert "[close-deadline] {edition 1} (T11" in text.output


def test_one_edition_alone_judges_differently(store_url: str) -> None:
    result = runner.invoke(app, ["audit", "--store", store_url, "--as-of", "2026-10-01",
                                 "--format", "json"])
    report = json.loads(result.output)
    late = {f["journal"] for f in report["findings"]
            if f["rule_id"] == "close-deadline" and f["control"] == "current-1"}
    assert "anat-2/101/2026-1" in late  # 3 calendar days: late under edition 1 alone


def test_a_decision_is_taken_and_named_by_the_edition_of_its_day(store_url: str) -> None:
    reopen = "{do: reopen, with: {journal: anat-2/101/2026-1, control: current-1}}"
    result = runner.invoke(app, ["rules", "decide", "--store", store_url, "--actor",
                                 "or-senior", "--command", reopen, "--as-of", "2026-09-28",
                                 "--ruleset", str(EXAMPLE / "editions.yaml"),
                                 "--format", "json"])
    assert result.exit_code == 2, result.output
    data = json.loads(result.output)
    assert data["ruleset"]["edition"] == "2"
    assert {r["ruleset"]["edition"] for r in data["refusals"]} == {"2"}


def test_rules_test_cases_span_an_edition_change() -> None:
    result = runner.invoke(app, ["rules", "test", str(EXAMPLE / "cases.yaml")])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("1 passed, 0 failed\n")


@pytest.mark.parametrize(("second", "says"), [
    ("in_force: {from: 2021-12-21}", "both in force from 2021-12-21"),
    ("in_force: {from: 2026-09-01, until: 2026-08-01}", "before it is in force from"),
])
def test_editions_that_do_not_follow_on_are_refused(tmp_path: Path, second: str,
                                                    says: str) -> None:
    edition = tmp_path / "two.yaml"
    edition.write_text(f"ruleset:\n  id: two\n  edition: '2'\n  extends: kaznmu-sop-2021\n"
                       f"  {second}\n", encoding="utf-8")
    with pytest.raises(jr.InvalidInput, match=says):
        jr.rules.load_editions([ROOT / "rulesets" / "kaznmu-sop-2021.yaml", edition])


def test_a_gap_or_an_overlap_between_editions_is_refused(tmp_path: Path) -> None:
    first = tmp_path / "one.yaml"
    second = tmp_path / "two.yaml"
    second.write_text("ruleset:\n  id: two\n  edition: '2'\n  extends: kaznmu-sop-2021\n"
                      "  in_force: {from: 2026-09-01}\n", encoding="utf-8")
    for until, says in (("2026-06-30", "no edition is in force from 2026-07-01 to 2026-08-31"),
                        ("2026-09-10", "after kaznmu-sop-2021-b edition 2 comes into force")):
        first.write_text("ruleset:\n  id: one\n  extends: kaznmu-sop-2021\n"
                         f"  in_force: {{from: 2021-12-21, until: {until}}}\n",
                         encoding="utf-8")
        second.write_text(second.read_text(encoding="utf-8").replace(
            "id: two", "id: kaznmu-sop-2021-b"), encoding="utf-8")
        with pytest.raises(jr.InvalidInput, match=says):
            jr.rules.load_editions([first, second])


def test_the_anchor_day_of_a_finding() -> None:
    finding = jr.Finding("r", (), "violation", "error", "journal", "j", {"start": "2026-09-16"},
                         jr.default_ruleset().policy.unknown_actor)
    assert jr.rules.finding_anchor_day(finding, date(2026, 10, 1)) == date(2026, 9, 16)
    month = jr.Finding("r", (), "violation", "error", "month", "2026-08", {"month": "2026-08"},
                       jr.default_ruleset().policy.unknown_actor, due=date(2026, 9, 5))
    assert jr.rules.finding_anchor_day(month, date(2026, 10, 1)) == date(2026, 8, 1)


def test_lint_checks_an_editions_list(tmp_path: Path) -> None:
    (tmp_path / "two.yaml").write_text("ruleset:\n  id: two\n  edition: '2'\n"
                                       "  extends: kaznmu-sop-2021\n", encoding="utf-8")
    listed = tmp_path / "editions.yaml"
    listed.write_text("editions: [kaznmu-sop-2021, two.yaml]\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "lint", str(tmp_path)])
    assert result.exit_code == 1
    assert "both in force from 2021-12-21" in result.output
    result = runner.invoke(app, ["rules", "lint", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "2 edition(s): kaznmu-sop-2021 edition 1 from 2021-12-21" in result.output
