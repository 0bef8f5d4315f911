"""The СОУД scale from the ruleset: total, monotonic, every boundary as the ruleset says; the final
grade formula against hand-computed cases; exact rounding; eager validation of the scale."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import journal_rules as jr
from journal_rules.grading import Grader, Rounding

RULESET = jr.default_ruleset()
GRADING = RULESET.grading
assert GRADING is not None
GRADER = Grader.of(RULESET)


@given(st.decimals(min_value=0, max_value=100, places=2))
def test_scale_is_total(points: Decimal) -> None:
    grade = GRADER.grade(points)
    assert grade.letter in {b.letter for b in GRADING.scale}
    band = GRADING.band(grade.letter)
    assert band.min <= grade.points <= band.max


@given(st.decimals(min_value=0, max_value=100, places=2),
       st.decimals(min_value=0, max_value=100, places=2))
def test_scale_is_monotonic(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    g_low, g_high = GRADER.grade(low), GRADER.grade(high)
    assert g_low.gpa <= g_high.gpa
    assert not (g_low.passing and not g_high.passing)


@pytest.mark.parametrize(("points", "letter", "gpa", "traditional"), [
    (0, "F", "0", "unsatisfactory"), (24, "F", "0", "unsatisfactory"),
    (25, "FX", "0.5", "unsatisfactory"), (49, "FX", "0.5", "unsatisfactory"),
    (50, "D", "1.0", "satisfactory"), (54, "D", "1.0", "satisfactory"),
    (55, "D+", "1.33", "satisfactory"), (59, "D+", "1.33", "satisfactory"),
    (60, "C-", "1.67", "satisfactory"), (64, "C-", "1.67", "satisfactory"),
    (65, "C", "2.0", "satisfactory"), (69, "C", "2.0", "satisfactory"),
    (70, "C+", "2.33", "good"), (74, "C+", "2.33", "good"),
    (75, "B-", "2.67", "good"), (79, "B-", "2.67", "good"),
    (80, "B", "3.0", "good"), (84, "B", "3.0", "good"),
    (85, "B+", "3.33", "good"), (89, "B+", "3.33", "good"),
    (90, "A-", "3.67", "excellent"), (94, "A-", "3.67", "excellent"),
    (95, "A", "4.0", "excellent"), (100, "A", "4.0", "excellent"),
])
def test_every_boundary(points: int, letter: str, gpa: str, traditional: str) -> None:
    grade = GRADER.grade(points)
    assert (grade.letter, grade.gpa, grade.traditional) == (letter, Decimal(gpa), traditional)
    band = GRADING.band(letter)
    assert band.min <= points <= band.max  # the ruleset says so, not only this table


@pytest.mark.parametrize(("value", "mode", "expected"), [
    (Fraction(99, 2), "half_up", "50"), (Fraction(49), "half_up", "49"),
    (Fraction(989, 20), "half_up", "49"), (Fraction(99, 2), "half_even", "50"),
    (Fraction(97, 2), "half_even", "48"), (Fraction(99, 2), "down", "49"),
    (Fraction(491, 10), "up", "50"), (Fraction(200, 3), "half_up", "67"),
])
def test_rounding_is_exact(value: Fraction, mode: str, expected: str) -> None:
    assert Rounding(0, mode).round(value) == Decimal(expected)


def test_rounding_places() -> None:
    assert Rounding(2, "half_up").round(Fraction(2, 3)) == Decimal("0.67")
    assert Rounding(2, "half_up").round(Fraction(1, 8)) == Decimal("0.13")
    assert Rounding(2, "half_even").round(Fraction(1, 8)) == Decimal("0.12")


# rating, exam -> status, final points, letter (hand-computed: 0.6 x rating + 0.4 x exam)
@pytest.mark.parametrize(("rating", "exam", "status", "final", "letter"), [
    ("80", "90", "passed", "84", "B"),  # 48 + 36
    ("100", "100", "passed", "100", "A"),
    ("50", "50", "passed", "50", "D"),  # both thresholds exactly
    ("73", "68", "passed", "71", "C+"),  # 43.8 + 27.2 = 71
    ("66", "79", "passed", "71", "C+"),  # 39.6 + 31.6 = 71.2
    ("91", "99", "passed", "94", "A-"),  # 54.6 + 39.6 = 94.2
    ("92", "99", "passed", "95", "A"),  # 55.2 + 39.6 = 94.8 -> 95 (half up)
    ("49.5", "60", "passed", "54", "D"),  # rating rounds to 50: admitted; 30 + 24
    ("49.4", "90", "not_admitted", "29", "F"),  # rating 49: 0.6 x 49 = 29.4 -> 29, letter F
    ("30", None, "not_admitted", "18", "F"),
    ("90", "49", "exam_failed", "49", "FX"),  # exam points and their letter: a retake
    ("90", "24", "exam_failed", "24", "F"),
    ("90", "0", "exam_failed", "0", "F"),
])
def test_final_grade_hand_computed(rating: str, exam: str | None, status: str, final: str,
                                   letter: str) -> None:
    result = GRADER.final(Decimal(rating), None if exam is None else Decimal(exam))
    assert result.status == status
    assert result.grade is not None
    assert (result.final, result.grade.letter) == (Decimal(final), letter)
    if status == "not_admitted":
        assert result.exam is None


def test_control_scores_and_codes() -> None:
    # н/б and О count as zero by default (T19)
    assert GRADER.control_score(["80", "н/б", "О", "100"]) == Fraction(45)
    assert GRADER.control_score([]) == 0
    text = Path(RULESET.source).read_text(encoding="utf-8").replace(
        "    absent: 0\n    unprepared: 0\n", "    absent: null\n    unprepared: 10\n")
    other = Grader.of(jr.loads_ruleset(text))
    assert other.control_score(["80", "н/б", "О", "100"]) == Fraction(190, 3)  # н/б left out


def test_gpa_weighted_by_credits() -> None:
    # (5 x 4.0 + 3 x 2.33 + 2 x 0.5) / 10 = 27.99 / 10 = 2.799 -> 2.80
    assert GRADER.gpa([(5, Decimal("4.0")), (3, Decimal("2.33")), (2, Decimal("0.5"))]) == \
        Decimal("2.80")
    assert GRADER.gpa([]) is None


def _broken(old: str, new: str) -> list[jr.Problem]:
    text = Path(RULESET.source).read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(jr.InvalidInput) as caught:
        jr.loads_ruleset(text.replace(old, new), "broken.yaml")
    return list(caught.value.problems)


def test_a_gap_in_the_scale_fails_at_load_with_its_line() -> None:
    problems = _broken("{letter: D, min: 50, max: 54", "{letter: D, min: 51, max: 54")
    assert any("gap" in p.message and "50" in p.message for p in problems)
    assert all(p.file == "broken.yaml" and p.line is not None for p in problems)


def test_an_overlap_a_repeated_letter_and_bad_parameters_all_at_once() -> None:
    text = Path(RULESET.source).read_text(encoding="utf-8")
    text = text.replace("{letter: A-, min: 90, max: 94", "{letter: A, min: 89, max: 94")
    text = text.replace("weights: {rating: 0.6, exam: 0.4}", "weights: {rating: 0.6, exam: 0.5}")
    text = text.replace("    missing_part: zero\n", "    missing_part: nothing\n")
    text = text.replace("  signatures: [teacher,", "  signatures: [teachr,")
    with pytest.raises(jr.InvalidInput) as caught:
        jr.loads_ruleset(text, "broken.yaml")
    messages = " | ".join(str(p) for p in caught.value.problems)
    assert "appears twice" in messages
    assert "overlap" in messages
    assert "add up to 1.1" in messages
    assert "'nothing' is not one of" in messages
    assert "did you mean 'teacher'" in messages


def test_unknown_code_name_is_refused() -> None:
    problems = _broken("    absent: 0\n", "    absnt: 0\n")
    assert any("unknown mark code 'absnt'" in p.message for p in problems)
