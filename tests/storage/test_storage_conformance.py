"""The conformance suite, run against every store this project ships."""

from __future__ import annotations

import functools

import pytest

from journal_rules import MemoryStore, open_store
from journal_rules.testing import StorageConformance, StoreOpener


class TestMemoryStore(StorageConformance):
    shared_across_processes = False

    @pytest.fixture
    def make_store(self) -> StoreOpener:
        one = MemoryStore()
        return lambda: one


class TestTinyDBStore(StorageConformance):
    @pytest.fixture
    def make_store(self, tinydb_url: str) -> StoreOpener:
        return functools.partial(open_store, tinydb_url)


class TestSmallSegmentTinyDBStore(StorageConformance):
    """Every batch crosses segment files: the multi-file commit path is exercised everywhere."""

    large_stream = 2_000

    @pytest.fixture
    def make_store(self, tinydb_url: str) -> StoreOpener:
        return functools.partial(open_store, tinydb_url + "?segment_size=3")


class TestSQLiteStore(StorageConformance):
    @pytest.fixture
    def make_store(self, sqlite_url: str) -> StoreOpener:
        return functools.partial(open_store, sqlite_url)


class TestPostgreSQLStore(StorageConformance):
    @pytest.fixture
    def make_store(self, pg_url: str) -> StoreOpener:
        return functools.partial(open_store, pg_url)
