"""The ``journal-rules`` command line: an adapter built only on the public API of journal_rules."""

from ._app import app, main

__all__ = ["app", "main"]
