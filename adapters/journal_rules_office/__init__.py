"""Office documents for journal-rules: grade sheets and a journal's mark grid as XLSX and PDF,
the КТП (form F1) as XLSX and PDF, the explanatory note (form F3) as PDF.

An adapter built only on the public API of :mod:`journal_rules`; install with the ``office``
extra (fpdf2 and the Roboto font of font-roboto, which has Cyrillic and Kazakh letters).
"""

from ._labels import Lang
from ._pdf import font_file, grid_to_pdf, note_to_pdf, plan_to_pdf, sheet_to_pdf
from ._xlsx import grid_to_xlsx, plan_to_xlsx, sheet_to_xlsx

__all__ = [
    "Lang",
    "font_file",
    "grid_to_pdf",
    "grid_to_xlsx",
    "note_to_pdf",
    "plan_to_pdf",
    "plan_to_xlsx",
    "sheet_to_pdf",
    "sheet_to_xlsx",
]
