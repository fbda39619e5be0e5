"""The measured answer-sheet layout (``layout.json``) as the scanner uses it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.problems import UserError, display_path
from generator.render.sheet_layout import LAYOUT_NAME, LAYOUT_SCHEMA


@dataclass(frozen=True)
class Bubble:
    field: str  # answer | student_id | form | score
    key: str  # the question ("7"), the 수험번호 place ("3", from the left), or "" for the form
    value: str  # the choice ("2"), digit ("7"), form name ("A") or score value ("2" / "0.5")
    group: str  # bubbles of one group: one mark expected (score groups: points, tens, ones, half)
    x: float  # centre, mm from the page's top-left corner
    y: float
    rx: float  # semi-axes of the printed oval (to the stroke centre), mm
    ry: float
    max: float = 0.0  # score bubbles: the question's points


@dataclass(frozen=True)
class PageLayout:
    file: str
    file_page: int
    form: str
    copy: str
    page: int
    hash: str
    payload: str
    width: float
    height: float
    marks: tuple[tuple[float, float], ...]  # centres, tl tr br bl
    mark_size: float
    qr: tuple[float, float, float]  # x, y, size of the QR box
    bubbles: tuple[Bubble, ...]


def _bubble(raw: dict[str, Any]) -> Bubble:
    field = raw["field"]
    if field == "answer":
        key, value, group = str(raw["question"]), str(raw["choice"]), str(raw["question"])
    elif field == "student_id":
        key, value, group = str(raw["place"]), str(raw["digit"]), str(raw["place"])
    elif field == "form":
        key, value, group = "", str(raw["value"]), ""
    else:
        key, value, group = str(raw["question"]), f'{float(raw["value"]):g}', raw["group"]
    return Bubble(field, key, value, group, raw["x_mm"], raw["y_mm"], raw["r_mm"], raw.get("ry_mm", raw["r_mm"]),
                  float(raw.get("max", 0)))


def _page(raw: dict[str, Any]) -> PageLayout:
    marks = tuple((m["x_mm"], m["y_mm"]) for m in raw["marks"])
    qr = raw["qr_box"]
    return PageLayout(raw["file"], raw["file_page"], raw["form"], raw.get("copy", ""), raw["page"], raw["hash"],
                      raw["payload"], raw["width_mm"], raw["height_mm"], marks, raw["marks"][0]["size_mm"],
                      (qr["x_mm"], qr["y_mm"], qr["size_mm"]), tuple(_bubble(b) for b in raw["bubbles"]))


@dataclass(frozen=True)
class ExamLayout:
    exam_id: str
    pages: tuple[PageLayout, ...]

    def by_hash(self, layout_hash: str, form: str = "") -> PageLayout | None:
        """The page laid out with ``layout_hash`` (forms of one sheet shape share it: ``form``'s own first)."""
        pages = [page for page in self.pages if page.hash == layout_hash]
        return next((page for page in pages if page.form == form), pages[0] if pages else None)

    def questions(self) -> list[int]:
        """Every printed question number with a bubble (answer or score), ascending."""
        return sorted({int(b.key) for page in self.pages for b in page.bubbles if b.field in ("answer", "score")})


def load_layout(exam_dir: Path) -> ExamLayout:
    path = exam_dir / LAYOUT_NAME
    if not path.is_file():
        raise UserError(f"{display_path(path)}: not found; scan needs an exam folder built by this version "
                        f"(run `mockexam render {display_path(exam_dir / 'manifest.json')}` to add it)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != LAYOUT_SCHEMA:
            raise ValueError(f"schema is {data.get('schema')!r}, expected {LAYOUT_SCHEMA}")
        return ExamLayout(data["exam_id"], tuple(_page(page) for page in data["pages"]))
    except (ValueError, KeyError, TypeError) as error:
        raise UserError(f"{display_path(path)}: unreadable layout ({error}); re-render the exam") from None
