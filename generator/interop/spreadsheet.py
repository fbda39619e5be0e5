"""Questions from spreadsheets: Excel .xlsx (openpyxl) and CSV (UTF-8 with or without BOM, or CP949 as Korean
Excel saves it), one question per row under a header row of Korean column names (docs/interop.md)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from generator.bank.schema import CIRCLED, DIFFICULTY_LABELS, MAX_CHOICES
from generator.interop.drafts import Draft, Losses
from generator.problems import Problem, UserError, display_path
from generator.sheets import cell_text, open_workbook

SHEET_NAME = "문항"

# column -> field; the first spelling is the one the template writes
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "아이디", "문항id"),
    "type": ("유형", "type", "문항유형"),
    "topic": ("주제", "topic", "단원", "영역"),
    "difficulty": ("난이도", "difficulty"),
    "points": ("배점", "points", "점수"),
    "stem": ("문제", "question", "문항", "발문"),
    "box": ("<보기>", "보기상자", "box"),
    **{f"choice{n}": (f"보기{n}", f"선지{n}", f"choice{n}", f"답지{n}") for n in range(1, MAX_CHOICES + 1)},
    "answer": ("정답", "answer", "답"),
    "explanation": ("해설", "explanation", "풀이"),
    "model_answer": ("모범답안", "model_answer", "예시답안"),
    "rubric": ("채점기준", "rubric"),
    "tags": ("태그", "tags"),
    "group": ("그룹", "group", "개념그룹"),
    "fixed_order": ("순서고정", "fixed_order"),
}
TEMPLATE_HEADERS = [spellings[0] for spellings in COLUMNS.values()]
TYPE_WORDS = {"객관식": "mcq", "선택형": "mcq", "mcq": "mcq", "단답형": "short", "short": "short", "주관식": "short",
              "서술형": "essay", "논술형": "essay", "essay": "essay"}
TYPE_LABELS = ("객관식", "단답형", "서술형")
YES = {"o", "○", "예", "y", "yes", "true", "1", "v", "✓"}
_RUBRIC_LINE = re.compile(r"^(?P<point>.+?)\s*(?:\((?P<a>\d+)\s*점\)|[|:]\s*(?P<b>\d+)\s*점?)\s*$")


@dataclass(frozen=True)
class Row:
    """One data row: cell texts by field, and where it is."""

    cells: dict[str, str]
    line: int
    place: str = ""


def header_fields(headers: list[str], renames: dict[str, str]) -> dict[int, str]:
    """Column index -> field, from the header row (spaces and case ignored; --map may rename)."""
    spelling_to_field = {_norm(s): name for name, spellings in COLUMNS.items() for s in spellings}
    for header, target in renames.items():
        field = spelling_to_field.get(_norm(target))
        if field:
            spelling_to_field[_norm(header)] = field
    return {i: spelling_to_field[_norm(h)] for i, h in enumerate(headers) if _norm(h) in spelling_to_field}


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", str(text)).lower()


def read_xlsx(path: Path, renames: dict[str, str]) -> tuple[list[Row], list[str]]:
    book = open_workbook(path)
    sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        return _rows(path, ((n, [cell_text(v) for v in row]) for n, row in enumerate(rows, 1)), renames, sheet.title)
    finally:
        book.close()


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else CP949 (Korean Excel's 'CSV' without BOM)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp949", errors="replace")


def read_csv(path: Path, renames: dict[str, str]) -> tuple[list[Row], list[str]]:
    text = decode_csv(path.read_bytes())
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _rows(path, _csv_lines(reader), renames, "")


def _csv_lines(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(first file line, cells) of each record; a quoted cell may span several lines."""
    start = 1
    for row in reader:
        yield start, [cell_text(cell) for cell in row]
        start = reader.line_num + 1


HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in teachers' sheets


def _rows(path: Path, rows: Iterator[tuple[int, list[str]]], renames: dict[str, str],
          sheet: str) -> tuple[list[Row], list[str]]:
    """Data rows under the header row, and the header's columns that are not ours (ignored)."""
    shown = display_path(path)

    def place(line: int) -> str:
        return f"{sheet}!{line}" if sheet else ""

    first_line, fields = 0, {}
    headers: list[str] = []
    for first_line, headers in rows:
        fields = header_fields(headers, renames)
        if {"type", "stem"} <= set(fields.values()) or first_line >= HEADER_SEARCH_ROWS:
            break
    if not headers:
        raise UserError(f"{shown}: the file is empty; start with a header row ({', '.join(TEMPLATE_HEADERS[:6])}, …)")
    missing = [COLUMNS[f][0] for f in ("type", "stem") if f not in fields.values()]
    if missing:
        raise UserError(f"{shown}:{place(1) or 1}: header: no column {', '.join(missing)} in the first "
                        f"{HEADER_SEARCH_ROWS} rows; name the columns in one row ({', '.join(TEMPLATE_HEADERS[:6])}, "
                        "…): see `mockexam import --template`")
    unknown = [h for i, h in enumerate(headers) if h and i not in fields]
    out = []
    for line, values in rows:
        if not any(values):
            continue
        cells = {fields[i]: v for i, v in enumerate(values) if i in fields and v}
        out.append(Row(cells, line, place(line)))
    return out, unknown


def row_draft(row: Row, source: str, losses: Losses) -> tuple[Draft | None, list[Problem]]:
    """One row -> a draft, or the problems that make it unreadable (named by column)."""
    cells = row.cells
    probe = Draft(source, row.line, "mcq", "", place=row.place)
    problems: list[Problem] = []
    kind = TYPE_WORDS.get(_norm(cells.get("type", "")))
    if kind is None:
        problems.append(probe.problem("유형", f"'{cells.get('type', '')}' is not a type: use 객관식, 단답형 or 서술형"))
        return None, problems
    draft = Draft(source, row.line, kind, cells.get("stem", ""), place=row.place)
    draft.id = cells.get("id")
    draft.topic = cells.get("topic")
    draft.group = cells.get("group")
    if "box" in cells:
        draft.stem = f"{draft.stem}\n\n```보기\n{cells['box']}\n```"
    draft.explanation = cells.get("explanation")
    draft.tags = [t.strip() for t in re.split(r"[,;\n]", cells.get("tags", "")) if t.strip()]
    draft.shuffle_choices = _norm(cells.get("fixed_order", "")) not in YES
    for name, column, convert in (("difficulty", "난이도", _difficulty), ("points", "배점", _whole)):
        if name in cells:
            value = convert(cells[name])
            if value is None:
                problems.append(draft.problem(column, f"'{cells[name]}' is not {'1 to 5' if name == 'difficulty' else 'a whole number'}"))
            setattr(draft, name, value)
    answer = cells.get("answer", "")
    if kind == "mcq":
        draft.choices = [cells.get(f"choice{n}", "") for n in range(1, MAX_CHOICES + 1)]
        while draft.choices and not draft.choices[-1]:
            draft.choices.pop()
        gaps = [n for n, c in enumerate(draft.choices, 1) if not c]
        if gaps:
            problems.append(draft.problem(f"보기{gaps[0]}", "empty choice between filled ones: fill it or move the "
                                          "later choices up"))
        draft.answer = _choice_number(answer)
        if draft.answer is None:
            problems.append(draft.problem("정답", f"'{answer}' is not a choice number: write 1–{MAX_CHOICES} or ①–⑤"))
    elif kind == "short":
        draft.answers = [a.strip() for a in re.split(r"[|\n]", answer) if a.strip()]
        if not draft.answers:
            problems.append(draft.problem("정답", "no answer: list the accepted answers separated by |"))
    else:
        draft.model_answer = cells.get("model_answer") or answer or None
        for text in re.split(r"[\n]", cells.get("rubric", "")):
            if not text.strip():
                continue
            match = _RUBRIC_LINE.match(text.strip())
            if match is None:
                problems.append(draft.problem("채점기준", f"'{text.strip()}' has no score: write one line per point, "
                                              "e.g. '원리 설명 (4점)'"))
                continue
            draft.rubric.append((match["point"].strip(), int(match["a"] or match["b"])))
    if kind != "mcq" and any(f"choice{n}" in cells for n in range(1, MAX_CHOICES + 1)):
        losses.add(f"choices in a {kind} row (ignored)")
    return (None if problems else draft), problems


def _difficulty(text: str) -> int | None:
    labels = {label: level for level, label in DIFFICULTY_LABELS.items()} | {"상": 4, "중": 3, "하": 2}
    value = labels.get(text.strip()) or _whole(text)
    return value if value is not None and 1 <= value <= 5 else None


def _whole(text: str) -> int | None:
    text = text.strip().removesuffix("점").strip()
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() and number > 0 else None


def _choice_number(text: str) -> int | None:
    text = text.strip().removesuffix("번").strip()
    if text and text[0] in CIRCLED and len(text) == 1:
        return CIRCLED.index(text) + 1
    number = _whole(text)
    return number if number is not None and 1 <= number <= MAX_CHOICES else None


def read_spreadsheet(path: Path, renames: dict[str, str], losses: Losses) -> tuple[list[Draft], list[Problem]]:
    rows, unknown = (read_xlsx if path.suffix.lower() in (".xlsx", ".xlsm") else read_csv)(path, renames)
    for header in unknown:
        losses.add(f"column '{header}' (not a column of ours; rename it or map it with --map)")
    problems: list[Problem] = []
    drafts = []
    for row in rows:
        draft, row_problems = row_draft(row, display_path(path), losses)
        problems += row_problems
        if draft is not None:
            drafts.append(draft)
    return drafts, problems
