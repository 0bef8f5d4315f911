"""The SQL store: SQLAlchemy 2 over PostgreSQL (psycopg 3) or SQLite, schema by Alembic."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError

from journal_rules import Storage, StoreError, VersionConflict
from journal_rules.storage import Batch, StoredEvent, StreamInfo, check_batch, check_batches

from ._schema import events as events_table
from ._schema import streams as streams_table

_MIGRATIONS = Path(__file__).with_name("migrations")
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_MIGRATION_LOCK = 7_261_994_417  # pg_advisory_xact_lock key: one migration at a time
_PAGE = 2000
_SCAN_PAGE = 20_000
_COPY_THRESHOLD = 64
_COLUMNS = ("stream", "version", "type", "actor", "recorded_at", "occurred_on", "reason", "data",
            "prev_hash", "hash")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _row(event: StoredEvent) -> tuple[Any, ...]:
    return (
        event.stream, event.version, event.type, event.actor, _stamp(event.recorded_at),
        None if event.occurred_on is None else event.occurred_on.isoformat(), event.reason,
        json.dumps(dict(event.data), sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        event.prev_hash, event.hash,
    )


def _event(row: Sequence[Any], where: str) -> StoredEvent:
    try:
        data = orjson.loads(row[7])
    except orjson.JSONDecodeError:
        data = _json_fallback(row, where)
    except TypeError as exc:
        raise StoreError(f"{where}: stream {row[0]!r} version {row[1]}: data is not JSON") from exc
    return StoredEvent.from_record({
        "stream": row[0], "version": row[1], "type": row[2], "actor": row[3],
        "recorded_at": row[4], "occurred_on": row[5], "reason": row[6], "data": data,
        "prev_hash": row[8], "hash": row[9],
    })


def _json_fallback(row: Sequence[Any], where: str) -> Any:
    """What orjson refuses but JSON allows (integers beyond 64 bits), or a StoreError."""
    try:
        return json.loads(row[7])
    except (TypeError, ValueError) as exc:
        raise StoreError(f"{where}: stream {row[0]!r} version {row[1]}: data is not JSON") from exc


def _expected(batches: Sequence[Batch], stream: str) -> int:
    return next((expected for name, expected, _ in batches if name == stream), 0)


class SQLStore(Storage):
    """An append-only event store in two tables, ``journal_events`` and ``journal_streams``.

    One append is one transaction: the stream's head row is locked (PostgreSQL) or the database
    is write-locked from the start (SQLite, ``BEGIN IMMEDIATE``), and the primary key
    (stream, version) catches any writer that slipped past. Thread-safe; one engine per store.
    """

    def __init__(self, url: str | URL, *, schema: str | None = None,
                 read_only: bool = False) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise StoreError(f"not a database URL: {url!r}") from exc
        self._where = parsed.render_as_string(hide_password=True)
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("postgresql", "sqlite"):
            raise StoreError(f"{self._where}: only postgresql:// and sqlite:// are supported")
        if schema is not None and not _SCHEMA_NAME.match(schema):
            raise StoreError(f"{self._where}: schema {schema!r} is not a plain SQL identifier")
        if schema is not None and self.dialect != "postgresql":
            raise StoreError(f"{self._where}: the schema option is for PostgreSQL only")
        self.schema = schema
        self.read_only = read_only
        self.engine = self._make_engine(parsed)
        self._closed = False
        self._lock = threading.Lock()
        try:
            self._migrate()
        except BaseException:
            self.engine.dispose()
            raise

    # -- engine and schema ---------------------------------------------------------------------

    def _make_engine(self, url: URL) -> Engine:
        if self.dialect == "sqlite":
            if url.database in (None, "", ":memory:"):
                raise StoreError("sqlite:// without a file is not shared between connections; "
                                 "use memory:// for an in-memory store")
            folder = os.path.dirname(os.path.abspath(str(url.database)))
            if not os.path.isdir(folder):
                raise StoreError(f"{self._where}: the folder {folder} does not exist")
            if self.read_only:
                if not os.path.exists(str(url.database)):
                    raise StoreError(f"{self._where}: no such database (opened read-only: "
                                     "nothing is created)")
                # mode=ro: SQLite refuses every write. In a folder this process cannot write,
                # SQLite cannot make the WAL index it coordinates readers with, so the file is
                # then read as immutable (a copy nobody writes to, e.g. on read-only media).
                database = os.path.abspath(str(url.database))
                frozen = not os.access(os.path.dirname(database), os.W_OK)
                target = ("file:" + pathname2url(database) + "?mode=ro"
                          + ("&immutable=1" if frozen else ""))
                engine = sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(
                    target, uri=True, timeout=60, check_same_thread=False))
            else:
                engine = sa.create_engine(url, connect_args={"timeout": 60})
            read_only = self.read_only

            @event.listens_for(engine, "connect")
            def _sqlite_connect(dbapi_connection: Any, record: Any) -> None:
                # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own
                # transaction handling defers BEGIN and cannot take the write lock up front).
                dbapi_connection.isolation_level = None
                if read_only:
                    return  # the database's own journal mode stands; nothing is written
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=FULL")  # durable at commit, power loss too
                cursor.close()

            @event.listens_for(engine, "begin")
            def _sqlite_begin(conn: Connection) -> None:
                immediate = conn.get_execution_options().get("journal_rules_write", False)
                conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

            return engine
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        engine = sa.create_engine(url, pool_pre_ping=False)
        setup = ([] if self.schema is None else [f'SET search_path TO "{self.schema}"']) + (
            ["SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"] if self.read_only else [])
        if setup:

            @event.listens_for(engine, "connect")
            def _pg_connect(dbapi_connection: Any, record: Any) -> None:
                with dbapi_connection.cursor() as cursor:
                    for statement in setup:
                        cursor.execute(statement)
                dbapi_connection.commit()

        return engine

    def _connect(self, *, write: bool = False) -> Connection:
        if self._closed:
            raise StoreError(f"{self._where}: the store is closed")
        try:
            conn = self.engine.connect()
        except DBAPIError as exc:
            raise StoreError(f"cannot connect to {self._where}: {exc.orig}") from exc
        if write:
            conn.execution_options(journal_rules_write=True)
        return conn

    def _migrate(self) -> None:
        """Create or upgrade the schema to the newest migration, one opener at a time (read-only:
        check that it is the newest)."""
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        if self.read_only:
            self._check_schema(config)
            return
        try:
            with self._connect(write=True) as conn, conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"),
                                 {"k": _MIGRATION_LOCK})
                    if self.schema is not None:
                        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                        conn.exec_driver_sql(f'SET LOCAL search_path TO "{self.schema}"')
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except DBAPIError as exc:
            raise StoreError(f"cannot prepare the store at {self._where}: {exc.orig}") from exc

    def _check_schema(self, config: Config) -> None:
        head = ScriptDirectory.from_config(config).get_current_head()
        try:
            with self._connect() as conn:
                current = MigrationContext.configure(conn).get_current_revision()
        except DBAPIError as exc:
            raise StoreError(f"cannot read the store at {self._where}: {exc.orig}") from exc
        if current != head:
            raise StoreError(f"{self._where}: the store's schema is at revision {current!r}, "
                             f"this adapter reads {head!r}; open it writable once to create or "
                             "upgrade it (opened read-only: nothing is changed)")

    # -- writing -------------------------------------------------------------------------------

    def append(self, stream: str, expected_version: int, events: Sequence[StoredEvent]) -> None:
        """Append ``events`` in one transaction; :class:`VersionConflict` if the stream moved."""
        check_batch(stream, expected_version, events)
        self._append_batches([(stream, expected_version, events)])

    def append_all(self, batches: Sequence[Batch]) -> None:
        """Append to several streams in one transaction: every batch is stored, or none."""
        self._append_batches(check_batches(batches))

    def _append_batches(self, batches: Sequence[Batch]) -> None:
        if self.read_only:
            raise StoreError(f"{self._where} is open read-only: cannot append")
        # Streams are locked in name order (check_batches sorts), so two writers never deadlock.
        current = batches[0][0] if batches else ""
        try:
            with self._connect(write=True) as conn, conn.begin():
                rows: list[tuple[Any, ...]] = []
                for stream, expected_version, events in batches:
                    current = stream
                    query = sa.select(streams_table.c.version).where(
                        streams_table.c.name == stream)
                    if self.dialect == "postgresql":
                        query = query.with_for_update()
                    actual = conn.execute(query).scalar_one_or_none()
                    if (actual or 0) != expected_version:
                        raise VersionConflict(stream, expected_version, actual or 0)
                    if not events:
                        continue
                    head = {"version": events[-1].version, "last_hash": events[-1].hash}
                    if actual is None:
                        conn.execute(streams_table.insert().values(name=stream, **head))
                    else:
                        conn.execute(streams_table.update().where(
                            streams_table.c.name == stream,
                            streams_table.c.version == expected_version).values(**head))
                    rows.extend(_row(e) for e in events)
                if rows:
                    self._insert(conn, rows)
        except IntegrityError as exc:
            # Another writer got there first (the head row or the (stream, version) key).
            for stream, expected_version, _ in batches:
                actual = self._version(stream)
                if actual != expected_version:
                    raise VersionConflict(stream, expected_version, actual) from exc
            raise VersionConflict(current, _expected(batches, current),
                                  self._version(current)) from exc
        except DBAPIError as exc:
            raise StoreError(f"{self._where}: cannot append to stream {current!r}: "
                             f"{exc.orig}") from exc

    def _insert(self, conn: Connection, rows: list[tuple[Any, ...]]) -> None:
        if self.dialect == "postgresql" and len(rows) >= _COPY_THRESHOLD:
            # COPY is several times faster than even a multi-row INSERT for bulk imports.
            import psycopg  # noqa: PLC0415 - only PostgreSQL needs it; SQLite users may lack it

            raw = conn.connection.driver_connection
            assert raw is not None
            try:
                with raw.cursor() as cursor, cursor.copy(
                    f"COPY journal_events ({', '.join(_COLUMNS)}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row(row)
            except psycopg.errors.IntegrityError as exc:
                # Raw psycopg errors bypass SQLAlchemy's wrapping; give append() its own kind.
                raise IntegrityError("COPY journal_events", None, exc) from exc
            except psycopg.Error as exc:
                raise DBAPIError("COPY journal_events", None, exc) from exc
            return
        conn.execute(events_table.insert(), [dict(zip(_COLUMNS, row, strict=True))
                                             for row in rows])

    def _version(self, stream: str) -> int:
        with self._connect() as conn:
            found = conn.execute(sa.select(streams_table.c.version).where(
                streams_table.c.name == stream)).scalar_one_or_none()
        return int(found or 0)

    # -- reading -------------------------------------------------------------------------------

    def _page(self, query: sa.Select[Any]) -> list[Sequence[Any]]:
        try:
            with self._connect() as conn:
                return [tuple(r) for r in conn.execute(query)]
        except DBAPIError as exc:
            raise StoreError(f"{self._where}: cannot read: {exc.orig}") from exc

    def read(self, stream: str, start: int = 1) -> Iterator[StoredEvent]:
        """The stream's events from ``start``, fetched a page at a time (no connection is held
        between pages, so an abandoned iterator leaks nothing)."""
        cols = [events_table.c[name] for name in _COLUMNS]
        after = max(start, 1) - 1
        while True:
            page = self._page(sa.select(*cols).where(
                events_table.c.stream == stream, events_table.c.version > after,
            ).order_by(events_table.c.version).limit(_PAGE))
            for row in page:
                yield _event(row, self._where)
            if len(page) < _PAGE:
                return
            after = int(page[-1][1])

    def scan(self, prefix: str = "") -> Iterator[StoredEvent]:
        """Every event of the streams whose names start with ``prefix``, by stream then version
        (see :func:`journal_rules.read_streams`): large keyset pages over the primary key, so a
        whole-store reader makes a few dozen queries instead of one per stream."""
        c = events_table.c
        cols = [c[name] for name in _COLUMNS]
        conditions: list[Any] = []
        if prefix:
            conditions.append(c.stream >= prefix)
            # Names are compared by code point (collation "C" on PostgreSQL, binary on SQLite):
            # every name with the prefix sorts below the prefix with its last character bumped.
            conditions.append(c.stream < prefix[:-1] + chr(ord(prefix[-1]) + 1))
        last: tuple[Any, ...] | None = None
        while True:
            keyset = [] if last is None else [sa.tuple_(c.stream, c.version) > sa.tuple_(*last)]
            page = self._page(sa.select(*cols).where(*conditions, *keyset).order_by(
                c.stream, c.version).limit(_SCAN_PAGE))
            for row in page:
                yield _event(row, self._where)
            if len(page) < _SCAN_PAGE:
                return
            last = (page[-1][0], page[-1][1])

    def read_recorded(self, since: datetime | None = None,
                      until: datetime | None = None) -> Iterator[StoredEvent]:
        """Events with ``since <= recorded_at < until`` by time, stream, version; paged."""
        c = events_table.c
        cols = [c[name] for name in _COLUMNS]
        conditions: list[Any] = []
        if since is not None:
            conditions.append(c.recorded_at >= _stamp(since))
        if until is not None:
            conditions.append(c.recorded_at < _stamp(until))
        last: tuple[Any, ...] | None = None
        while True:
            keyset = [] if last is None else [
                sa.tuple_(c.recorded_at, c.stream, c.version) > sa.tuple_(*last)]
            page = self._page(sa.select(*cols).where(*conditions, *keyset).order_by(
                c.recorded_at, c.stream, c.version).limit(_PAGE))
            for row in page:
                yield _event(row, self._where)
            if len(page) < _PAGE:
                return
            last = (page[-1][4], page[-1][0], page[-1][1])

    def streams(self) -> list[StreamInfo]:
        """Every stream with its version and last hash, in code-point order of names."""
        rows = self._page(sa.select(streams_table.c.name, streams_table.c.version,
                                    streams_table.c.last_hash))
        return sorted((StreamInfo(str(n), int(v), str(h)) for n, v, h in rows),
                      key=lambda info: info.name)

    def close(self) -> None:
        """Dispose of the engine and its pooled connections."""
        with self._lock:
            self._closed = True
            self.engine.dispose()

    def __repr__(self) -> str:
        return f"SQLStore({self._where!r})"


def _option(parsed: URL, name: str) -> str | None:
    value = parsed.query.get(name)
    return value[-1] if isinstance(value, tuple) else value


def _split_options(url: str) -> tuple[URL, str | None, bool]:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    read_only = (_option(parsed, "read_only") or "0").lower()
    if read_only not in ("0", "1", "true", "false", "yes", "no"):
        raise StoreError(f"{url!r}: read_only must be 1 or 0")
    return (parsed.difference_update_query(["schema", "read_only"]), _option(parsed, "schema"),
            read_only in ("1", "true", "yes"))


def open_sql_store(url: str) -> SQLStore:
    """The ``sqlite://`` and ``postgresql://`` factory. ``postgresql://`` uses psycopg 3;
    ``?schema=name`` (PostgreSQL) keeps the tables in that schema, created if missing;
    ``?read_only=1`` opens an existing store to read, verify and audit it, changing nothing
    (SQLite: the file is opened with ``mode=ro``; PostgreSQL: read-only transactions)."""
    parsed, schema, read_only = _split_options(url)
    return SQLStore(parsed, schema=schema, read_only=read_only)

