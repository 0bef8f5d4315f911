"""A small faculty and one term of its life: the demo the README runs and tests build on.

The faculty and its term are data, the bundled worlds ``demo-faculty`` and ``demo-term``
(``journal_rules/testing/worlds/*.yaml``, steps in the format of ruleset test cases): one school,
three departments, two groups; a discipline (Д), an integrated discipline (ИД) with two blocks and
a module (М) with three modular disciplines; marks, closings, and one reopening with its
explanatory note and visas. Every step is a public command through the guarded gradebook.
"""

from __future__ import annotations

from journal_rules._clock import ManualClock
from journal_rules._gradebook import Gradebook
from journal_rules._rules._cases import load_world, play_world
from journal_rules._ruleset import Ruleset, default_ruleset
from journal_rules._storage import Storage

FACULTY = "demo-faculty"
TERM = "demo-term"


def demo_clock() -> ManualClock:
    """A manual clock where the demo faculty's world starts (20 August 2025, 09:00 UTC)."""
    return ManualClock(load_world(FACULTY).clock)


def build_faculty(book: Gradebook, clock: ManualClock) -> None:
    """Register the faculty's structure, people, contingent, curriculum and journals."""
    play_world(book, clock, FACULTY)


def run_term(book: Gradebook, clock: ManualClock) -> None:
    """Marks through the first half of the term, closings, a substitution and one reopening
    (the ``demo-term`` world's own steps, after :func:`build_faculty`)."""
    play_world(book, clock, TERM, with_base=False)


def demo_gradebook(store: Storage, ruleset: Ruleset | None = None) -> Gradebook:
    """A gradebook over ``store`` with the demo faculty and its term recorded (if not yet)."""
    ruleset = ruleset or default_ruleset()
    clock = demo_clock()
    book = Gradebook.for_ruleset(store, ruleset, clock=clock)
    if not book.journals():
        play_world(book, clock, TERM)
    return book
