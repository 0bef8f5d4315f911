"""The ``grading`` section of a ruleset: the scale and every grading parameter, as typed data,
validated eagerly (:meth:`Grading.problems`) so that a gap in the scale fails at load."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from decimal import Decimal

import attrs

from journal_rules._convert import bounded
from journal_rules._decision import Messages
from journal_rules._errors import Problem, suggest

from ._finishing import TIE_BREAKS
from ._scale import ROUNDED_VALUES, ROUNDING_MODES, Band, PointRange, Rounding

SHORTFALL_POINTS = frozenset({"weighted", "rating", "exam", "zero"})
AVERAGES = frozenset({"equal", "credits"})
MISSING_PART = frozenset({"zero", "skip", "incomplete"})
INTEGRATED_FAILED_PART = frozenset({"count", "not_admitted"})
MODULE_FAILED_PART = frozenset({"count", "fail"})
MODULE_AVERAGE_OF = frozenset({"final", "exam"})
STATUSES = frozenset({"passed", "not_admitted", "exam_failed", "failed", "incomplete"})


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _decimal_map(value: Mapping[str, object]) -> Mapping[str, Decimal | None]:
    return {str(k): _optional_decimal(v) for k, v in value.items()}


@attrs.frozen
class RatingPeriod:
    """A period of the admission rating (R1, R2): the weighted mean of its controls' scores."""

    id: str
    weight: Decimal = attrs.field(converter=Decimal)
    controls: Mapping[str, Decimal]


@attrs.frozen
class RatingFormula:
    """The admission rating: the weighted mean of its periods."""

    periods: tuple[RatingPeriod, ...]

    @property
    def controls(self) -> tuple[str, ...]:
        return tuple(c for p in self.periods for c in p.controls)


@attrs.frozen
class FinalWeights:
    rating: Decimal = attrs.field(converter=Decimal)
    exam: Decimal = attrs.field(converter=Decimal)


@attrs.frozen
class Shortfall:
    """What the final grade is when a threshold is not met: which points, and an optional
    letter that overrides the scale's."""

    points: str
    letter: str | None = None


@attrs.frozen
class FinalRule:
    weights: FinalWeights
    admission_min: Decimal = attrs.field(converter=Decimal)
    exam_min: Decimal = attrs.field(converter=Decimal)
    not_admitted: Shortfall
    exam_failed: Shortfall


@attrs.frozen
class IntegratedRule:
    """An integrated discipline (T6): how block ratings make the admission rating."""

    average: str
    missing_part: str
    failed_part: str


@attrs.frozen
class ModuleRule:
    """A module (T7): how modular disciplines' results make the module grade."""

    average_of: str
    average: str
    missing_part: str
    failed_part: str


@attrs.frozen
class Grading:
    """The ``grading`` section: scale, rounding, code values, rating formula, final grade rule,
    integrated rules, signature lines and row statuses."""

    id: str
    clauses: tuple[str, ...]
    points: PointRange
    rounding: Rounding
    gpa_places: int = attrs.field(metadata=bounded(0, 6))
    traditional: Mapping[str, Messages]
    scale: tuple[Band, ...]
    codes: Mapping[str, Decimal | None] = attrs.field(converter=_decimal_map)
    unmarked: Decimal = attrs.field(converter=Decimal)
    rating: RatingFormula
    exam_control: str
    final: FinalRule
    integrated: IntegratedRule
    module: ModuleRule
    signatures: tuple[str, ...]
    statuses: Mapping[str, Messages]
    # Which part finishes the teaching when several end on the same last day (T10, P11); the
    # integrated-sheet rule reads the same parameter (see ``_finishing.TIE_BREAKS``).
    finishing_tie_break: str = "starts_last"

    def band(self, letter: str) -> Band:
        for band in self.scale:
            if band.letter == letter:
                return band
        raise KeyError(letter)

    def problems(self, roles: Mapping[str, object] | None = None,
                 mark_codes: Mapping[str, str] | None = None,
                 path: str = "grading") -> list[Problem]:
        """Every inconsistency at once, with paths under ``path``; empty means sound.

        ``roles`` and ``mark_codes`` (the ruleset's ``roles`` and ``marks.codes``) let the
        signature roles and the code values be checked against the rest of the ruleset.
        """
        found = _Problems(path)
        self._check_points(found)
        found.out.extend(self._scale_problems(path))
        self._check_codes(found, mark_codes)
        self._check_rating(found)
        self._check_final(found)
        self._check_choices(found)
        self._check_names(found, roles)
        return found.out

    def _check_points(self, found: _Problems) -> None:
        lo, hi = self.points.min, self.points.max
        if lo > hi:
            found.bad("points.min is above points.max", "points")
        rounding = self.rounding
        found.one_of(rounding.mode, ROUNDING_MODES, "rounding.mode")
        if rounding.places < 0:
            found.bad("places cannot be negative", "rounding.places")
        for i, what in enumerate(rounding.apply_to):
            found.one_of(what, ROUNDED_VALUES, f"rounding.apply_to[{i}]")
        if self.gpa_places < 0:
            found.bad("places cannot be negative", "gpa_places")

    def _check_codes(self, found: _Problems, mark_codes: Mapping[str, str] | None) -> None:
        if mark_codes is not None:
            for name in sorted(set(self.codes) - set(mark_codes)):
                found.bad(f"unknown mark code {name!r} (not in marks.codes)", f"codes.{name}",
                          suggest(name, set(mark_codes)))
            for name in sorted(set(mark_codes) - set(self.codes)):
                found.bad(f"how the mark code {name!r} ({mark_codes[name]}) counts is not said",
                          "codes")
        for name, code_value in self.codes.items():
            if code_value is not None:
                self._check_in_points(found, code_value, f"codes.{name}")
        self._check_in_points(found, self.unmarked, "unmarked")

    def _check_in_points(self, found: _Problems, value: Decimal, where: str) -> None:
        lo, hi = self.points.min, self.points.max
        if not lo <= value <= hi:
            found.bad(f"{value} is outside the points {lo}..{hi}", where)

    def _check_rating(self, found: _Problems) -> None:
        periods = self.rating.periods
        if not periods:
            found.bad("the rating needs at least one period", "rating.periods")
        seen: set[str] = set()
        for i, period in enumerate(periods):
            where = f"rating.periods[{i}]"
            if period.id in seen:
                found.bad(f"period {period.id!r} is defined twice", f"{where}.id")
            seen.add(period.id)
            if period.weight <= 0:
                found.bad("a weight must be positive", f"{where}.weight")
            if not period.controls:
                found.bad("a period needs at least one control", f"{where}.controls")
            for control, weight in period.controls.items():
                if weight <= 0:
                    found.bad("a weight must be positive", f"{where}.controls.{control}")
                if control == self.exam_control:
                    found.bad("the exam control cannot be part of the rating",
                              f"{where}.controls.{control}")

    def _check_final(self, found: _Problems) -> None:
        final = self.final
        weights = final.weights
        if weights.rating < 0 or weights.exam < 0:
            found.bad("weights cannot be negative", "final.weights")
        if weights.rating + weights.exam != 1:
            found.bad(f"the weights add up to {weights.rating + weights.exam}, not 1",
                      "final.weights")
        for name in ("admission_min", "exam_min"):
            self._check_in_points(found, getattr(final, name), f"final.{name}")
        letters = {b.letter for b in self.scale}
        for name in ("not_admitted", "exam_failed"):
            shortfall: Shortfall = getattr(final, name)
            found.one_of(shortfall.points, SHORTFALL_POINTS, f"final.{name}.points")
            if shortfall.letter is not None and shortfall.letter not in letters:
                found.bad(f"unknown letter {shortfall.letter!r}", f"final.{name}.letter",
                          suggest(shortfall.letter, letters))

    def _check_choices(self, found: _Problems) -> None:
        """The parameters that name one of a fixed set of behaviours."""
        choices: tuple[tuple[str, frozenset[str], str], ...] = (
            (self.integrated.average, AVERAGES, "integrated.average"),
            (self.integrated.missing_part, MISSING_PART, "integrated.missing_part"),
            (self.integrated.failed_part, INTEGRATED_FAILED_PART, "integrated.failed_part"),
            (self.finishing_tie_break, TIE_BREAKS, "finishing_tie_break"),
            (self.module.average_of, MODULE_AVERAGE_OF, "module.average_of"),
            (self.module.average, AVERAGES, "module.average"),
            (self.module.missing_part, MISSING_PART, "module.missing_part"),
            (self.module.failed_part, MODULE_FAILED_PART, "module.failed_part"),
        )
        for value, allowed, where in choices:
            found.one_of(value, allowed, where)

    def _check_names(self, found: _Problems, roles: Mapping[str, object] | None) -> None:
        """Signature roles against the ruleset's roles; statuses against the known ones."""
        if roles is not None:
            for i, role in enumerate(self.signatures):
                if role not in roles:
                    found.bad(f"unknown role {role!r}", f"signatures[{i}]",
                              suggest(role, set(roles)))
        for name in sorted(STATUSES - set(self.statuses)):
            found.bad(f"the status {name!r} has no messages", "statuses")
        for name in sorted(set(self.statuses) - STATUSES):
            found.bad(f"unknown status {name!r}", f"statuses.{name}", suggest(name, STATUSES))

    def _scale_problems(self, path: str) -> list[Problem]:
        out: list[Problem] = []
        step = self.rounding.step if self.rounding.places >= 0 else Decimal(1)
        bands = self.scale
        if not bands:
            return [Problem("the scale has no bands", path=f"{path}.scale")]
        letters: set[str] = set()
        for i, band in enumerate(bands):
            where = f"{path}.scale[{i}]"
            if band.letter in letters:
                out.append(Problem(f"letter {band.letter!r} appears twice", path=f"{where}.letter"))
            letters.add(band.letter)
            if band.min > band.max:
                out.append(Problem("min is above max", path=where))
            for name in ("min", "max"):
                value: Decimal = getattr(band, name)
                if value % step != 0:
                    out.append(Problem(f"{value} is finer than the rounding step {step}",
                                       path=f"{where}.{name}"))
            if band.traditional not in self.traditional:
                out.append(Problem(f"unknown traditional grade {band.traditional!r}",
                                   path=f"{where}.traditional",
                                   suggestion=suggest(band.traditional, set(self.traditional))))
        order = sorted(range(len(bands)), key=lambda i: (bands[i].min, bands[i].max))
        first, last = bands[order[0]], bands[order[-1]]
        if first.min != self.points.min:
            out.append(Problem(f"the scale starts at {first.min}, not at {self.points.min}",
                               path=f"{path}.scale[{order[0]}].min"))
        if max(b.max for b in bands) != self.points.max:
            out.append(Problem(f"the scale ends at {last.max}, not at {self.points.max}",
                               path=f"{path}.scale[{order[-1]}].max"))
        for prev_i, next_i in itertools.pairwise(order):
            prev, nxt = bands[prev_i], bands[next_i]
            where = f"{path}.scale[{next_i}].min"
            if nxt.min > prev.max + step:
                out.append(Problem(f"gap: no letter for {prev.max + step}..{nxt.min - step} "
                                   f"(between {prev.letter} and {nxt.letter})", path=where))
            elif nxt.min <= prev.max:
                out.append(Problem(f"overlap: {nxt.letter} and {prev.letter} both hold "
                                   f"{nxt.min}..{min(prev.max, nxt.max)}", path=where))
            if nxt.gpa < prev.gpa:
                out.append(Problem(f"GPA points fall as points rise ({prev.letter} {prev.gpa} > "
                                   f"{nxt.letter} {nxt.gpa})", path=f"{path}.scale[{next_i}].gpa"))
            if prev.passing and not nxt.passing:
                out.append(Problem(f"{nxt.letter} fails but the lower {prev.letter} passes",
                                   path=f"{path}.scale[{next_i}].passing"))
        return out


class _Problems:
    """Problems gathered under one path, for the checks of :meth:`Grading.problems`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.out: list[Problem] = []

    def bad(self, message: str, where: str, suggestion: str | None = None) -> None:
        self.out.append(Problem(message, path=f"{self.path}.{where}" if where else self.path,
                                suggestion=suggestion))

    def one_of(self, value: str, allowed: frozenset[str], where: str) -> None:
        if value not in allowed:
            self.bad(f"{value!r} is not one of {', '.join(sorted(allowed))}", where,
                     suggest(value, allowed))
