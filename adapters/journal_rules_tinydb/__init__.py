"""The TinyDB store for journal-rules: the embedded default (``tinydb://folder``).

Built only on the public API of :mod:`journal_rules`, as a third-party adapter would be, and
registered under the ``journal_rules.stores`` entry point group.
"""

from ._files import DurableJSONStorage
from ._store import DEFAULT_SEGMENT_SIZE, TinyDBStore, open_tinydb_store, stream_dirname

__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "DurableJSONStorage",
    "TinyDBStore",
    "open_tinydb_store",
    "stream_dirname",
]
