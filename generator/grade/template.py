"""A responses sheet for typing answers by hand (XLSX): 수험번호, 성명, 문형, 1, 2, … with data validation."""

from __future__ import annotations

import io
from typing import Sequence

from generator.assemble.roster import Student
from generator.bank.schema import QuestionType
from generator.grade.keys import ExamKey

BLANK_ROWS = 40


def template_bytes(key: ExamKey, students: Sequence[Student] = (), blank_rows: int = BLANK_ROWS) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    numbers = sorted({item.number for sheet in key.forms.values() for item in sheet.items})
    items = {n: [s.by_number[n] for s in key.forms.values() if n in s.by_number] for n in numbers}
    book = Workbook()
    ws = book.active
    ws.title = "응답"
    ws.append(["수험번호", "성명", "문형", *numbers])
    rows = len(students) or blank_rows
    for student in students:
        ws.append([student.student_id, student.name, student.form or (next(iter(key.forms)) if len(key.forms) == 1 else "")])
    last = rows + 1
    header_fill, bold = PatternFill("solid", fgColor="E9EDF2"), Font(bold=True)
    for cell in ws[1]:
        cell.font, cell.fill, cell.alignment = bold, header_fill, Alignment(horizontal="center")
    for row in range(2, last + 1):
        ws.cell(row, 1).number_format = "@"  # keep leading zeros of 수험번호
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width, ws.column_dimensions["C"].width = 12, 10, 6
    ws.freeze_panes = "D2"
    forms = DataValidation(type="list", formula1='"' + ",".join(key.forms) + '"', allow_blank=True,
                           error="문형은 " + ", ".join(key.forms) + " 중 하나입니다.", errorTitle="문형")
    ws.add_data_validation(forms)
    forms.add(f"C2:C{last}")
    for column, number in enumerate(numbers, start=4):
        letter = get_column_letter(column)
        ws.column_dimensions[letter].width = 4.5
        kind = items[number][0].type
        if kind is QuestionType.MCQ:
            count = max(i.choice_count for i in items[number])
            rule = DataValidation(type="list", formula1='"' + ",".join(map(str, range(1, count + 1))) + '"',
                                  allow_blank=True, errorStyle="warning", errorTitle=f"{number}번",
                                  error=f"1–{count} 중 하나를 쓰십시오(여러 개는 2|4, 미확인은 ?).")
        else:
            top = max(i.points for i in items[number])
            rule = DataValidation(type="decimal", operator="between", formula1="0", formula2=f"{top:g}",
                                  allow_blank=True, errorTitle=f"{number}번", error=f"0–{top:g}점 사이의 점수를 쓰십시오.")
        ws.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{last}")
    guide = book.create_sheet("안내")
    for line in (
        f"시험 번호: {key.exam_id}",
        "객관식: 학생이 고른 선택지 번호(1–5). 빈칸 = 무응답, 2|4 = 여러 개 표기(오답 처리), ? = 확인 필요(채점 중지).",
        "단답형·서술형: 채점한 점수(0부터 배점까지, 소수 가능).",
        "문형: 학생이 응시한 문형(A, B, …). 문형이 하나뿐이면 비워도 됩니다.",
        "다 쓴 뒤: mockexam grade <시험 폴더> --responses 이 파일.xlsx",
    ):
        guide.append([line])
    guide.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
