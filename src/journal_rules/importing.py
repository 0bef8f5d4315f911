"""Importing the registry data (P1-P6) from CSV and XLSX files: templates, a dry-run plan and the
import itself; every bad row is reported at once and nothing is imported when anything is wrong.
XLSX needs the ``office`` extra (openpyxl)."""

from ._dates import DATE_FORMATS, parse_date
from ._importing._changes import RecordChange
from ._importing._kinds import Column, ImportKind
from ._importing._run import (
    IMPORT_KINDS,
    IMPORT_SHEET,
    ImportPreview,
    import_file,
    plan_import,
    preview_import,
    write_templates,
)
from ._importing._tables import read_table

__all__ = [
    "DATE_FORMATS",
    "IMPORT_KINDS",
    "IMPORT_SHEET",
    "Column",
    "ImportKind",
    "ImportPreview",
    "RecordChange",
    "import_file",
    "parse_date",
    "plan_import",
    "preview_import",
    "read_table",
    "write_templates",
]
