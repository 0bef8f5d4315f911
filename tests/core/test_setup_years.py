"""Setup obligations are recorded for an academic year (P1, P5): the year is required and must
read like 2025-2026, and a load recorded for one year is stored with it."""

from __future__ import annotations

from datetime import date

import pytest

import journal_rules as jr
from journal_rules.commands import AssignPlanUploaders, LoadContingent


@pytest.mark.parametrize("year", ["2026", "2026-2028", "26-27", "2026/2027"])
def test_a_malformed_academic_year_is_invalid_input(faculty, year: str) -> None:
    book, _, _ = faculty
    with pytest.raises(jr.InvalidInput) as caught:
        book.execute("or-insp", LoadContingent([], [], academic_year=year))
    assert [p.path for p in caught.value.problems] == ["academic_year"]
    with pytest.raises(jr.InvalidInput) as caught:
        book.execute("head-anat", AssignPlanUploaders(
            "dep-anat", "anat", ["t-anat"], "1", date(2025, 8, 25), academic_year=year))
    assert "academic_year" in [p.path for p in caught.value.problems]


def test_the_declared_year_is_recorded(faculty) -> None:
    book, _, store = faculty
    book.execute("head-anat", AssignPlanUploaders(
        "dep-anat", "anat", ["t-anat"], "1", date(2025, 8, 25), academic_year="2026-2027"))
    assert book.directory.plan_uploaders["anat"].academic_year == "2026-2027"
    events = list(store.read("registry:contingent"))
    assert [e.data["academic_year"] for e in events] == ["2025-2026"]
