"""The rules engine: rule kinds, calendars, the durable_rules engine, audit, guard and tools.

Private: the public names are exported from :mod:`journal_rules`.
"""
