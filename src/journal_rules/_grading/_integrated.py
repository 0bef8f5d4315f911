"""Integrated grades: the ИД's admission rating from its blocks and its one integrated exam (T6),
and the module's integrated average of its modular disciplines' results (T7).

What happens when a part is missing or failed is the ruleset's ``integrated`` / ``module``
parameters (``missing_part``: zero, skip, incomplete; ``failed_part``: count, not_admitted for an
ИД, count, fail for a module).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from ._compute import FinalResult, Grader


@attrs.frozen
class BlockRating:
    """A block's exact admission rating for one student (None: no result in that block)."""

    part: str
    credits: Decimal = attrs.field(converter=Decimal)
    rating: Fraction | None


@attrs.frozen
class PartResult:
    """A modular discipline's result for one student (None: no result)."""

    part: str
    credits: Decimal = attrs.field(converter=Decimal)
    result: FinalResult | None


def _weight(average: str, credits: Decimal) -> Fraction:
    return Fraction(credits) if average == "credits" else Fraction(1)


def integrated_discipline(grader: Grader, blocks: Sequence[BlockRating],
                          exam: Fraction | Decimal | None) -> FinalResult:
    """The ИД's final grade: its admission rating is the (equal or credit-weighted) mean of its
    blocks' ratings; the integrated exam and the final rule do the rest."""
    rule = grader.grading.integrated
    rounding = grader.grading.rounding
    shown: dict[str, Decimal | None] = {}
    pairs: list[tuple[Fraction, Fraction]] = []
    incomplete = failed = False
    for block in blocks:
        rating = block.rating
        if rating is None:
            shown[block.part] = None
            if rule.missing_part != "zero":  # "skip" leaves it out, "incomplete" says so
                incomplete |= rule.missing_part == "incomplete"
                continue
            rating = Fraction(0)
        value = rounding.maybe("rating", rating)
        if block.rating is not None:
            shown[block.part] = rounding.round(value)
        if value < grader.grading.final.admission_min:
            failed = True
        pairs.append((Fraction(value), _weight(rule.average, block.credits)))
    total = sum(w for _, w in pairs)
    if incomplete or not pairs or total == 0:
        return FinalResult("incomplete", parts=shown)
    rating_value = sum(v * w for v, w in pairs) / total
    admitted = False if failed and rule.failed_part == "not_admitted" else None
    return grader.final(rating_value, exam, admitted=admitted, parts=shown)


def module_grade(grader: Grader, parts: Sequence[PartResult]) -> FinalResult:
    """The module's integrated average of its modular disciplines' final grades (or exams), equal
    or credit-weighted; a missing or failed part follows the ``module`` parameters."""
    rule = grader.grading.module
    shown: dict[str, Decimal | None] = {}
    pairs: list[tuple[Fraction, Fraction]] = []
    incomplete = False
    failing: list[FinalResult] = []
    for part in parts:
        result = part.result
        value: Fraction | None = None
        if result is not None and result.status != "incomplete":
            if rule.average_of == "exam":
                value = Fraction(result.exam) if result.exam is not None else None
            elif result.final is not None:
                value = Fraction(result.final)
            if not result.passing:
                failing.append(result)
        shown[part.part] = None if value is None else Decimal(value.numerator) / value.denominator
        if value is None:
            if rule.missing_part != "zero":  # "skip" leaves it out, "incomplete" says so
                incomplete |= rule.missing_part == "incomplete"
                continue
            value = Fraction(0)
        pairs.append((value, _weight(rule.average, part.credits)))
    total = sum(w for _, w in pairs)
    if incomplete or not pairs or total == 0:
        return FinalResult("incomplete", parts=shown)
    mean = sum(v * w for v, w in pairs) / total
    points = grader.grading.rounding.maybe("final", mean)
    if failing and rule.failed_part == "fail":
        worst = min(failing, key=lambda r: (r.grade.gpa if r.grade else Decimal(0)))
        letter = worst.grade.letter if worst.grade is not None else None
        return FinalResult("failed", grade=grader.grade(points, letter), parts=shown)
    grade = grader.grade(points)
    return FinalResult("passed" if grade.passing else "failed", grade=grade, parts=shown)
