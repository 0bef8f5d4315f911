"""One notion of "today" (issue 9, item 3): the date in the ruleset's time zone
(``calendar.utc_offset``), whatever zone the clock reports; marks for a later day are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

import journal_rules as jr
from journal_rules.commands import CloseJournal, CorrectMark, EnterMarks
from journal_rules.grading import compute_grade_sheet
from journal_rules.model import LANGUAGES
from journal_rules.testing import build_faculty, demo_clock

RULESET = jr.default_ruleset()
JOURNAL = "anat/101/2025-1"
ALMATY = timezone(timedelta(hours=5))
# 20:00 UTC on 8 September is 01:00 on 9 September in the ruleset's zone (+05:00).
INSTANT = datetime(2025, 9, 8, 20, 0, tzinfo=UTC)


class _UTCClock:
    """A system clock as a server in UTC reports it, stopped at one instant."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment.astimezone(UTC)

    def now(self) -> datetime:
        return self.moment


def _book(clock: jr.Clock) -> tuple[jr.Gradebook, jr.MemoryStore]:
    store = jr.MemoryStore()
    build = demo_clock()
    build_faculty(jr.Gradebook.for_ruleset(store, RULESET, clock=build), build)
    return jr.Gradebook.for_ruleset(store, RULESET, clock=clock), store


@pytest.mark.parametrize("clock", [_UTCClock(INSTANT), jr.ManualClock(INSTANT.astimezone(ALMATY))],
                         ids=["utc", "+05:00"])
def test_the_same_instant_gives_the_same_decision_in_any_clock_zone(clock: jr.Clock) -> None:
    book, _ = _book(clock)
    assert book.today() == date(2025, 9, 9)
    assert book.check("t-anat", EnterMarks(JOURNAL, date(2025, 9, 9), {"s10101": "80"}))
    decision = book.check("t-anat", EnterMarks(JOURNAL, date(2025, 9, 10), {"s10101": "80"}))
    (refusal,) = decision.refusals
    assert refusal.rule_id == "no-future-marks"
    assert refusal.clauses == ("T3", "T15")
    assert refusal.ruleset == RULESET.ref
    assert (refusal.facts["on"], refusal.facts["today"]) == ("2025-09-10", "2025-09-09")
    messages = {lang: refusal.message(lang) for lang in LANGUAGES}
    assert len(set(messages.values())) == 3
    assert all("2025-09-10" in text for text in messages.values())
    # A command about no particular day concerns today, in the ruleset's zone.
    (closed,) = book.execute("t-anat", CloseJournal(JOURNAL, "current-1"))
    assert closed.occurred_on == date(2025, 9, 9)


def test_a_future_mark_is_refused_and_writes_nothing() -> None:
    book, store = _book(jr.ManualClock(datetime(2025, 9, 8, 18, 0, tzinfo=UTC)))
    before = len(list(store.read("journal:" + JOURNAL)))
    with pytest.raises(jr.CommandRefused) as caught:
        book.execute("t-anat", EnterMarks(JOURNAL, date(2025, 9, 9), {"s10101": "80"}))
    assert [r.rule_id for r in caught.value.refusals] == ["no-future-marks"]
    with pytest.raises(jr.CommandRefused):
        book.execute("t-anat", CorrectMark(JOURNAL, "s10101", date(2025, 9, 9), "70",
                                              reason="исправление"))
    assert len(list(store.read("journal:" + JOURNAL))) == before
    book.execute("t-anat", EnterMarks(JOURNAL, date(2025, 9, 8), {"s10101": "80"}))


def test_a_grade_sheet_is_dated_today_in_the_ruleset_zone() -> None:
    book, _ = _book(_UTCClock(INSTANT))
    book.execute("t-anat", EnterMarks(JOURNAL, date(2025, 9, 8), {"s10101": "80"}))
    assert RULESET.grading is not None
    sheet = compute_grade_sheet(book, RULESET.grading, JOURNAL)
    assert sheet.formed_on == date(2025, 9, 9)
