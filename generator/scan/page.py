"""One scanned page from pixels to decisions: identify, register, measure, decide. Never raises for bad pages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from generator.scan.decide import Decision, decide
from generator.scan.inputs import PageRef, load_page
from generator.scan.layout import ExamLayout, PageLayout
from generator.scan.measure import SCALE, Registered, measure, registered, template
from generator.scan.register import PageRejected, find_qr, register

CROP_MARGIN_MM = 3.0


@dataclass
class PageResult:
    ref: PageRef
    scan: str = ""  # content hash of the page image: names the page in overrides.csv
    status: str = "read"  # read | rejected | duplicate (set when sheets are joined)
    reason: str = ""
    layout: PageLayout | None = None
    decisions: list[Decision] = field(default_factory=list)
    crops: dict[tuple[str, str], bytes] = field(default_factory=dict)  # PNG of doubtful fields
    thumbnail: bytes = b""  # JPEG of a rejected page
    marks: int = 0
    residual_mm: float = 0.0

    @property
    def read(self) -> bool:
        return self.status == "read"


def _png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    return data.tobytes() if ok else b""


def _thumbnail(gray: np.ndarray, width: int = 500) -> bytes:
    scale = width / gray.shape[1]
    small = cv2.resize(gray, (width, max(1, int(gray.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 70])
    return data.tobytes() if ok else b""


def crop(page: Registered, decision: Decision) -> bytes:
    bubbles = [r.bubble for r in decision.readings]
    x0 = max(0, int((min(b.x - b.rx for b in bubbles) - CROP_MARGIN_MM - 8) * SCALE))
    x1 = int((max(b.x + b.rx for b in bubbles) + CROP_MARGIN_MM) * SCALE)
    y0 = max(0, int((min(b.y - b.ry for b in bubbles) - CROP_MARGIN_MM) * SCALE))
    y1 = int((max(b.y + b.ry for b in bubbles) + CROP_MARGIN_MM) * SCALE)
    image = (255 * (1 - page.darkness(y0, y1, x0, x1))).astype(np.uint8)
    return _png(image)


def scan_id(gray: np.ndarray) -> str:
    digest = hashlib.blake2b(digest_size=6)
    digest.update(str(gray.shape).encode())
    digest.update(np.ascontiguousarray(gray[::3, ::3]).tobytes())
    return digest.hexdigest()


def read_page(ref: PageRef, exam_dir: Path, layout: ExamLayout) -> PageResult:
    result = PageResult(ref)
    try:
        gray = load_page(ref)
    except ValueError as error:
        result.status, result.reason = "rejected", str(error)
        return result
    result.scan = scan_id(gray)
    try:
        qr = find_qr(gray)
        if qr.payload is None:
            raise PageRejected(f"mockexam 답안지의 QR 코드가 아님 ({qr.text[:40]})")
        if qr.payload.exam_id != layout.exam_id:
            raise PageRejected(f"다른 시험의 답안지 ({qr.payload.exam_id}; 이 시험은 {layout.exam_id})")
        page_layout = layout.by_hash(qr.payload.layout_hash, qr.payload.form)
        if page_layout is None:
            raise PageRejected(f"배치 불일치: 다른 판의 답안지에서 인쇄됨 (배치 {qr.payload.layout_hash}, "
                               f"{qr.payload.form}형 {qr.payload.page}쪽); 이 시험 폴더의 답안지로 인쇄한 것을 스캔하십시오")
        registration = register(gray, qr, page_layout)
    except PageRejected as error:
        result.status, result.reason = "rejected", str(error)
        result.thumbnail = _thumbnail(gray)
        return result
    # the QR code says whose page it is (a named copy's sheet shares its template's layout)
    result.layout = page_layout = replace(page_layout, form=qr.payload.form, copy=qr.payload.copy)
    result.marks, result.residual_mm = registration.marks_found, registration.residual_mm
    darkness = registered(gray, registration.homography, page_layout)
    blank, printed = template(exam_dir / page_layout.file, page_layout.file_page - 1)
    result.decisions = decide(measure(darkness, blank, printed, page_layout))
    for decision in result.decisions:
        if decision.doubtful and decision.field in ("answer", "score"):
            result.crops[(decision.field, decision.key)] = crop(darkness, decision)
    for name in ("student_id", "form"):  # the whole grid, for the teacher to read the id or form
        readings = tuple(r for d in result.decisions if d.field == name for r in d.readings)
        if readings:
            result.crops[(name, "")] = crop(darkness, Decision(name, "", "", False, readings))
    return result
