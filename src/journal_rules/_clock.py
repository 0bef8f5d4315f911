"""Time comes from a clock object, never from a hidden call: an injected clock makes every
decision reproducible (Drools' pseudo clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from ._errors import InvalidInput, Problem


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, time-zone aware."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to: for tests, scenarios and replays."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise InvalidInput("clock", [Problem("the start must carry a time zone")])
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise InvalidInput("clock", [Problem("the moment must carry a time zone")])
        self._now = moment

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now
