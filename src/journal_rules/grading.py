"""Grading (СОУД): the scale and parameters from a ruleset, exact ratings and final grades,
integrated grades of ИД and М, and grade sheets."""

from ._grading._compute import FinalResult, Grade, Grader
from ._grading._finishing import TIE_BREAKS, finishing_department, finishing_part, sheet_control
from ._grading._integrated import BlockRating, PartResult, integrated_discipline, module_grade
from ._grading._policy import (
    FinalRule,
    FinalWeights,
    Grading,
    IntegratedRule,
    ModuleRule,
    RatingFormula,
    RatingPeriod,
    Shortfall,
)
from ._grading._scale import Band, PointRange, Rounding
from ._grading._sheets import (
    SHEET_KINDS,
    GradeSheet,
    SheetPart,
    SheetRow,
    SheetSignature,
    compute_grade_sheet,
    form_grade_sheet,
    recorded_grade_sheets,
)

__all__ = [
    "SHEET_KINDS",
    "TIE_BREAKS",
    "Band",
    "BlockRating",
    "FinalResult",
    "FinalRule",
    "FinalWeights",
    "Grade",
    "GradeSheet",
    "Grader",
    "Grading",
    "IntegratedRule",
    "ModuleRule",
    "PartResult",
    "PointRange",
    "RatingFormula",
    "RatingPeriod",
    "Rounding",
    "SheetPart",
    "SheetRow",
    "SheetSignature",
    "Shortfall",
    "compute_grade_sheet",
    "finishing_department",
    "finishing_part",
    "form_grade_sheet",
    "integrated_discipline",
    "module_grade",
    "recorded_grade_sheets",
    "sheet_control",
]
