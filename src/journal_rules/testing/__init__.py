"""The testing kit: a pytest plugin with fixtures, the scenario builder, hypothesis strategies
(``journal_rules.testing.strategies``), the storage conformance suite, the synthetic
university generator and the demo faculty (its worlds are YAML files in ``worlds/``).

It needs pytest; the strategies and the conformance suite also need hypothesis. The core never
imports this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journal_rules._rules._cases import World, bundled_worlds, load_world, play_world

from ._demo import build_faculty, demo_clock, demo_gradebook, run_term
from ._demo_complete import complete_term
from ._generator import GenerationReport, GeneratorSettings, generate_university
from ._scenario import Scenario, ScenarioFailed

if TYPE_CHECKING:
    from ._conformance import (
        UNICODE_SAMPLES,
        StorageConformance,
        StoreOpener,
        append_retrying,
        make_events,
    )

__all__ = [
    "UNICODE_SAMPLES",
    "GenerationReport",
    "GeneratorSettings",
    "Scenario",
    "ScenarioFailed",
    "StorageConformance",
    "StoreOpener",
    "World",
    "append_retrying",
    "build_faculty",
    "bundled_worlds",
    "complete_term",
    "demo_clock",
    "demo_gradebook",
    "generate_university",
    "load_world",
    "make_events",
    "play_world",
    "run_term",
]

_CONFORMANCE = {"UNICODE_SAMPLES", "StorageConformance", "StoreOpener", "append_retrying",
                "make_events"}


def __getattr__(name: str) -> Any:
    # The conformance suite imports hypothesis; load it only when asked for, so the pytest
    # plugin (loaded in every pytest run where journal-rules is installed) does not need it.
    if name in _CONFORMANCE:
        from . import _conformance  # noqa: PLC0415 - lazy on purpose

        return getattr(_conformance, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
