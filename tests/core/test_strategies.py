"""The shipped hypothesis strategies, and the round trips they make easy to check."""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journal_rules as jr
from journal_rules._convert import converter
from journal_rules.model import (
    CalendarPlan,
    CourseKind,
    CourseUnit,
    Group,
    JournalSpec,
    Mark,
    Person,
)
from journal_rules.policy import MarkRules, mark_is_valid
from journal_rules.storage import StoredEvent
from journal_rules.testing import strategies as jst


@functools.cache
def _rules() -> MarkRules:
    return jr.default_ruleset().policy.marks


@settings(max_examples=150, deadline=None)  # the first example loads the ruleset
@given(data=st.data())
def test_valid_marks_are_accepted_and_invalid_refused(data: st.DataObject) -> None:
    rules = _rules()
    assert mark_is_valid(Mark.parse(data.draw(jst.valid_marks(rules))), rules)
    assert not mark_is_valid(Mark.parse(data.draw(jst.invalid_marks(rules))), rules)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])  # a loaded machine
@given(unit=jst.course_units(), plan=jst.calendar_plans(), spec=jst.journal_specs(),
       group=jst.groups(), person=jst.people(("teacher", "department_head")))
def test_model_round_trips_through_plain_data(unit: CourseUnit, plan: CalendarPlan,
                                              spec: JournalSpec, group: Group,
                                              person: Person) -> None:
    for value in (unit, plan, spec, group, person):
        plain = converter.unstructure(value)
        assert converter.structure(plain, type(value)) == value


@settings(max_examples=60, deadline=None)
@given(unit=jst.course_units())
def test_units_of_every_kind_have_the_right_parts(unit: CourseUnit) -> None:
    assert (unit.kind is CourseKind.DISCIPLINE) == (not unit.parts)
    assert all(p.starts <= p.ends for p in unit.parts)


@settings(max_examples=4, deadline=None)
@given(store=jst.university_terms())
def test_generated_terms_round_trip_through_records(store: jr.MemoryStore) -> None:
    events = list(store.read_recorded())
    assert events
    for event in events:
        assert StoredEvent.from_record(event.to_record()) == event
        assert event.expected_hash() == event.hash
    assert jr.verify_store(store) == []
