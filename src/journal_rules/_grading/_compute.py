"""Exact grading: control scores, the admission rating, the final grade, GPA.

Arithmetic is exact (``Fraction``) until a value is rounded by the ruleset's rounding rule; every
number (weights, thresholds, the scale, how codes count) comes from the :class:`Grading` section.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from journal_rules._errors import InvalidInput, Problem
from journal_rules._journal import JournalState

from ._policy import Grading, Shortfall
from ._scale import Rounding

if TYPE_CHECKING:
    from journal_rules._ruleset import Ruleset

Number = Fraction | Decimal | int


@attrs.frozen
class Grade:
    """Points with their letter, GPA points, traditional grade and whether they pass."""

    points: Decimal
    letter: str
    gpa: Decimal
    traditional: str
    passing: bool


@attrs.frozen
class FinalResult:
    """A student's result on a unit: admission rating, exam, final grade and its status
    (passed, not_admitted, exam_failed, failed, incomplete). ``grade`` is None when incomplete;
    ``parts`` holds a rating period's or an integrated unit's parts' points."""

    status: str
    rating: Decimal | None = None
    exam: Decimal | None = None
    grade: Grade | None = None
    parts: Mapping[str, Decimal | None] = attrs.field(factory=dict)

    @property
    def final(self) -> Decimal | None:
        return None if self.grade is None else self.grade.points

    @property
    def passing(self) -> bool:
        return self.grade is not None and self.grade.passing


def _mean(pairs: Iterable[tuple[Fraction, Fraction]]) -> Fraction | None:
    """The weighted mean of (value, weight) pairs; None when there are none.

    Exact, in integers: the sums are kept as unreduced numerator and denominator and reduced
    once (``Fraction`` reduces after every operation, which made grade sheets slow)."""
    total_n, total_d = 0, 1
    weight_n, weight_d = 0, 1
    for value, w in pairs:
        vn, vd = value.numerator, value.denominator
        wn, wd = w.numerator, w.denominator
        term_d = vd * wd
        if term_d == total_d:
            total_n += vn * wn
        else:
            total_n, total_d = total_n * term_d + vn * wn * total_d, total_d * term_d
        if wd == weight_d:
            weight_n += wn
        else:
            weight_n, weight_d = weight_n * wd + wn * weight_d, weight_d * wd
    if weight_n == 0:
        return None
    return Fraction(total_n * weight_d, total_d * weight_n)


# Shared by every grader (their keys say everything about their values): a mark's text parsed
# (codes are looked up before, per ruleset), and whole-point control scores by (sum, count).
_PARSED: dict[str, Fraction] = {}
_SCORES: dict[tuple[int, int], Fraction] = {}
_KEPT = 100_000  # hostile texts cannot grow them without bound


def _exact(value: Number) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


class Grader:
    """Grades computed by one ruleset's ``grading`` section and ``marks.codes``."""

    def __init__(self, grading: Grading, mark_codes: Mapping[str, str]) -> None:
        self.grading = grading
        # The code as written in a cell («н/б») -> its value, or None when left out.
        self.code_values: dict[str, Fraction | None] = {}
        self._parsed = _PARSED
        self._scores = _SCORES
        weights = grading.final.weights
        self._weights = (Fraction(weights.rating), Fraction(weights.exam))
        # The rating formula's weights as exact fractions, converted once, not per student.
        self._periods = [(p.id, Fraction(p.weight),
                          [(c, Fraction(w)) for c, w in p.controls.items()])
                         for p in grading.rating.periods]
        for name, text in mark_codes.items():
            value = grading.codes.get(name)
            self.code_values[text] = None if value is None else Fraction(value)

    @classmethod
    def of(cls, ruleset: Ruleset) -> Grader:
        """The grader of a loaded ruleset (InvalidInput when it has no ``grading`` section)."""
        if ruleset.grading is None:
            raise InvalidInput(ruleset.id, [Problem("the ruleset has no grading section",
                                                    path="grading")])
        return cls(ruleset.grading, ruleset.policy.marks.codes)

    # --- the scale ------------------------------------------------------------------------------

    def grade(self, points: Number, letter: str | None = None) -> Grade:
        """The scale's grade for ``points`` (rounded to the scale's precision first); with
        ``letter``, that letter's GPA points and traditional grade instead (an override)."""
        g = self.grading
        rounded = g.rounding.round(points)
        if not g.points.min <= rounded <= g.points.max:
            raise InvalidInput("grade", [Problem(
                f"{rounded} is outside the points {g.points.min}..{g.points.max}")])
        if letter is not None:
            band = g.band(letter)
        else:
            band = next(b for b in g.scale if b.holds(rounded))
        return Grade(rounded, band.letter, band.gpa, band.traditional, band.passing)

    # --- marks ----------------------------------------------------------------------------------

    def mark_value(self, text: str) -> Fraction | None:
        """A cell's points, or a code's value (None: the cell is left out of averages)."""
        if text in self.code_values:
            return self.code_values[text]
        if text in self._parsed:
            return self._parsed[text]
        try:
            value = Fraction(Decimal(text.replace(",", ".")))
        except ArithmeticError:
            raise InvalidInput("mark", [Problem(f"{text!r} is neither points nor a known "
                                                f"code")]) from None
        if len(self._parsed) > _KEPT:
            self._parsed.clear()
        self._parsed[text] = value  # the same few texts recur in every grid: parse once
        return value

    def control_score(self, marks: Iterable[str]) -> Fraction:
        """The mean of a student's marks in one control; ``unmarked`` when none counts."""
        values = [v for v in (self.mark_value(m) for m in marks) if v is not None]
        if not values:
            return Fraction(self.grading.unmarked)
        if all(v.denominator == 1 for v in values):  # whole points: add as integers
            key = (sum(v.numerator for v in values), len(values))
            score = self._scores.get(key)
            if score is None:  # the same few (sum, count) pairs recur in every grid
                if len(self._scores) > _KEPT:
                    self._scores.clear()
                score = self._scores[key] = Fraction(*key)
            return score
        return sum(values, Fraction(0)) / len(values)

    def student_marks(self, journal: JournalState, student: str, control: str) -> list[str]:
        return journal.marks_of(student, control)

    def has_marks(self, journal: JournalState, student: str, controls: Iterable[str]) -> bool:
        return any(journal.marks_of(student, c) for c in set(controls))

    # --- rating, exam, final --------------------------------------------------------------------

    def rating(self, journal: JournalState, student: str) -> tuple[Fraction, dict[str, Fraction]]:
        """The exact admission rating from the journal's current and milestone controls, and
        each period's score."""
        formula = self.grading.rating
        missing = sorted(set(formula.controls) - set(journal.controls))
        if missing:
            raise InvalidInput(journal.id, [Problem(
                f"the journal has no control {c!r} that the rating formula needs",
                path="grading.rating") for c in missing])
        periods: dict[str, Fraction] = {}
        for period, _, controls in self._periods:
            score = _mean((self.control_score(self.student_marks(journal, student, c)), w)
                          for c, w in controls)
            assert score is not None
            periods[period] = score
        rating = _mean((periods[p], weight) for p, weight, _ in self._periods)
        assert rating is not None
        return rating, periods

    def exam(self, journal: JournalState, student: str) -> Fraction:
        control = self.grading.exam_control
        if control not in journal.controls:
            raise InvalidInput(journal.id, [Problem(
                f"the journal has no exam control {control!r}", path="grading.exam_control")])
        return self.control_score(self.student_marks(journal, student, control))

    def final(self, rating: Number, exam: Number | None, *, admitted: bool | None = None,
              parts: Mapping[str, Decimal | None] | None = None) -> FinalResult:
        """The final grade from the admission rating and the exam.

        Not admitted (rating below ``admission_min``, or ``admitted`` False): the exam is not
        sat and ``final.not_admitted`` says the points and letter. Admitted with the exam below
        ``exam_min``: ``final.exam_failed`` does. Otherwise rating x w + exam x w.
        """
        g = self.grading
        rule = g.final
        rounding = g.rounding
        rating_value = rounding.maybe("rating", rating)
        shown_rating = rounding.round(rating_value) if "rating" in rounding.apply_to else \
            _decimal(rating_value, rounding.places)
        parts = dict(parts or {})
        if admitted is None:
            admitted = rating_value >= rule.admission_min
        if not admitted:
            grade = self._shortfall(rule.not_admitted, rating_value, Fraction(0))
            return FinalResult("not_admitted", shown_rating, None, grade, parts)
        exam_value = rounding.maybe("exam", exam if exam is not None else g.unmarked)
        shown_exam = rounding.round(exam_value) if "exam" in rounding.apply_to else \
            _decimal(exam_value, rounding.places)
        if exam_value < rule.exam_min:
            grade = self._shortfall(rule.exam_failed, rating_value, exam_value)
            return FinalResult("exam_failed", shown_rating, shown_exam, grade, parts)
        grade = self.grade(self._weighted(rating_value, exam_value))
        status = "passed" if grade.passing else "failed"
        return FinalResult(status, shown_rating, shown_exam, grade, parts)

    def _weighted(self, rating: Number, exam: Number) -> Decimal | Fraction:
        rating_weight, exam_weight = self._weights
        value = _exact(rating) * rating_weight + _exact(exam) * exam_weight
        return self.grading.rounding.maybe("final", value)

    def _shortfall(self, rule: Shortfall, rating: Number, exam: Number) -> Grade:
        match rule.points:
            case "weighted":
                points: Number = self._weighted(rating, exam)
            case "rating":
                points = rating
            case "exam":
                points = exam
            case _:
                points = 0
        return self.grade(points, rule.letter)

    def gpa(self, results: Iterable[tuple[Number, Number]]) -> Decimal | None:
        """GPA = sum(credits x GPA points) / sum(credits), rounded to ``gpa_places`` by the
        rounding mode;
        ``results`` are (credits, GPA points) pairs. None when there are no credits."""
        mean = _mean((Fraction(points), Fraction(credits)) for credits, points in results)
        if mean is None:
            return None
        rule = self.grading.rounding
        return Rounding(self.grading.gpa_places, rule.mode).round(mean)


def _decimal(value: Fraction | Decimal, places: int) -> Decimal:
    """An unrounded value shown as a Decimal: exact when it terminates, else to ``places`` + 4
    decimals (for display only; computation stays exact)."""
    if isinstance(value, Decimal):
        return value
    q = Decimal(value.numerator) / Decimal(value.denominator)
    return q.quantize(Decimal(1).scaleb(-(places + 4))) if q.as_tuple().exponent != 0 else q
