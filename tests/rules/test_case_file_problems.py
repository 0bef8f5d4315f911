"""A ruleset test case file with a misspelt stream, command, field or key is refused as a whole,
each mistake at its file:line with the nearest valid name (nothing would otherwise check it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BAD = """\
world: demo-faculty
cases:
  - name: "mistakes"
    steps:
      - {at: "2025-10-23T10:00:00+05:00", actor: it-admin,
         record: {stream: registry/people, type: people_registered, data: {peple: []}}}
      - {at: "2025-10-23T10:00:00+05:00", actor: t-anat, do: clse,
         with: {journal: anat/101/2025-1, control: current-1}}
      - {at: "2025-10-23T11:00:00+05:00", actor: t-anat, do: close, refuse: perm-close,
         with: {journal: anat/101/2025-1, contrl: current-1}}
      - {at: "2025-10-23T12:00:00+05:00", actor: t-anat,
         record: {journal: anat/101/2025-1, type: journal_clossed, data: {control: current-1}}}
    as_of: 2025-10-26
    expect:
      findings:
        - {rule: visa-dedline, kind: violation, responsibl: head-anat}
      absnt: [note-deadline]
"""


def test_a_bad_case_file_names_each_mistake_with_line_and_suggestion(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", "from journal_rules_cli import main; main()",
         "rules", "test", str(bad)],
        capture_output=True, text=True, check=False, env={"COLUMNS": "400", "PATH": ""})
    assert result.returncode == 2, result.stdout + result.stderr
    err = " ".join(result.stderr.split())
    assert "Traceback" not in err
    assert "passed" not in result.stdout  # no case ran
    expected = [
        (6, "record.stream: unknown stream 'registry/people'", "registry:people"),
        (6, "record.data.peple: unknown field of people_registered 'peple'", "people"),
        (7, "steps[1].do: unknown command 'clse'", "close"),
        (9, "steps[2].refuse: unknown step key 'refuse'", "refused"),
        (10, "steps[2].with.contrl: unknown field of close 'contrl'", "control"),
        (12, "record.type: unknown event type 'journal_clossed'", "journal_closed"),
        (16, "findings[0].responsibl: unknown expectation key 'responsibl'", "responsible"),
        (16, "findings[0].rule: no rule 'visa-dedline' in the ruleset", "visa-deadline"),
        (17, "expect.absnt: unknown expectation key 'absnt'", "absent"),
    ]
    problems = err.split(" - ")[1:]
    for line, text, suggestion in expected:
        (problem,) = [p for p in problems if text in p]
        assert problem.startswith(f"{bad}:{line}: cases[0]."), problem
        assert problem.strip().endswith(f"(did you mean '{suggestion}'?)"), problem
    assert f"{len(expected)} problem(s)" in err

