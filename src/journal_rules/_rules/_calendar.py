"""Counting days: calendar days or working days (weekends, Kazakhstan's public holidays from the
``holidays`` package, and the university's own dates), per a ruleset's ``calendar`` section.

"Within N days of D" means: the due date is the N-th counted day after D (D itself is day 0), and
something done on the due date is on time. In calendar mode every day counts; in working mode only
days that are not a weekend day, not a public holiday and not one of the university's own
non-working days count, while the university's extra working days (a moved Saturday) do count.
A moment is turned into a date in the ruleset's UTC offset.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from typing import Literal

import attrs

DayCounting = Literal["calendar", "working"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_cache: dict[tuple[str, int], frozenset[date]] = {}
_cache_lock = threading.Lock()


def public_holidays(country: str, year: int) -> frozenset[date]:
    """A country's public holidays of one year (cached; the ``holidays`` package's data)."""
    key = (country, year)
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            # The holidays package loads its country data slowly: only a working-day count pays.
            import holidays  # noqa: PLC0415

            found = frozenset(holidays.country_holidays(country, years=year))
            _cache[key] = found
        return found


@attrs.frozen
class CalendarSpec:
    """The ``calendar`` section of a ruleset.

    ``days``: how deadlines count by default (``calendar`` or ``working``); a rule may override it.
    ``country``: whose public holidays are non-working (ISO code for ``holidays``; null for none).
    ``weekend``: the weekly days off. ``non_working``: the university's own days off.
    ``working``: days that are working although they would not be (a moved working Saturday).
    ``utc_offset``: the local time of the university, to turn recorded moments into dates.
    ``academic_year_starts``: month and day (``MM-DD``) the academic year starts on.
    """

    days: DayCounting = "calendar"
    country: str | None = "KZ"
    weekend: tuple[str, ...] = ("sat", "sun")
    non_working: tuple[date, ...] = ()
    working: tuple[date, ...] = ()
    utc_offset: str = "+05:00"
    academic_year_starts: str = "09-01"


class Calendar:
    """Day arithmetic under a :class:`CalendarSpec`."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self._weekend = frozenset(WEEKDAYS.index(d) for d in spec.weekend if d in WEEKDAYS)
        self._off = frozenset(spec.non_working)
        self._on = frozenset(spec.working)
        sign = -1 if spec.utc_offset.startswith("-") else 1
        hours, _, minutes = spec.utc_offset.lstrip("+-").partition(":")
        self.tz = timezone(sign * timedelta(hours=int(hours or 0), minutes=int(minutes or 0)))
        month, _, day = spec.academic_year_starts.partition("-")
        self._year_start = (int(month), int(day))

    def is_working(self, day: date) -> bool:
        if day in self._on:
            return True
        if day in self._off or day.weekday() in self._weekend:
            return False
        return not (self.spec.country and day in public_holidays(self.spec.country, day.year))

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def counts(self, day: date, counting: DayCounting) -> bool:
        return counting == "calendar" or self.is_working(day)

    def add(self, start: date, days: int, counting: DayCounting) -> date:
        """The ``days``-th counted day after ``start`` (``start`` itself when ``days`` is 0)."""
        if counting == "calendar":
            return start + timedelta(days=days)
        day = start
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working(day):
                left -= 1
        return day

    def between(self, start: date, end: date, counting: DayCounting) -> int:
        """How many counted days lie in ``(start, end]``; negative when ``end`` is before."""
        if counting == "calendar":
            return (end - start).days
        if end < start:
            return -self.between(end, start, counting)
        return sum(1 for n in range(1, (end - start).days + 1)
                   if self.is_working(start + timedelta(days=n)))

    def year_start(self, on: date) -> date:
        """The first day of the academic year that ``on`` falls in."""
        month, day = self._year_start
        start = date(on.year, month, day)
        return start if on >= start else date(on.year - 1, month, day)

    def month_day_before(self, month_day: str, year_start: date) -> date:
        """The last ``MM-DD`` on or before ``year_start`` (a setup deadline of that year)."""
        month, _, day = month_day.partition("-")
        candidate = date(year_start.year, int(month), int(day))
        return candidate if candidate <= year_start else date(year_start.year - 1, int(month),
                                                               int(day))
