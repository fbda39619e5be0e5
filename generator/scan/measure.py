"""Sample every bubble of a registered page against the blank template rendered from the exam's own PDF."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from generator.scan.layout import Bubble, PageLayout
from generator.scan.register import background

SCALE = 8.0  # px per mm of the registered page (203 dpi)
INNER = 0.8  # share of the oval's semi-axes that is sampled (keeps off the printed outline)
INK_LEVEL = 0.35  # a pixel at least this dark (0 paper, 1 black) and not printed is ink
PRINTED_LEVEL = 0.2  # template pixels at least this dark are printing (digit, outline), excluded from ink
SEARCH_MM = 0.8  # local search for residual misregistration


@dataclass(frozen=True)
class Reading:
    """The raw measurements of one bubble."""

    bubble: Bubble
    ink: float  # share of unprinted pixels inside the oval that are dark
    fill: float  # mean darkness inside the oval minus the blank template's
    dx: float  # local shift applied, mm
    dy: float


@lru_cache(maxsize=16)
def template(pdf_path: Path, page_index: int) -> tuple[np.ndarray, np.ndarray]:
    """The blank page as darkness (0..1) at ``SCALE`` px/mm, rendered from the answer-sheet PDF, and the mask
    of its printing (slightly widened), which never counts as ink."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf_path))
    try:
        bitmap = document[page_index].render(scale=SCALE * 25.4 / 72, grayscale=True)
        gray = np.array(bitmap.to_pil().convert("L"))
    finally:
        document.close()
    blank = 1.0 - gray.astype(np.float32) / 255.0
    printed = cv2.dilate((blank >= PRINTED_LEVEL).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return blank, printed


def bubble_area(layout: PageLayout, margin: float = 8.0) -> tuple[int, int, int, int]:
    """The part of the page (px at ``SCALE``: x0, y0, x1, y1) that holds every bubble, with a margin."""
    if not layout.bubbles:
        return 0, 0, 1, 1
    x0, y0, x1, y1 = _box(list(layout.bubbles), margin)
    width, height = int(round(layout.width * SCALE)), int(round(layout.height * SCALE))
    return max(0, x0), max(0, y0), min(width, x1), min(height, y1)


def warp(gray: np.ndarray, homography: np.ndarray, area: tuple[int, int, int, int]) -> np.ndarray:
    """The ``area`` of the layout, resampled from the scan at ``SCALE`` px/mm."""
    x0, y0, x1, y1 = area
    to_image = homography @ np.array([[1 / SCALE, 0, x0 / SCALE], [0, 1 / SCALE, y0 / SCALE], [0, 0, 1.0]])
    return cv2.warpPerspective(gray, to_image, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)


def _clusters(bubbles: tuple[Bubble, ...]) -> dict[tuple[str, str], list[Bubble]]:
    """Bubbles registered together: a question's row, an id digit's column, the form row."""
    groups: dict[tuple[str, str], list[Bubble]] = {}
    for bubble in bubbles:
        groups.setdefault((bubble.field, bubble.key), []).append(bubble)
    return groups


def _box(bubbles: list[Bubble], margin: float) -> tuple[int, int, int, int]:
    x0 = min(b.x - b.rx for b in bubbles) - margin
    x1 = max(b.x + b.rx for b in bubbles) + margin
    y0 = min(b.y - b.ry for b in bubbles) - margin
    y1 = max(b.y + b.ry for b in bubbles) + margin
    return int(x0 * SCALE), int(y0 * SCALE), int(np.ceil(x1 * SCALE)), int(np.ceil(y1 * SCALE))


def _shift(page: Registered, blank: np.ndarray, bubbles: list[Bubble]) -> tuple[int, int]:
    """The small shift (px) that best lays the printed bubbles of the template over the scan."""
    search = int(round(SEARCH_MM * SCALE))
    x0, y0, x1, y1 = _box(bubbles, 0.6)
    h, w = blank.shape
    if x0 - search < 0 or y0 - search < 0 or x1 + search > w or y1 + search > h:
        return 0, 0
    patch = blank[y0:y1, x0:x1]
    area = page.darkness(y0 - search, y1 + search, x0 - search, x1 + search)
    if float(patch.std()) < 1e-3:
        return 0, 0
    scores = cv2.matchTemplate(area, patch, cv2.TM_CCOEFF_NORMED)
    _, _, _, (bx, by) = cv2.minMaxLoc(scores)
    return bx - search, by - search


@lru_cache(maxsize=64)
def _oval(rx: float, ry: float) -> tuple[np.ndarray, int, int]:
    hx, hy = int(np.ceil(rx * SCALE)), int(np.ceil(ry * SCALE))
    yy, xx = np.mgrid[-hy:hy + 1, -hx:hx + 1]
    inside = (xx / (rx * INNER * SCALE)) ** 2 + (yy / (ry * INNER * SCALE)) ** 2 <= 1.0
    return inside, hx, hy


def measure(page: Registered, blank: np.ndarray, printed: np.ndarray, layout: PageLayout) -> list[Reading]:
    """Ink and fill of every bubble of a registered page."""
    readings = []
    for members in _clusters(layout.bubbles).values():
        dx, dy = _shift(page, blank, members)
        for bubble in members:
            inside, hx, hy = _oval(bubble.rx, bubble.ry)
            cx, cy = int(round(bubble.x * SCALE)), int(round(bubble.y * SCALE))
            tx = slice(cy - hy, cy + hy + 1), slice(cx - hx, cx + hx + 1)
            scan = page.darkness(cy - hy + dy, cy + hy + 1 + dy, cx - hx + dx, cx + hx + 1 + dx)
            base, mask = blank[tx], printed[tx]
            if scan.shape != inside.shape:
                readings.append(Reading(bubble, 0.0, 0.0, dx / SCALE, dy / SCALE))
                continue
            free = inside & ~mask
            ink = float((scan[free] >= INK_LEVEL).mean()) if free.any() else 0.0
            fill = float(scan[inside].mean() - base[inside].mean())
            readings.append(Reading(bubble, round(ink, 3), round(fill, 3), dx / SCALE, dy / SCALE))
    return readings


PAPER_CELL = 16  # px of the registered page per cell of the paper-brightness grid (2 mm)


@dataclass(frozen=True)
class Registered:
    """A page resampled onto its layout, with the paper brightness measured around every point."""

    gray: np.ndarray  # uint8 at SCALE px/mm: the bubble area of the page
    paper: np.ndarray  # float32 brightness per PAPER_CELL square
    x0: int  # where the area starts on the page, px
    y0: int

    def darkness(self, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
        """Darkness 0..1 of a small region (page px), divided by the paper brightness at its centre."""
        x0, x1, y0, y1 = x0 - self.x0, x1 - self.x0, y0 - self.y0, y1 - self.y0
        h, w = self.paper.shape
        cy = min(h - 1, max(0, (y0 + y1) // 2 // PAPER_CELL))
        cx = min(w - 1, max(0, (x0 + x1) // 2 // PAPER_CELL))
        patch = self.gray[max(0, y0):y1, max(0, x0):x1].astype(np.float32)
        return np.clip(1.0 - patch / self.paper[cy, cx], 0.0, 1.0)


def registered(gray: np.ndarray, homography: np.ndarray, layout: PageLayout) -> Registered:
    area = bubble_area(layout)
    page = warp(gray, homography, area)
    return Registered(page, background(page, PAPER_CELL), area[0], area[1])
