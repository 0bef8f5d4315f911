"""Integrated grades of an ИД (T6) and a module (T7), hand-computed, with a missing and a failed
part under each policy; the finishing department (T10)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import journal_rules as jr
from journal_rules.grading import (
    BlockRating,
    FinalResult,
    Grader,
    PartResult,
    finishing_department,
    finishing_part,
    integrated_discipline,
    module_grade,
)
from journal_rules.model import CourseKind, CoursePart, CourseUnit

RULESET = jr.default_ruleset()
GRADER = Grader.of(RULESET)


def _grader(old: str, new: str) -> Grader:
    text = Path(RULESET.source).read_text(encoding="utf-8")
    assert old in text
    return Grader.of(jr.loads_ruleset(text.replace(old, new)))


def test_integrated_discipline_credit_weighted() -> None:
    # blocks 3 cr x 80 and 1 cr x 60: rating (240 + 60) / 4 = 75; final 45 + 0.4 x 90 = 81 -> B
    result = integrated_discipline(GRADER, [BlockRating("a", 3, Fraction(80)),
                                               BlockRating("b", 1, Fraction(60))],
                                      Fraction(90))
    assert (result.rating, result.exam, result.final, result.grade and result.grade.letter) == \
        (Decimal(75), Decimal(90), Decimal(81), "B")
    assert result.parts == {"a": Decimal(80), "b": Decimal(60)}


def test_integrated_discipline_equal_average() -> None:
    grader = _grader("    average: credits\n", "    average: equal\n")
    # (80 + 60) / 2 = 70; 42 + 36 = 78 -> B-
    result = integrated_discipline(grader, [BlockRating("a", 3, Fraction(80)),
                                               BlockRating("b", 1, Fraction(60))],
                                      Fraction(90))
    assert (result.rating, result.final) == (Decimal(70), Decimal(78))


def test_integrated_missing_block_policies() -> None:
    blocks = [BlockRating("a", 3, Fraction(90)), BlockRating("b", 3, None)]
    # zero (default): (90 + 0) / 2 = 45 -> not admitted, 0.6 x 45 = 27, letter F
    zero = integrated_discipline(GRADER, blocks, Fraction(90))
    assert (zero.status, zero.rating, zero.final, zero.grade and zero.grade.letter) == \
        ("not_admitted", Decimal(45), Decimal(27), "F")
    assert zero.parts["b"] is None
    skip = integrated_discipline(
        _grader("    missing_part: zero\n", "    missing_part: skip\n"), blocks, Fraction(90))
    assert (skip.status, skip.rating, skip.final) == ("passed", Decimal(90), Decimal(90))
    incomplete = integrated_discipline(
        _grader("    missing_part: zero\n", "    missing_part: incomplete\n"), blocks,
        Fraction(90))
    assert (incomplete.status, incomplete.grade) == ("incomplete", None)


def test_integrated_failed_block_policies() -> None:
    blocks = [BlockRating("a", 1, Fraction(95)), BlockRating("b", 1, Fraction(40))]
    # count (default): (95 + 40) / 2 = 67.5 -> 68; 40.8 + 32 = 72.8 -> 73, C+
    count = integrated_discipline(GRADER, blocks, Fraction(80))
    assert (count.status, count.rating, count.final) == ("passed", Decimal(68), Decimal(73))
    strict = integrated_discipline(
        _grader("    failed_part: count\n", "    failed_part: not_admitted\n"), blocks,
        Fraction(80))
    # not admitted: 0.6 x 67.5 = 40.5 -> 41 (half up), letter F
    assert (strict.status, strict.final, strict.grade and strict.grade.letter) == \
        ("not_admitted", Decimal(41), "F")


def _md(final: int, passing_exam: bool = True) -> FinalResult:
    return GRADER.final(Decimal(final), Decimal(final if passing_exam else 30))


def test_module_equal_average_of_finals() -> None:
    # 84, 71, 90 -> 245 / 3 = 81.67 -> 82, B
    parts = [PartResult("a", 2, _md(84)), PartResult("b", 2, _md(71)),
             PartResult("c", 4, _md(90))]
    result = module_grade(GRADER, parts)
    assert (result.status, result.final, result.grade and result.grade.letter) == \
        ("passed", Decimal(82), "B")
    weighted = module_grade(_grader("    average: equal\n", "    average: credits\n"), parts)
    # (2 x 84 + 2 x 71 + 4 x 90) / 8 = 670 / 8 = 83.75 -> 84
    assert weighted.final == Decimal(84)


def test_module_missing_part_policies() -> None:
    parts = [PartResult("a", 2, _md(80)), PartResult("b", 2, None)]
    assert module_grade(GRADER, parts).status == "incomplete"  # default
    zero = module_grade(_grader("    missing_part: incomplete\n",
                                   "    missing_part: zero\n"), parts)
    assert (zero.final, zero.grade and zero.grade.letter) == (Decimal(40), "FX")
    skip = module_grade(_grader("    missing_part: incomplete\n",
                                   "    missing_part: skip\n"), parts)
    assert skip.final == Decimal(80)


def test_module_failed_part_policies() -> None:
    failed = _md(90, passing_exam=False)  # exam 30: exam_failed, 30 points, FX
    assert (failed.status, failed.final) == ("exam_failed", Decimal(30))
    parts = [PartResult("a", 2, _md(90)), PartResult("b", 2, failed)]
    # fail (default): (90 + 30) / 2 = 60, but the module takes the failing letter FX
    result = module_grade(GRADER, parts)
    assert (result.status, result.final, result.grade and result.grade.letter) == \
        ("failed", Decimal(60), "FX")
    count = module_grade(_grader("    failed_part: fail\n", "    failed_part: count\n"),
                            parts)
    assert (count.status, count.grade and count.grade.letter) == ("passed", "C-")


def test_module_average_of_exams() -> None:
    grader = _grader("    average_of: final\n", "    average_of: exam\n")
    parts = [PartResult("a", 1, grader.final(Decimal(60), Decimal(100))),
             PartResult("b", 1, grader.final(Decimal(60), Decimal(80)))]
    assert module_grade(grader, parts).final == Decimal(90)


def _unit(*ends: tuple[str, str, date, date]) -> CourseUnit:
    return CourseUnit("u", "U", CourseKind.MODULE, "own", 4, date(2025, 9, 1),
                         date(2025, 12, 31), parts=[CoursePart(p, p, dep, 1, s, e)
                                                    for p, dep, s, e in ends])


def test_finishing_department() -> None:
    sep, oct_, dec = date(2025, 9, 1), date(2025, 10, 1), date(2025, 12, 20)
    assert finishing_department(_unit(("a", "d1", sep, oct_), ("b", "d2", oct_, dec))) == "d2"
    # tie on the end: the later start wins
    assert finishing_department(_unit(("a", "d1", sep, dec), ("b", "d2", oct_, dec))) == "d2"
    # full tie: the unit's own department, else the first part
    assert finishing_department(_unit(("a", "d1", sep, dec), ("b", "own", sep, dec))) == "own"
    assert finishing_department(_unit(("a", "d1", sep, dec), ("b", "d2", sep, dec))) == "d1"
    with pytest.raises(jr.InvalidInput):
        finishing_part(CourseUnit("d", "D", CourseKind.DISCIPLINE, "x", 1, sep, dec))
