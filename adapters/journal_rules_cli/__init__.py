"""The ``journal-rules`` command line: an adapter built only on the public API of journal_rules.

It needs the ``cli`` extra (typer, rich); without it, ``journal-rules`` says how to install it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._app import app

__all__ = ["app", "main"]

# What the ``cli`` extra installs: without one of them the command line cannot start.
CLI_PACKAGES = frozenset({"typer", "rich", "click"})
INSTALL_HINT = ("journal-rules: the command line needs the 'cli' extra (typer, rich): "
                "pip install 'journal-rules[cli]'\n")


def main() -> None:
    """Entry point of ``journal-rules``."""
    try:
        from ._app import main as run  # noqa: PLC0415 - typer and rich are an optional extra
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in CLI_PACKAGES:
            raise
        # Plain text on purpose: rich may be what is missing, and its markup would eat [cli].
        sys.stderr.write(INSTALL_HINT)
        raise SystemExit(2) from None
    run()


def __getattr__(name: str) -> Any:
    if name == "app":
        from ._app import app  # noqa: PLC0415 - typer and rich are an optional extra

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
