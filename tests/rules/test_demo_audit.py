"""Done-when of issue 9: the demo faculty's term (``run_term`` then ``complete_term``), audited,
reports exactly the findings the SOP makes on what the demo recorded, and nothing else.

Each expected finding is listed with why the SOP makes it. When a fix changes the audit, this
list changes only where the new result is what the SOP says.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import journal_rules as jr
from journal_rules.testing import complete_term, demo_gradebook
from journal_rules_cli import app

AS_OF = date(2025, 12, 31)  # after every closing, sheet and the reopening of the term

# (rule, kind, journal or subject, control)
EXPECTED_FINDINGS = sorted([
    # run_term records anat/101 until late October (its reopening ends on 25.10) before
    # complete_term catches up with the journals that ended earlier: the biochemistry modular
    # discipline (ends 6.10) and the anatomy block of the ИД (ends 23.10) are then closed late
    # (T11) ...
    *[("close-deadline", "violation", f"cell/cell-bio/{g}/2025-1", c)
      for g in ("101", "102")
      for c in ("current-1", "milestone-1", "current-2", "milestone-2", "exam")],
    *[("close-deadline", "violation", f"nerv/nerv-anat/{g}/2025-1", c)
      for g in ("101", "102")
      for c in ("current-1", "milestone-1", "current-2", "milestone-2")],
    # ... and the modular discipline's regular sheet formed late (P10).
    ("grade-sheet-deadline", "violation", "cell/cell-bio/101/2025-1", "exam"),
    ("grade-sheet-deadline", "violation", "cell/cell-bio/102/2025-1", "exam"),
    # The demo's deliberate gaps: s10201 has no marks in the modular discipline cell-bio
    # (PART_MISSING), s10103 none in the block nerv-phys (BLOCK_MISSING); closing those controls
    # with a student unmarked is a finding (T3, T15, T19).
    *[("complete-marks", "violation", journal, c)
      for journal in ("cell/cell-bio/102/2025-1", "nerv/nerv-phys/101/2025-1")
      for c in ("current-1", "milestone-1", "current-2", "milestone-2")],
    # The demo never records the ОР's term calendar (T12), backups (P9), who uploads the КТП and
    # the КТП itself (P5, P6) or the issuing of logins (T18, P8).
    ("term-deadline-calendar", "violation", "2025-1", None),
    ("monthly-backup", "violation", "2025-09", None),
    ("monthly-backup", "violation", "2025-10", None),
    ("monthly-backup", "violation", "2025-11", None),
    ("monthly-backup", "pending", "2025-12", None),
    *[(rule, "violation", unit, None) for rule in ("plan-uploaders-setup", "calendar-plan-setup")
      for unit in ("anat", "cell", "nerv")],
    *[("login-before-work", "violation", person, None)
      for person in ("curator", "dean", "head-anat", "or-head", "or-insp", "or-senior", "t-anat",
                     "t-bio", "t-phys")],
])
# Both reopenings followed the procedure: register entries (T16), not findings.
EXPECTED_REGISTER = [("reopen-register", "anat/101/2025-1", "current-1"),
                     ("reopen-register", "anat/102/2025-1", "exam")]


def _audit() -> jr.AuditReport:
    store = jr.MemoryStore()
    book = demo_gradebook(store)
    clock = book.clock
    assert isinstance(clock, jr.ManualClock)
    assert len(complete_term(book, clock)) == 13
    return jr.audit(store, jr.default_ruleset(), AS_OF)


@pytest.fixture(scope="module")
def report() -> jr.AuditReport:
    """The demo's completed term audited, once for the module's tests."""
    return _audit()


def test_the_demo_term_audits_to_exactly_the_expected_findings(report: jr.AuditReport) -> None:
    got = sorted((f.rule_id, f.kind, f.journal or f.subject, f.control)
                 for f in report.findings)
    assert got == EXPECTED_FINDINGS
    assert [(f.rule_id, f.journal, f.control) for f in report.register] == EXPECTED_REGISTER
    assert all(f.kind == "register" for f in report.register)


def test_no_false_sheet_findings(report: jr.AuditReport) -> None:
    # The integrated sheets were formed by the finishing departments (T10, P11) and no ИД/М own
    # journal or ИД block is charged a regular sheet (P10).
    assert not [f for f in report.findings if f.rule_id == "integrated-sheet"]
    charged = {f.journal or "" for f in report.findings if f.rule_id == "grade-sheet-deadline"}
    assert charged  # the rule runs: the late modular discipline's sheets are charged
    # only disciplines (anat) and modular disciplines (cell/cell-...) owe a regular sheet
    assert all(j.startswith(("anat/", "cell/cell-")) for j in charged)


def test_sanctions_name_whom_they_concern_and_list_what_they_count(
        report: jr.AuditReport) -> None:
    by = {(s.rule_id, s.subject): s for s in report.sanctions}
    teacher = by["sanctions-teacher", "t-anat"]
    assert (teacher.count, teacher.sanction) == (2, "remark")  # the two reopenings (S-teacher)
    anat = by["sanctions-department", "dep-anat"]
    assert anat.responsible == ("head-anat",)
    assert "Зав. кафедрой анатомии" in anat.message("ru")
    assert anat.count == len(anat.counted) == 10  # 2 reopenings, 8 late closings of nerv-anat
    bio = by["sanctions-department", "dep-bio"]
    assert bio.responsible == ("head-bio",)
    # 10 late closings and 2 late sheets of cell-bio, 4 closings of cell-bio/102 with s10201
    # unmarked (complete-marks: a technical error in filling, department_technical_errors)
    assert bio.count == len(bio.counted) == 16
    assert sum(c.startswith("complete-marks|") for c in bio.counted) == 4
    # dep-phys: only the 4 closings of nerv-phys/101 with s10103 unmarked (complete-marks)
    phys = by["sanctions-department", "dep-phys"]
    assert phys.responsible == ("head-phys",)
    assert (phys.count, phys.sanction) == (4, "remark")
    assert all(c.startswith("complete-marks|nerv/nerv-phys/101/") for c in phys.counted)


def test_cli_audit_lists_register_entries_apart(tmp_path: Path) -> None:
    url = f"tinydb://{tmp_path / 'store'}"
    store = jr.open_store(url)
    try:
        demo_gradebook(store)  # the demo's first reopening (anat/101, current-1)
    finally:
        store.close()
    runner = CliRunner()
    result = runner.invoke(app, ["audit", "--store", url, "--as-of", "2025-10-31",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(f["rule_id"], f["kind"], f["journal"]) for f in data["register"]] == \
        [("reopen-register", "register", "anat/101/2025-1")]
    assert not [f for f in data["findings"] if f["rule_id"] == "reopen-register"]
    result = runner.invoke(app, ["audit", "--store", url, "--as-of", "2025-10-31", "--lang",
                                 "en"])
    assert result.exit_code == 0, result.output
    assert "register  [reopen-register]" in result.output
    assert "1 register entry(ies)" in result.output
    result = runner.invoke(app, ["audit", "--store", url, "--as-of", "2025-10-31"])
    assert "реестр    [reopen-register]" in result.output  # the ruleset's language: ru
    assert "записей реестра: 1" in result.output
