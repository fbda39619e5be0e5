"""``mockexam scan``: read every page, apply the teacher's overrides, join pages into sheets, write the outputs.

Outputs go to ``EXAM_DIR/scans/`` only, each written atomically: ``responses.csv`` (one row per answer
sheet), ``pages.csv`` (every input page and what became of it) and ``review.html`` (doubtful marks and
rejected pages). ``overrides.csv`` there is the teacher's file: read, never written.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

from generator.atomic import write_bytes_atomic
from generator.problems import UserError, display_path
from generator.scan.decide import DOUBT, student_id
from generator.scan.inputs import PageRef, expand_inputs, iter_pages
from generator.scan.layout import ExamLayout, PageLayout, load_layout
from generator.scan.page import PageResult, read_page

SCANS = "scans"
OVERRIDES = "overrides.csv"
OVERRIDE_FIELDS = ("answer", "score", "student_id", "form", "page")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Override:
    scan: str
    field: str
    key: str
    value: str
    line: int


def read_overrides(path: Path) -> dict[tuple[str, str, str], Override]:
    """The teacher's decisions: ``scan,field,question,value`` rows (a UTF-8 CSV, BOM allowed)."""
    if not path.is_file():
        return {}
    overrides: dict[tuple[str, str, str], Override] = {}
    text = path.read_text(encoding="utf-8-sig")
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), 2):
        try:
            scan, kind = (row["scan"] or "").strip(), (row["field"] or "").strip()
            key, value = (row.get("question") or "").strip(), (row.get("value") or "").strip()
        except KeyError:
            raise UserError(f"{display_path(path)}:1: the header must be scan,field,question,value") from None
        if not scan or kind not in OVERRIDE_FIELDS:
            raise UserError(f"{display_path(path)}:{line}: field must be one of {', '.join(OVERRIDE_FIELDS)} "
                            f"and scan a page id from pages.csv")
        if kind in ("answer", "score") and not key.isdigit():
            raise UserError(f"{display_path(path)}:{line}: question must be a question number")
        if kind in ("answer", "score") and value and not _valid_value(kind, value):
            raise UserError(f"{display_path(path)}:{line}: value '{value}' is not a choice like 3 or 2|4, or a score")
        overrides[(scan, kind, key if kind in ("answer", "score") else "")] = Override(scan, kind, key, value, line)
    return overrides


def _valid_value(kind: str, value: str) -> bool:
    if kind == "answer":
        return all(part.isdigit() for part in value.split("|"))
    try:
        return float(value) >= 0
    except ValueError:
        return False


def apply_overrides(result: PageResult, overrides: dict[tuple[str, str, str], Override]) -> None:
    """The teacher's decisions replace what was read (they always win)."""
    if (result.scan, "page", "") in overrides and overrides[(result.scan, "page", "")].value == "ignore":
        line = overrides[(result.scan, "page", "")].line
        result.status, result.reason = "ignored", f"{OVERRIDES} {line}행에 따라 무시함"
        return
    if not result.read:
        return
    decisions = []
    for decision in result.decisions:
        found = overrides.get((result.scan, decision.field, decision.key)) if decision.field in ("answer", "score") \
            else None
        if found:
            decision = replace(decision, value=found.value, doubtful=False, note=f"{OVERRIDES} {found.line}행")
        decisions.append(decision)
    result.decisions = decisions


@dataclass
class Sheet:
    """The pages of one student's answer sheet."""

    form: str
    copy: str
    pages: dict[int, PageResult] = field(default_factory=dict)
    order: int = 0

    @property
    def first(self) -> PageResult | None:
        return self.pages.get(1)


def sheet_identity(sheet: Sheet, overrides: dict[tuple[str, str, str], Override]) -> tuple[str, str]:
    """(student id, form) read from page 1, with the teacher's overrides."""
    first = sheet.first
    if first is None:
        return "", sheet.form
    sid, _ = student_id(first.decisions)
    form = sheet.form
    if (first.scan, "student_id", "") in overrides:
        sid = overrides[(first.scan, "student_id", "")].value
    if (first.scan, "form", "") in overrides:
        form = overrides[(first.scan, "form", "")].value
    return sid, form


def join_pages(results: list[PageResult], overrides: dict[tuple[str, str, str], Override]) -> list[Sheet]:
    """Pages → sheets. A copy number in the QR code joins them exactly; otherwise each student's pages follow
    their page 1 in the scan. A later scan of the same page of the same sheet replaces the earlier one."""
    sheets: list[Sheet] = []
    open_sheet: dict[str, Sheet] = {}
    by_copy: dict[tuple[str, str], Sheet] = {}
    for result in results:
        if not result.read or result.layout is None:
            continue
        page = result.layout
        if page.copy:
            sheet = by_copy.get((page.form, page.copy))
            if sheet is None:
                sheet = by_copy[(page.form, page.copy)] = Sheet(page.form, page.copy, order=len(sheets))
                sheets.append(sheet)
        elif page.page == 1 or page.form not in open_sheet or page.page in open_sheet[page.form].pages:
            sheet = open_sheet[page.form] = Sheet(page.form, "", order=len(sheets))
            sheets.append(sheet)
        else:
            sheet = open_sheet[page.form]
        _put(sheet, page.page, result)
    merged: dict[tuple[str, str, str], Sheet] = {}
    kept = []
    for sheet in sheets:
        sid, form = sheet_identity(sheet, overrides)
        key = (form, sheet.copy, sid) if sheet.copy or (sid and DOUBT not in sid) else None
        if key is None or key not in merged:
            if key is not None:
                merged[key] = sheet
            kept.append(sheet)
            continue
        for number, result in sorted(sheet.pages.items()):
            _put(merged[key], number, result)
    for sheet in kept:
        if sheet.first is None:
            for result in sheet.pages.values():
                result.status = "rejected"
                result.reason = "이 답안지의 1쪽이 앞에 없음: 학생마다 모든 쪽을 1쪽부터 이어서 스캔하십시오"
    return [sheet for sheet in kept if sheet.first is not None]


def missing_pages(sheet: Sheet, layout: ExamLayout) -> list[PageLayout]:
    """Pages of this sheet's layout that were not scanned (or not read)."""
    return [page for page in layout.pages
            if page.form == sheet.form and page.copy in ("", sheet.copy) and page.page not in sheet.pages]


def _put(sheet: Sheet, number: int, result: PageResult) -> None:
    earlier = sheet.pages.get(number)
    if earlier is not None:
        earlier.status, earlier.reason = "duplicate", f"나중 스캔으로 대체됨: {result.ref.label}"
    sheet.pages[number] = result


def responses_rows(sheets: list[Sheet], layout: ExamLayout,
                   overrides: dict[tuple[str, str, str], Override]) -> tuple[list[str], list[list[str]]]:
    questions = [str(number) for number in layout.questions()]
    header = ["student_id", "form", "copy", *questions]
    rows = []
    for sheet in sheets:
        sid, form = sheet_identity(sheet, overrides)
        values: dict[str, str] = {}
        for page in missing_pages(sheet, layout):  # unread, not blank: grading must not count them as blank
            for bubble in page.bubbles:
                if bubble.field in ("answer", "score"):
                    values[bubble.key] = DOUBT
        for _, result in sorted(sheet.pages.items()):
            for decision in result.decisions:
                if decision.field in ("answer", "score"):
                    values[decision.key] = decision.value
        rows.append([sid, form, sheet.copy, *(values.get(q, "") for q in questions)])
    rows.sort(key=lambda row: (row[0] == "", row[0], row[2]))
    return header, rows


def csv_bytes(header: list[str], rows: Iterable[list[str]]) -> bytes:
    """UTF-8 with a BOM (so Excel shows Korean), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


PAGES_HEADER = ["file", "page", "scan", "status", "reason", "form", "copy", "sheet_page", "student_id", "doubtful"]


def pages_rows(results: list[PageResult], overrides: dict[tuple[str, str, str], Override]) -> list[list[str]]:
    rows = []
    for result in results:
        layout = result.layout
        sid = ""
        if layout is not None and layout.page == 1 and result.decisions:
            sid = student_id(result.decisions)[0]
            if (result.scan, "student_id", "") in overrides:
                sid = overrides[(result.scan, "student_id", "")].value
        doubtful = sum(d.doubtful for d in result.decisions if d.field in ("answer", "score"))
        rows.append([display_path(result.ref.path), str(result.ref.page), result.scan, result.status, result.reason,
                     layout.form if layout else "", layout.copy if layout else "",
                     str(layout.page) if layout else "", sid, str(doubtful) if result.read else ""])
    return rows


def _jobs(count: int) -> int:
    env = os.environ.get("MOCKEXAM_SCAN_JOBS")
    if env:
        return max(1, int(env))
    if count < 4 or not sys.platform.startswith("linux"):
        return 1
    return max(1, min(2, len(os.sched_getaffinity(0))))


_JOB: dict = {}


def _work(ref: PageRef) -> PageResult:
    return read_page(ref, _JOB["exam_dir"], _JOB["layout"])


def read_pages(refs: list[PageRef], exam_dir: Path, layout: ExamLayout, progress: Progress) -> list[PageResult]:
    import cv2

    # pages are the unit of parallel work; OpenCV's own thread pool would only compete, and a pool that
    # exists when the workers are forked can deadlock them
    cv2.setNumThreads(1)
    jobs = _jobs(len(refs))
    if jobs <= 1:
        results = []
        for index, ref in enumerate(refs, 1):
            results.append(read_page(ref, exam_dir, layout))
            if index % 20 == 0:
                progress(f"{index} of {len(refs)} pages")
        return results
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from generator.scan.measure import template

    for page in layout.pages:  # rendered once here, inherited by the workers
        template(exam_dir / page.file, page.file_page - 1)
    _JOB.update(exam_dir=exam_dir, layout=layout)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            results = list(pool.map(_work, refs, chunksize=4))
    finally:
        _JOB.clear()
    return results


@dataclass
class ScanSummary:
    pages: int
    read: int
    rejected: int
    duplicates: int
    sheets: int
    review: int
    outputs: list[Path]


def scan(exam_dir: Path, inputs: list[Path], progress: Progress | None = None) -> ScanSummary:
    """Read ``inputs`` against the exam in ``exam_dir`` and write ``exam_dir/scans/*``."""
    from generator.scan.review import review_html, review_items

    say = progress or (lambda _message: None)
    layout = load_layout(exam_dir)
    out = exam_dir / SCANS
    overrides = read_overrides(out / OVERRIDES)
    refs = list(iter_pages(expand_inputs(inputs)))
    if not refs:
        raise UserError("no pages to read: name PDF, TIFF, PNG or JPEG files (or folders holding them)")
    results = read_pages(refs, exam_dir, layout, say)
    for result in results:
        apply_overrides(result, overrides)
    sheets = join_pages(results, overrides)
    header, rows = responses_rows(sheets, layout, overrides)
    items = review_items(results, sheets, overrides, layout)
    outputs = [out / "responses.csv", out / "pages.csv", out / "review.html"]
    write_bytes_atomic(outputs[0], csv_bytes(header, rows))
    write_bytes_atomic(outputs[1], csv_bytes(PAGES_HEADER, pages_rows(results, overrides)))
    write_bytes_atomic(outputs[2], review_html(layout, results, items, overrides).encode("utf-8"))
    statuses = [r.status for r in results]
    return ScanSummary(len(results), statuses.count("read"), statuses.count("rejected"),
                       statuses.count("duplicate"), len(sheets), len(items), outputs)
