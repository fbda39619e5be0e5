"""The Excel template for `mockexam import --template`: Korean headers, drop-down lists, one example per type."""

from __future__ import annotations

from pathlib import Path

from generator.bank.model import Taxonomy
from generator.interop.spreadsheet import COLUMNS, SHEET_NAME, TEMPLATE_HEADERS, TYPE_LABELS

EXAMPLES = [
    {"유형": "객관식", "주제": "model.regularization", "난이도": 3, "배점": 3,
     "문제": "배치 정규화 층이 추론 단계에서 사용하는 통계량으로 옳은 것은?",
     "보기1": "현재 미니배치의 평균과 분산", "보기2": "학습 중 누적한 이동 평균과 이동 분산",
     "보기3": "검증 데이터 전체의 평균과 분산", "보기4": "항상 평균 0, 분산 1", "보기5": "가중치의 평균과 분산",
     "정답": 2, "해설": "추론 때는 학습 중 누적한 이동 평균과 이동 분산을 사용한다.", "태그": "batchnorm"},
    {"유형": "단답형", "주제": "model.training", "난이도": 2, "배점": 4,
     "문제": "데이터를 $k$개의 폴드로 나누어 번갈아 검증하는 방법을 쓰시오.",
     "정답": "교차 검증 | Cross-validation | CV", "해설": "k-겹 교차 검증이라고도 한다."},
    {"유형": "서술형", "주제": "model.regularization", "난이도": 4, "배점": 10,
     "문제": "드롭아웃이 과적합을 줄이는 원리를 서술하시오.",
     "모범답안": "학습 때 뉴런을 무작위로 꺼서 특정 뉴런에 대한 의존을 줄인다.",
     "채점기준": "무작위로 뉴런을 끈다는 설명 (4점)\n공동 적응 감소 (3점)\n추론 시 스케일 보정 (3점)"},
]

HELP = [
    ("열", "쓰는 법"),
    ("id", "비우면 주제와 유형으로 새 id를 만듭니다. 쓰려면 영문 소문자·숫자·'-'만 (예: bn-inference-stats)."),
    ("유형", "객관식, 단답형, 서술형 중 하나 (목록에서 고르기)."),
    ("주제", "topics.yaml의 주제 (예: model.training) 또는 그 한글 이름. 비우면 --topic 값을 씁니다."),
    ("난이도", "1 쉬움 … 5 어려움."),
    ("배점", "정수. 비우면 객관식 3, 단답형 4, 서술형은 채점기준 점수의 합."),
    ("문제", "문제 글. 수식은 $x^2$, 줄바꿈은 Alt+Enter."),
    ("<보기>", "<보기> 상자에 넣을 내용 (ㄱ. … ㄴ. … 한 줄에 하나)."),
    ("보기1~보기5", "객관식 선택지 2~5개 (앞에서부터 채우기)."),
    ("정답", "객관식: 정답 번호 1~5 (또는 ①~⑤). 단답형: 인정하는 답을 | 로 구분. 서술형: 모범답안 (모범답안 열 대신)."),
    ("해설", "해설 (선택)."),
    ("모범답안", "서술형의 모범답안."),
    ("채점기준", "서술형 채점 요소를 한 줄에 하나, 끝에 점수: '원리 설명 (4점)'. 점수의 합 = 배점."),
    ("태그", "쉼표로 구분, 영문 소문자와 '-' (예: cnn, pooling)."),
    ("그룹", "같은 개념을 묻는 문항끼리 같은 그룹 이름 (한 시험에 하나만 나옴)."),
    ("순서고정", "O 이면 선택지 순서를 섞지 않습니다 (ㄱ,ㄴ,ㄷ 조합 등)."),
]


def write_template(path: Path, taxonomy: Taxonomy | None) -> None:
    """Write the template workbook to ``path`` (atomically)."""
    from generator.atomic import write_bytes_atomic

    write_bytes_atomic(path, workbook_bytes(EXAMPLES, taxonomy))


def workbook_bytes(rows: list[dict[str, object]], taxonomy: Taxonomy | None) -> bytes:
    """A questions workbook: the 문항 sheet with ``rows`` (header -> value), drop-down lists, a 설명 sheet."""
    from generator.sheets import import_openpyxl

    import_openpyxl()
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAME
    sheet.append(TEMPLATE_HEADERS)
    for row in rows:
        sheet.append([row.get(header, None) for header in TEMPLATE_HEADERS])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = {"문제": 48, "해설": 36, "모범답안": 36, "채점기준": 30, "정답": 18, "주제": 22}
    for index, header in enumerate(TEMPLATE_HEADERS, 1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = widths.get(header, 12)
    sheet.freeze_panes = "A2"

    def column(field: str) -> str:
        return sheet.cell(1, TEMPLATE_HEADERS.index(COLUMNS[field][0]) + 1).column_letter

    kinds = DataValidation(type="list", formula1=f'"{",".join(TYPE_LABELS)}"', allow_blank=False,
                           showErrorMessage=True, errorTitle="유형", error="객관식, 단답형, 서술형 중에서 고르세요.")
    levels = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True,
                            showErrorMessage=True, errorTitle="난이도", error="난이도는 1(쉬움)~5(어려움)입니다.")
    points = DataValidation(type="whole", operator="greaterThan", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="배점", error="배점은 양의 정수입니다.")
    for validation, field in ((kinds, "type"), (levels, "difficulty"), (points, "points")):
        sheet.add_data_validation(validation)
        validation.add(f"{column(field)}2:{column(field)}{max(1000, len(rows) + 100)}")
    if taxonomy is not None:
        topics = book.create_sheet("주제")
        topics.append(["주제", "이름"])
        for leaf, label in taxonomy.leaves.items():
            topics.append([leaf, label])
        topics.column_dimensions["A"].width, topics.column_dimensions["B"].width = 24, 30
        listed = DataValidation(type="list", formula1=f"주제!$A$2:$A${len(taxonomy.leaves) + 1}", allow_blank=True,
                                showErrorMessage=False)
        sheet.add_data_validation(listed)
        listed.add(f"{column('topic')}2:{column('topic')}{max(1000, len(rows) + 100)}")
    guide = book.create_sheet("설명")
    for line in HELP:
        guide.append(list(line))
    guide.column_dimensions["A"].width, guide.column_dimensions["B"].width = 14, 100
    for cell in guide[1]:
        cell.font = bold
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
