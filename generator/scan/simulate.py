"""Synthetic scans for tests and ``mockexam bench scan``: the exam's own answer-sheet pages, marked the way
students and teachers mark them (pen, pencil, partial fills, check marks, erasures, double marks, blanks),
then degraded like scanners, copiers and phone photos (resolution, rotation, perspective, blur, noise, light).

Everything is seeded, so a failing case can be reproduced.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from generator.scan.layout import Bubble, ExamLayout, PageLayout

# what a student does with one question (the value expected back, or "?" when review is acceptable)
KINDS = ("pen", "pencil", "partial", "check", "erased", "double", "stray", "blank")
CLEAN_MIX = {"pen": 0.8, "pencil": 0.08, "erased": 0.04, "double": 0.02, "blank": 0.06}
REAL_MIX = {"pen": 0.80, "pencil": 0.06, "partial": 0.03, "check": 0.01, "erased": 0.03, "double": 0.015,
            "stray": 0.02, "blank": 0.035}


@dataclass(frozen=True)
class Degrade:
    dpi: int = 300
    rotate: float = 0.0  # degrees
    perspective: float = 0.0  # share of the page width the corners move (phone photos)
    blur: float = 0.0  # Gaussian sigma, px
    noise: float = 0.0  # Gaussian sigma, grey levels
    jpeg: int = 0  # quality; 0 = lossless
    light: float = 0.0  # darkest corner's brightness loss (uneven light)
    background: int = 255  # what lies around the paper (scanner lid 255, a table ~90)


CLEAN = Degrade()
PRESETS = {
    "clean-300": Degrade(),
    "scanner-200": Degrade(dpi=200, rotate=2.0, blur=0.6, noise=3, jpeg=80),
    "copier-150": Degrade(dpi=150, rotate=4.0, blur=0.8, noise=5, jpeg=60, light=0.15),
    "phone": Degrade(dpi=180, rotate=5.0, perspective=0.04, blur=1.0, noise=6, jpeg=70, light=0.35, background=90),
}


@dataclass
class Truth:
    """What a simulated sheet should read as."""

    student_id: str
    form: str
    answers: dict[str, str] = field(default_factory=dict)  # question -> expected value
    kinds: dict[str, str] = field(default_factory=dict)  # question -> how it was marked


def render_blank(pdf_path: Path, page_index: int, dpi: int) -> np.ndarray:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf_path))
    try:
        bitmap = document[page_index].render(scale=dpi / 72, grayscale=True)
        return np.array(bitmap.to_pil().convert("L"))
    finally:
        document.close()


class Canvas:
    """Ink on a page: darkness is multiplied into the paper, in mm coordinates."""

    def __init__(self, gray: np.ndarray, dpi: int, rng: random.Random) -> None:
        self.image = gray.astype(np.float32) / 255.0
        self.scale = dpi / 25.4
        self.rng = rng

    def _apply(self, mask: np.ndarray, origin: tuple[int, int], darkness: float, texture: float = 0.0) -> None:
        alpha = mask.astype(np.float32) / 255.0
        if texture:
            noise = np.random.default_rng(self.rng.randrange(1 << 30)).normal(0, texture, alpha.shape)
            alpha = np.clip(alpha * (1 + noise), 0, 1).astype(np.float32)
        x, y = origin
        h, w = self.image.shape
        x1, y1 = min(w, x + mask.shape[1]), min(h, y + mask.shape[0])
        region = self.image[y:y1, x:x1]
        region *= 1.0 - darkness * alpha[:y1 - y, :x1 - x]

    def _window(self, x: float, y: float, half_mm: float) -> tuple[np.ndarray, tuple[int, int]]:
        """A blank mask around (x, y) mm and its top-left pixel."""
        s = self.scale
        x0, y0 = max(0, int((x - half_mm) * s)), max(0, int((y - half_mm) * s))
        size = int(2 * half_mm * s) + 2
        return np.zeros((size, size), np.uint8), (x0, y0)

    def fill(self, bubble: Bubble, darkness: float, size: float = 1.0, texture: float = 0.0,
             clip: float = 1.0) -> None:
        """An oval filled around the bubble (``clip`` < 1 leaves the top part of it empty: a partial fill)."""
        s, j = self.scale, self.rng.uniform(-0.25, 0.25)
        mask, (ox, oy) = self._window(bubble.x, bubble.y, 4.0)
        centre = (int(((bubble.x + j) * s - ox) * 16), int(((bubble.y + j) * s - oy) * 16))
        axes = (int(bubble.rx * size * s * 16), int(bubble.ry * size * s * 16))
        cv2.ellipse(mask, centre, axes, self.rng.uniform(-8, 8), 0, 360, 255, -1, cv2.LINE_AA, 4)
        if clip < 1.0:
            top = int((bubble.y + bubble.ry * size - 2 * bubble.ry * size * clip) * s) - oy
            mask[:max(0, top)] = 0
        self._apply(mask, (ox, oy), darkness, texture)

    def stroke(self, points: list[tuple[float, float]], darkness: float, width_mm: float) -> None:
        s = self.scale
        mask, (ox, oy) = self._window(points[0][0], points[0][1], 6.0)
        pts = np.array([[int((x * s - ox) * 16), int((y * s - oy) * 16)] for x, y in points], np.int32)
        cv2.polylines(mask, [pts], False, 255, max(1, int(width_mm * s)), cv2.LINE_AA, 4)
        self._apply(mask, (ox, oy), darkness)

    def check(self, bubble: Bubble) -> None:
        x, y, rx, ry = bubble.x, bubble.y, bubble.rx, bubble.ry
        self.stroke([(x - rx * 0.9, y), (x - rx * 0.2, y + ry * 0.8), (x + rx * 1.3, y - ry * 1.1)], 0.9, 0.45)

    def pixels(self) -> np.ndarray:
        return np.clip(self.image * 255.0, 0, 255).astype(np.uint8)


def mark_question(canvas: Canvas, bubbles: list[Bubble], kind: str, rng: random.Random) -> str:
    """Mark one question's bubbles as ``kind``; returns the value the scanner should report."""
    if kind == "blank" or not bubbles:
        return ""
    chosen = rng.choice(bubbles)
    if kind == "pen":
        canvas.fill(chosen, rng.uniform(0.8, 0.95), rng.uniform(0.9, 1.1))
    elif kind == "pencil":
        canvas.fill(chosen, rng.uniform(0.55, 0.7), rng.uniform(0.9, 1.05), texture=0.15)
    elif kind == "partial":
        canvas.fill(chosen, rng.uniform(0.8, 0.95), 1.0, clip=rng.uniform(0.45, 0.75))
        return "?" + chosen.value  # the answer, or sent to review
    elif kind == "check":
        canvas.check(chosen)
        return "?" + chosen.value
    elif kind == "erased":
        other = rng.choice([b for b in bubbles if b is not chosen] or [chosen])
        canvas.fill(other, rng.uniform(0.05, 0.1), 1.0, texture=0.3)  # the graphite an eraser leaves
        canvas.fill(chosen, rng.uniform(0.8, 0.95), rng.uniform(0.9, 1.1))
    elif kind == "double":
        second = rng.choice([b for b in bubbles if b is not chosen] or [chosen])
        canvas.fill(chosen, 0.9)
        canvas.fill(second, 0.9)
        return "|".join(sorted({chosen.value, second.value}, key=int))
    elif kind == "stray":  # a light pencil touch on a bubble left blank
        x, y = chosen.x, chosen.y
        canvas.stroke([(x - chosen.rx, y + 0.3), (x + chosen.rx * 0.8, y - 0.4)], rng.uniform(0.15, 0.25), 0.3)
        return ""
    return chosen.value


def _score_bubbles(bubbles: list[Bubble], score: float) -> list[Bubble]:
    chosen = []
    whole = int(score)
    for bubble in bubbles:
        value = float(bubble.value)
        if bubble.group == "points" and value == whole:
            chosen.append(bubble)
        elif bubble.group == "tens" and value == whole // 10 * 10:
            chosen.append(bubble)
        elif bubble.group == "ones" and value == whole % 10:
            chosen.append(bubble)
        elif bubble.group == "half" and score - whole >= 0.5:
            chosen.append(bubble)
    return chosen


def mark_page(gray: np.ndarray, dpi: int, page: PageLayout, truth: Truth, mix: dict[str, float],
              rng: random.Random) -> np.ndarray:
    canvas = Canvas(gray, dpi, rng)
    by_key: dict[tuple[str, str], list[Bubble]] = {}
    for bubble in page.bubbles:
        by_key.setdefault((bubble.field, bubble.key), []).append(bubble)
    kinds, weights = zip(*mix.items())
    for (kind_field, key), bubbles in by_key.items():
        if kind_field == "answer":
            kind = rng.choices(kinds, weights)[0]
            truth.kinds[key] = kind
            truth.answers[key] = mark_question(canvas, bubbles, kind, rng)
        elif kind_field == "score":
            top = max(b.max for b in bubbles)
            score = rng.randrange(0, int(top * 2) + 1) / 2 if rng.random() > 0.05 else None
            truth.kinds[key] = "score"
            truth.answers[key] = "" if score is None else f"{score:g}"
            for bubble in _score_bubbles(bubbles, score) if score is not None else []:
                canvas.fill(bubble, rng.uniform(0.8, 0.95))
        elif kind_field == "student_id":
            digit = truth.student_id[int(key) - 1] if int(key) <= len(truth.student_id) else ""
            for bubble in bubbles:
                if bubble.value == digit:
                    canvas.fill(bubble, rng.uniform(0.8, 0.95))
        elif kind_field == "form":
            for bubble in bubbles:
                if bubble.value == truth.form:
                    canvas.fill(bubble, 0.9)
    return canvas.pixels()


def degrade(gray: np.ndarray, spec: Degrade, rng: random.Random) -> np.ndarray:
    """A page image (rendered at ``spec.dpi``) as a scanner or phone would deliver it."""
    h, w = gray.shape
    image: Any = gray.astype(np.float32)
    if spec.light:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        angle = rng.uniform(0, 2 * np.pi)
        ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
        ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
        image *= 1.0 - spec.light * ramp
    pad = int(0.05 * w) if spec.perspective or spec.background != 255 else int(0.01 * w)
    source: Any = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    jitter = spec.perspective * w
    target: Any = np.array([[x + rng.uniform(-jitter, jitter), y + rng.uniform(-jitter, jitter)] for x, y in source],
                           dtype=np.float32)
    rotation = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-spec.rotate, spec.rotate), 1.0)
    target = cv2.transform(target.reshape(-1, 1, 2), rotation).reshape(-1, 2)
    target += pad - target.min(axis=0)  # the whole sheet stays in the picture
    canvas_size = (int(target[:, 0].max()) + pad, int(target[:, 1].max()) + pad)
    matrix = cv2.getPerspectiveTransform(source, target.astype(np.float32))
    image = cv2.warpPerspective(image, matrix, canvas_size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                borderValue=float(spec.background))
    if spec.blur:
        image = cv2.GaussianBlur(image, (0, 0), spec.blur)
    if spec.noise:
        image += np.random.default_rng(rng.randrange(1 << 30)).normal(0, spec.noise, image.shape).astype(np.float32)
    result: Any = np.clip(image, 0, 255).astype(np.uint8)
    if spec.jpeg:
        ok, data = cv2.imencode(".jpg", result, [cv2.IMWRITE_JPEG_QUALITY, spec.jpeg])
        result = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return result


def student_sheets(exam_dir: Path, layout: ExamLayout, count: int, mix: dict[str, float], spec: Degrade,
                   seed: int = 0, rotate_quarter: bool = False, first_id: int = 20260001
                   ) -> tuple[list[np.ndarray], list[Truth]]:
    """``count`` students' complete answer sheets (all pages, forms taking turns) and what they should read as."""
    rng = random.Random(seed)
    forms = sorted({page.form for page in layout.pages})
    blanks: dict[tuple[str, int], np.ndarray] = {}
    images, truths = [], []
    for student in range(count):
        form = forms[student % len(forms)]
        truth = Truth(f"{first_id + student:08d}", form)
        for page in (p for p in layout.pages if p.form == form and not p.copy):
            key = (page.file, page.file_page)
            if key not in blanks:
                blanks[key] = render_blank(exam_dir / page.file, page.file_page - 1, spec.dpi)
            marked = mark_page(blanks[key], spec.dpi, page, truth, mix, rng)
            image = degrade(marked, spec, rng)
            if rotate_quarter:
                image = np.ascontiguousarray(np.rot90(image, rng.choice((1, 2, 3))))
            images.append(image)
        truths.append(truth)
    return images, truths


def write_pdf(images: list[np.ndarray], path: Path, dpi: int, quality: int = 85) -> None:
    """A scanner-style PDF: one JPEG image per page."""
    from PIL import Image

    pages = [Image.fromarray(image) for image in images]
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi), quality=quality)


def write_tiff_g4(images: list[np.ndarray], path: Path, dpi: int) -> None:
    """A multi-page bilevel TIFF, CCITT G4 compressed (fax-like office scanners)."""
    from PIL import Image

    pages = [Image.fromarray(image).point(lambda v: 255 if v > 150 else 0).convert("1") for image in images]
    pages[0].save(path, "TIFF", save_all=True, append_images=pages[1:], compression="group4", dpi=(dpi, dpi))
