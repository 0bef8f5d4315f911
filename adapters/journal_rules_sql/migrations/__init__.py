"""Alembic migrations of the SQL store; run by the adapter when a store is opened."""
