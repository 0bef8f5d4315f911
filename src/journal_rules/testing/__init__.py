"""The testing kit: the storage conformance suite (and, later, the compliance kit).

Importing this package imports pytest and hypothesis; the core never imports it.
"""

from ._conformance import (
    UNICODE_SAMPLES,
    StorageConformance,
    StoreOpener,
    append_retrying,
    make_events,
)

__all__ = [
    "UNICODE_SAMPLES",
    "StorageConformance",
    "StoreOpener",
    "append_retrying",
    "make_events",
]
