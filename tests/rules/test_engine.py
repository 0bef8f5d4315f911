"""The durable_rules defects and how the engine contains them (journal_rules._rules._engine)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from journal_rules import RulesEngineError
from journal_rules._rules._engine import CompiledRules, validate_condition

LATE = {("late", "violation"): {"$and": [{"rule": "late"}, {"$gt": {"elapsed": 3}}]}}


def _facts(n: int, prefix: str = "f") -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{i}", "rule": "late", "elapsed": i % 7} for i in range(n)]


def test_facts_that_match_nothing_and_identical_facts_are_handled() -> None:
    engine = CompiledRules(LATE)
    fired = engine.evaluate([{"id": "a", "rule": "other"}, {"id": "b", "rule": "late",
                                                            "elapsed": 4}])
    assert [(f.rule_id, f.fact_id) for f in fired] == [("late", "b")]
    # The same facts again: a fresh session, no MessageObservedException.
    assert engine.evaluate([{"id": "b", "rule": "late", "elapsed": 4}]) == fired
    with pytest.raises(RulesEngineError, match="unique"):
        engine.evaluate([{"id": "x", "rule": "late"}, {"id": "x", "rule": "late"}])


def test_an_exception_inside_an_action_is_not_swallowed() -> None:
    def boom(rule_id: str, fact_id: str) -> None:
        raise RuntimeError("broken action")

    engine = CompiledRules(LATE, action_hook=boom)
    with pytest.raises(RulesEngineError, match="broken action"):
        engine.evaluate(_facts(3))


def test_malformed_conditions_are_refused_before_compiling() -> None:
    assert validate_condition({"$gt": {"elapsed": "3"}})
    assert validate_condition({"$gte": {"elapsed": True}})
    assert validate_condition({"$between": {"elapsed": 3}})
    assert validate_condition({"$and": []})
    assert not validate_condition({"$or": [{"rule": "x"}, {"$lte": {"n": 2}}]})
    with pytest.raises(RulesEngineError, match="compares with a number"):
        CompiledRules({("r", "violation"): {"$gt": {"elapsed": "3"}}})


def test_no_background_threads_and_no_state_rule_loops() -> None:
    before = threading.active_count()
    engine = CompiledRules(LATE)
    assert len(engine.evaluate(_facts(50))) == sum(1 for i in range(50) if i % 7 > 3)
    assert threading.active_count() == before


def test_threads_lose_no_firing() -> None:
    engine = CompiledRules(LATE)
    expected = sum(1 for i in range(300) if i % 7 > 3)
    counts: list[int] = []
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for r in range(5):
                counts.append(len(engine.evaluate(_facts(300, f"t{t}r{r}-"))))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert counts == [expected] * 40


@pytest.mark.slow
def test_full_university_scale_no_fact_is_rejected() -> None:
    """~60,000 distinct facts (more than a university's journals x controls) in small sessions:
    every one is seen and evaluated, none is lost to durable_rules' 32-bit fact identity."""
    engine = CompiledRules(LATE)
    total = fired = 0
    for journal in range(3000):
        facts = [{"id": f"close|j{journal:05d}|c{c}|{n}", "rule": "late", "elapsed": c + n}
                 for c in range(5) for n in range(4)]
        fired += len(engine.evaluate(facts))
        total += len(facts)
    assert total == 60000
    assert engine.stats["facts"] == total
    assert fired == 3000 * sum(1 for c in range(5) for n in range(4) if c + n > 3)
