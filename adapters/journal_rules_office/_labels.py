"""The fixed words of the documents, in Russian, Kazakh and English."""

from __future__ import annotations

from typing import Literal

Lang = Literal["ru", "kk", "en"]

_LABELS: dict[str, tuple[str, str, str]] = {
    "regular": ("ЭКЗАМЕНАЦИОННАЯ ВЕДОМОСТЬ", "ЕМТИХАН ВЕДОМОСІ", "EXAMINATION GRADE SHEET"),
    "integrated": ("ИНТЕГРИРОВАННАЯ ВЕДОМОСТЬ", "БІРІКТІРІЛГЕН ВЕДОМОСТЬ",
                   "INTEGRATED GRADE SHEET"),
    "individual": ("ИНДИВИДУАЛЬНАЯ ВЕДОМОСТЬ", "ЖЕКЕ ВЕДОМОСТЬ", "INDIVIDUAL GRADE SHEET"),
    "school": ("Школа/факультет", "Мектеп/факультет", "School/faculty"),
    "department": ("Кафедра", "Кафедра", "Department"),
    "unit": ("Дисциплина/модуль", "Пән/модуль", "Discipline/module"),
    "credits": ("Кредиты", "Кредиттер", "Credits"),
    "specialty": ("Специальность", "Мамандық", "Specialty"),
    "year": ("Курс", "Курс", "Year of study"),
    "group": ("Группа", "Топ", "Group"),
    "academic_year": ("Учебный год", "Оқу жылы", "Academic year"),
    "term": ("Семестр", "Семестр", "Term"),
    "teachers": ("Преподаватель(и)", "Оқытушы(лар)", "Teacher(s)"),
    "date": ("Дата", "Күні", "Date"),
    "control": ("Контроль", "Бақылау", "Control"),
    "number": ("№", "№", "No."),
    "student": ("ФИО обучающегося", "Білім алушының аты-жөні", "Student"),
    "id": ("ID", "ID", "ID"),
    "rating": ("Рейтинг допуска", "Жіберу рейтингі", "Admission rating"),
    "exam": ("Экзамен", "Емтихан", "Exam"),
    "final": ("Итоговая оценка", "Қорытынды баға", "Final points"),
    "letter": ("Буквенная", "Әріптік", "Letter"),
    "gpa": ("Цифровой эквивалент", "Сандық эквивалент", "GPA points"),
    "traditional": ("Традиционная", "Дәстүрлі", "Traditional"),
    "status": ("Примечание", "Ескертпе", "Note"),
    "signatures": ("Подписи", "Қолдар", "Signatures"),
    "journal": ("Журнал", "Журнал", "Journal"),
    "grid": ("ЖУРНАЛ УСПЕВАЕМОСТИ", "ҮЛГЕРІМ ЖУРНАЛЫ", "ACADEMIC PERFORMANCE JOURNAL"),
    "ktp": ("КАЛЕНДАРНО-ТЕМАТИЧЕСКИЙ ПЛАН ПРАКТИЧЕСКИХ ЗАНЯТИЙ",
            "ПРАКТИКАЛЫҚ САБАҚТАРДЫҢ КҮНТІЗБЕЛІК-ТАҚЫРЫПТЫҚ ЖОСПАРЫ",
            "CALENDAR-THEMATIC PLAN OF PRACTICAL CLASSES"),
    "ktp_time": ("Время", "Уақыты", "Time"),
    "ktp_topic": ("Тема занятия", "Сабақ тақырыбы", "Topic"),
    "ktp_hours": ("Часы", "Сағат", "Hours"),
    "ktp_teacher": ("ФИО преподавателя", "Оқытушының аты-жөні", "Teacher"),
    "ktp_room": ("Аудитория", "Аудитория", "Room"),
    "agreed": ("СОГЛАСОВАНО: декан", "КЕЛІСІЛДІ: декан", "AGREED: dean"),
    "approved": ("Утверждено на заседании кафедры, протокол №", "Кафедра отырысында бекітілді, "
                 "хаттама №", "Approved at the department meeting, minutes No."),
    "of": ("от", "", "of"),
    "head": ("Заведующий кафедрой", "Кафедра меңгерушісі", "Head of department"),
    "methodist": ("Методист", "Әдіскер", "Methodist"),
    "note": ("ОБЪЯСНИТЕЛЬНАЯ", "ТҮСІНІКТЕМЕ", "EXPLANATORY NOTE"),
    "to_vr": ("Проректору по академической деятельности", "Академиялық қызмет жөніндегі "
              "проректорға", "To the vice-rector for academic affairs"),
    "error_date": ("Дата ошибки", "Қате күні", "Date of the error"),
    "cause": ("Причина", "Себебі", "Cause"),
    "reopen": ("Прошу открыть доступ к журналу", "Журналға қол жеткізуді ашуды сұраймын",
               "I ask to reopen the journal"),
    "class_types": ("Виды занятий", "Сабақ түрлері", "Class types"),
    "wrong_entry": ("Дата неверной записи", "Қате жазба күні", "Date of the wrong entry"),
    "reason": ("Основание", "Негіздеме", "Reason"),
    "visas": ("Визы", "Бұрыштамалар", "Visas"),
    "teacher": ("Преподаватель", "Оқытушы", "Teacher"),
}


def label(key: str, lang: Lang) -> str:
    ru, kk, en = _LABELS[key]
    return {"ru": ru, "kk": kk, "en": en}[lang]
