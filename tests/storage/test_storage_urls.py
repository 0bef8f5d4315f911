"""Stores by URL: the shipped adapters through entry points, a third party's, and bad URLs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from journal_rules import StoreError, open_store, verify_store
from journal_rules.storage import DEFAULT_STORE_URL, register_store, store_schemes
from journal_rules.testing import make_events
from journal_rules_sql import SQLStore
from journal_rules_tinydb import TinyDBStore


def test_shipped_schemes_come_from_entry_points() -> None:
    assert {"memory", "tinydb", "sqlite", "postgresql"} <= set(store_schemes())


def test_default_store_is_tinydb_in_the_working_folder(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert DEFAULT_STORE_URL == "tinydb://journal-store"
    store = open_store()
    assert isinstance(store, TinyDBStore)
    assert Path(store.folder) == tmp_path / "journal-store"
    store.close()


def test_tinydb_relative_and_absolute_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    relative = open_store("tinydb://data/журнал")
    absolute = open_store(f"tinydb://{tmp_path}/data/%D0%B6%D1%83%D1%80%D0%BD%D0%B0%D0%BB")
    assert isinstance(relative, TinyDBStore)
    assert isinstance(absolute, TinyDBStore)
    assert relative.folder == absolute.folder == str(tmp_path / "data" / "журнал")


def test_sql_urls(tmp_path: Path, pg_url: str) -> None:
    sqlite = open_store(f"sqlite:///{tmp_path}/x.db")
    pg = open_store(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        assert isinstance(sqlite, SQLStore)
        assert isinstance(pg, SQLStore)
        assert pg.schema is not None
    finally:
        sqlite.close()
        pg.close()


@pytest.mark.parametrize(("url", "message"), [
    ("tinydbb://x", "did you mean tinydb"),
    ("nosuch://x", "known schemes"),
    ("tinydb://x?segments=3", "unknown option"),
    ("tinydb://x?segment_size=many", "whole number"),
    ("sqlite://", "memory://"),
    ("sqlite:////no/such/folder/x.db", "does not exist"),
    ("postgresql://postgres@127.0.0.1:5432/test?schema=bad;name", "identifier"),
    ("postgresql://nobody:secret@127.0.0.1:1/test", "cannot"),
])
def test_bad_urls_are_store_errors(url: str, message: str, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match=message) as info:
        open_store(url)
    assert "secret" not in str(info.value)


def test_a_folder_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", "utf-8")
    with pytest.raises(StoreError, match="not a journal-rules TinyDB store"):
        open_store(f"tinydb://{tmp_path}")
    (tmp_path / "file").write_text("", "utf-8")
    with pytest.raises(StoreError, match="file"):
        open_store(f"tinydb://{tmp_path}/file")


def test_a_third_party_adapter_registers_by_entry_point(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    (site / "acme_store-1.0.dist-info").mkdir(parents=True)
    (site / "acme_store-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-store\nVersion: 1.0\n", "utf-8")
    (site / "acme_store-1.0.dist-info" / "entry_points.txt").write_text(
        "[journal_rules.stores]\nacme = acme_store:open_acme\n", "utf-8")
    (site / "acme_store.py").write_text(textwrap.dedent('''
        from journal_rules import MemoryStore

        class AcmeStore(MemoryStore):
            def __init__(self, url):
                super().__init__()
                self.url = url

        def open_acme(url):
            return AcmeStore(url)
    '''), "utf-8")
    monkeypatch.syspath_prepend(str(site))
    assert "acme" in store_schemes()
    store = open_store("acme://warehouse/7")
    assert type(store).__name__ == "AcmeStore"
    assert store.url == "acme://warehouse/7"  # type: ignore[attr-defined]
    store.append("s", 0, make_events("s", 3))
    assert verify_store(store) == []


def test_a_third_party_adapter_registers_at_run_time() -> None:
    from journal_rules import MemoryStore

    created: list[str] = []

    def factory(url: str) -> MemoryStore:
        created.append(url)
        return MemoryStore()

    register_store("scratch", factory)
    store = open_store("scratch://anything")
    assert created == ["scratch://anything"]
    store.close()


def test_an_adapter_that_cannot_import_is_a_store_error(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    (site / "broken-1.0.dist-info").mkdir(parents=True)
    (site / "broken-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken\nVersion: 1.0\n", "utf-8")
    (site / "broken-1.0.dist-info" / "entry_points.txt").write_text(
        "[journal_rules.stores]\nbroken = no_such_module_here:factory\n", "utf-8")
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(StoreError, match="install the extra"):
        open_store("broken://x")
