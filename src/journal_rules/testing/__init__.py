"""The testing kit: a pytest plugin with fixtures, the scenario builder, hypothesis strategies
(``journal_rules.testing.strategies``), the storage conformance suite and the synthetic
university generator.

It needs pytest; the strategies and the conformance suite also need hypothesis. The core never
imports this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    "append_retrying",
    "generate_university",
    "make_events",
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
