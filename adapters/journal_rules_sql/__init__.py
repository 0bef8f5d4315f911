"""The SQL store for journal-rules: PostgreSQL (psycopg 3) and SQLite through SQLAlchemy 2,
its schema created and upgraded by Alembic migrations when a store is opened.

Built only on the public API of :mod:`journal_rules` and registered under the
``journal_rules.stores`` entry point group for ``sqlite://`` and ``postgresql://``.
"""

from ._store import SQLStore, open_sql_store

__all__ = ["SQLStore", "open_sql_store"]
