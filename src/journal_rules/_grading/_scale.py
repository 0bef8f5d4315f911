"""The letter scale and the rounding rule of a ruleset's ``grading`` section, as typed data.

Every number comes from the ruleset; this module only knows how to look a value up and how to
round exactly (``fractions.Fraction`` in, ``Decimal`` out).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import attrs

ROUNDING_MODES = frozenset({"half_up", "half_even", "down", "up"})
ROUNDED_VALUES = frozenset({"rating", "exam", "final"})


@attrs.frozen
class PointRange:
    """The range of every score: a control, a rating, an exam, a final grade."""

    min: Decimal = attrs.field(converter=Decimal)
    max: Decimal = attrs.field(converter=Decimal)


@attrs.frozen
class Rounding:
    """How scores are rounded: to ``places`` decimals with ``mode``, at the steps in ``apply_to``
    (rating, exam, final); every step before is exact."""

    places: int
    mode: str
    apply_to: tuple[str, ...] = ()

    @property
    def step(self) -> Decimal:
        return Decimal(1).scaleb(-self.places)

    def round(self, value: Fraction | Decimal | int) -> Decimal:
        """``value`` rounded to ``places`` decimals with ``mode`` (exact, no binary floats)."""
        # In integers: |value| x 10^places = whole + rest / denominator, 0 <= rest < denominator.
        if isinstance(value, int):
            numerator, denominator = value, 1
        elif isinstance(value, Fraction):
            numerator, denominator = value.numerator, value.denominator
        else:
            numerator, denominator = value.as_integer_ratio()  # exact for a Decimal
        scaled = numerator * 10**self.places
        sign = -1 if scaled < 0 else 1
        whole, rest = divmod(abs(scaled), denominator)
        half = 2 * rest  # compared with the denominator: rest against one half
        if self.mode == "half_up":
            up = half >= denominator
        elif self.mode == "half_even":
            up = half > denominator or (half == denominator and whole % 2 == 1)
        elif self.mode == "up":
            up = rest > 0
        else:  # down
            up = False
        units = sign * (whole + (1 if up else 0))
        return Decimal(units).scaleb(-self.places) if self.places else Decimal(units)

    def maybe(self, what: str, value: Fraction | Decimal | int) -> Decimal | Fraction:
        """``value`` rounded if the rule rounds ``what`` (rating, exam, final), else exact."""
        return self.round(value) if what in self.apply_to else Fraction(value)


@attrs.frozen
class Band:
    """A letter of the scale: its points (inclusive), GPA points, traditional grade, passing."""

    letter: str
    min: Decimal = attrs.field(converter=Decimal)
    max: Decimal = attrs.field(converter=Decimal)
    gpa: Decimal = attrs.field(converter=Decimal)
    traditional: str
    passing: bool

    def holds(self, points: Decimal | Fraction) -> bool:
        if isinstance(points, Decimal):  # Decimals compare exactly with each other
            return self.min <= points <= self.max
        return Fraction(self.min) <= Fraction(points) <= Fraction(self.max)
