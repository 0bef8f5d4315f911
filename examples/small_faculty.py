"""Embedding journal-rules: a small faculty's term, a closing and one reopening, then its state.

Run it with ``python examples/small_faculty.py``. It uses only the public API: a store, the
bundled KazNMU ruleset, a gradebook with an explicit clock, and commands.
"""

from __future__ import annotations

import json
from datetime import date

import journal_rules as jr
from journal_rules.commands import EnterMarks
from journal_rules.model import LANGUAGES
from journal_rules.testing import build_faculty, demo_clock, run_term


def main() -> None:
    ruleset = jr.default_ruleset()
    store = jr.MemoryStore()
    clock = demo_clock()  # time is explicit: a manual clock makes the run reproducible
    book = jr.Gradebook.for_ruleset(store, ruleset, clock=clock)

    # The faculty: a Д, an ИД with two blocks, an М with three modular disciplines, two groups.
    build_faculty(book, clock)
    # A term: daily marks, a substitution, closings, and one reopening with its note and visas.
    run_term(book, clock)

    journal = "anat/101/2025-1"
    state = book.journal(journal)
    print(f"ruleset {ruleset.meta.id} edition {ruleset.meta.edition} "
          f"({ruleset.content_hash[:12]})")
    print(f"{len(book.journals())} journals; {journal} at version {state.version}")
    for control_id, control in state.controls.items():
        print(f"  {control_id:12} {control.state:17} closings={len(control.closed_at)} "
              f"reopenings={control.reopen_count} sheets={[k for k, _ in control.sheets]}")

    # Asking before doing: the guard explains a refusal in three languages.
    decision = book.check("t-bio", EnterMarks(journal, date(2025, 10, 20), {"s10101": "90"}))
    for refusal in decision.refusals:
        print(f"refused by {refusal.rule_id} {list(refusal.clauses)}:")
        for lang in LANGUAGES:
            print(f"  [{lang}] {refusal.message(lang)}")

    print(json.dumps({"grid_cells": len(state.grid), "verified": jr.verify_store(store) == []}))


if __name__ == "__main__":
    main()
