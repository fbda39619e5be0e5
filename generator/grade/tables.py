"""scores.csv / scores.xlsx and items.csv: the graded class as tables with Korean headers.

Question columns follow the first form's numbering (stated in the header row of the XLSX and in docs).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from generator.grade.results import Graded


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def score_rows(graded: Graded) -> tuple[list[str], list[list[Any]]]:
    header = ["수험번호", "성명", "문형", "원점수", "석차", "백분위"]
    header += [f"{label} 득점" for _, label in graded.units]
    header += [f"{q.ref.number}번" for q in graded.questions]
    rows = []
    for student in graded.students:
        score = student.score
        row: list[Any] = [score.student_id, score.name, score.sheet.label, _num(student.total), student.rank,
                          round(student.percentile, 1)]
        row += [_num(student.unit_earned[unit]) for unit, _ in graded.units]
        row += [_num(score.answers[q.id].score) if q.id in score.answers else 0 for q in graded.questions]
        rows.append(row)
    return header, rows


def item_rows(graded: Graded) -> tuple[list[str], list[list[Any]]]:
    header = ["번호", "문항 ID", "영역", "유형", "배점", "정답", "정답률", "변별도", "변별도 표준오차", "문항-나머지 상관",
              "무응답·중복", *[f"선택지 {c} (전체/상위/하위)" for c in "①②③④⑤"], "검토 의견"]
    rows = []
    for info, stats in zip(graded.questions, graded.analysis.items):
        options = []
        for c in range(5):
            if info.key_bank is not None and c < info.ref.choice_count:
                b = info.ref.bank_choice(c + 1)
                options.append(f"{stats.options_all[b]:.0%}/{stats.options_upper[b]:.0%}/{stats.options_lower[b]:.0%}")
            else:
                options.append("")
        rows.append([info.ref.number, info.id, info.unit_label, info.ref.type.label, _num(info.ref.points),
                     info.key_label, round(stats.p, 3), None if stats.d is None else round(stats.d, 3),
                     None if stats.d_se is None else round(stats.d_se, 3),
                     None if stats.r_rest is None else round(stats.r_rest, 3),
                     round(stats.blank, 3) if info.key_bank is not None else None, *options,
                     "; ".join(f.describe(info.choice_label) for f in stats.flags)])
    return header, rows


def summary_rows(graded: Graded) -> list[tuple[str, Any]]:
    t = graded.analysis.test
    return [("시험", graded.key.title), ("시험 번호", graded.key.exam_id), ("응시 인원", t.n), ("문항 수", t.k),
            ("만점", _num(graded.max_points)), ("평균", round(t.mean, 2)), ("표준편차", round(t.sd, 2)),
            ("최고점", _num(t.maximum)), ("최저점", _num(t.minimum)), ("중앙값", _num(t.median)),
            (f"신뢰도 ({t.reliability_name})", None if t.reliability is None else round(t.reliability, 3)),
            ("측정의 표준오차", None if t.sem is None else round(t.sem, 2)),
            ("상·하위 집단 인원", t.group_size), ("문항 번호", f"{graded.key.first.label} 기준")]


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with BOM, so Excel shows Korean."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(graded: Graded) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="EEEEEE")

    def sheet(ws, header: list[str], rows: list[list[Any]], widths: dict[int, float]) -> None:  # type: ignore[no-untyped-def]
        ws.append(header)
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in rows:
            ws.append(row)
        ws.freeze_panes = "B2"
        for column in range(1, len(header) + 1):
            ws.column_dimensions[get_column_letter(column)].width = widths.get(column, 8)

    scores = book.active
    scores.title = "성적"
    header, rows = score_rows(graded)
    sheet(scores, header, rows, {1: 12, 2: 10})
    for row in scores.iter_rows(min_row=2, max_col=1):
        for cell in row:
            cell.number_format = "@"
    header, rows = item_rows(graded)
    sheet(book.create_sheet("문항분석"), header, rows, {2: 28, 3: 14, 12: 16, 13: 16, 14: 16, 15: 16, 16: 16, 17: 60})
    summary = book.create_sheet("요약")
    for label, value in summary_rows(graded):
        summary.append([label, value])
        summary.cell(summary.max_row, 1).font = bold
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 30
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
