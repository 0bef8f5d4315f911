"""Choosing a store by URL. Adapters register a factory under the ``journal_rules.stores`` entry
point group, named by URL scheme; the core knows only ``memory://``."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from urllib.parse import urlsplit

from ._errors import StoreError, suggest
from ._storage import MemoryStore, Storage

ENTRY_POINT_GROUP = "journal_rules.stores"
DEFAULT_STORE_URL = "tinydb://journal-store"
"""The embedded default: a TinyDB store in the folder ``journal-store`` of the working directory."""

StoreFactory = Callable[[str], Storage]

_registered: dict[str, StoreFactory] = {"memory": lambda url: MemoryStore()}


def register_store(scheme: str, factory: StoreFactory) -> None:
    """Register a store factory for a URL scheme at run time (entry points do it at install)."""
    _registered[scheme] = factory


def store_schemes() -> dict[str, StoreFactory]:
    """Every known URL scheme and its factory: built-in, registered, and from entry points."""
    found: dict[str, StoreFactory] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, _lazy(ep.name))
    found.update(_registered)
    return found


def _lazy(scheme: str) -> StoreFactory:
    def load(url: str) -> Storage:
        (ep,) = [e for e in entry_points(group=ENTRY_POINT_GROUP) if e.name == scheme]
        try:
            factory = ep.load()
        except ImportError as exc:
            raise StoreError(
                f"the store adapter for {scheme}:// cannot be imported ({exc}); "
                "install the extra that brings its dependencies"
            ) from exc
        store: Storage = factory(url)
        return store
    return load


def open_store(url: str | None = None) -> Storage:
    """Open the store a URL names: ``memory://``, ``tinydb:///path``, ``sqlite:///file.db``,
    ``postgresql://...``, or any scheme an installed adapter registers. None means the default."""
    url = url or DEFAULT_STORE_URL
    scheme = urlsplit(url).scheme.split("+", 1)[0]
    schemes = store_schemes()
    if scheme not in schemes:
        hint = suggest(scheme, set(schemes))
        raise StoreError(
            f"no store adapter for {scheme or url!r}"
            + (f" (did you mean {hint}://?)" if hint else "")
            + f"; known schemes: {', '.join(sorted(schemes))}"
        )
    return schemes[scheme](url)
