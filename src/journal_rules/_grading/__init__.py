"""Grading (СОУД, T9): the scale and parameters from a ruleset, exact computation of ratings and
final grades, integrated grades of ИД and М (T6, T7), and grade sheets (P10, P11, R4)."""
