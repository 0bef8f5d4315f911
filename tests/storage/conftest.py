"""Fixtures for the storage tests: a private PostgreSQL schema per test, and store URLs."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_BASE = os.environ.get("JOURNAL_RULES_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(PG_BASE.replace("postgresql+psycopg", "postgresql"),
                             connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip()


@pytest.fixture(scope="session")
def pg_available() -> None:
    """Skip (or, under CI=true, fail) a test that needs PostgreSQL when it cannot be reached."""
    why = _pg_reachable()
    if why is not None:
        message = f"PostgreSQL at {PG_BASE} is not reachable: {why}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + " (CI=true: tests that need it must not be skipped)")
        pytest.skip(message)


@pytest.fixture
def pg_url(pg_available: None) -> Iterator[str]:
    """A store URL whose tables live in a schema of their own, dropped after the test."""
    import psycopg

    schema = f"jr_test_{uuid.uuid4().hex[:16]}"
    yield f"{PG_BASE}?schema={schema}"
    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def tinydb_url(tmp_path: object) -> str:
    return f"tinydb://{tmp_path}/store"


@pytest.fixture
def sqlite_url(tmp_path: object) -> str:
    return f"sqlite:///{tmp_path}/store.db"
