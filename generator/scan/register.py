"""Find a page's QR code and corner marks and fit the homography from layout millimetres to image pixels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from generator.render.sheet_layout import Payload, parse_payload
from generator.scan.layout import PageLayout

MAX_RESIDUAL_MM = 1.5  # a fitted point farther than this from the layout: the page is not this layout
MARK_SEARCH_MM = 40.0  # how far from its predicted place a corner mark may be (phone perspective)


class PageRejected(Exception):
    """A page that cannot be read; the message is the reason shown to the teacher."""


@dataclass(frozen=True)
class QrHit:
    payload: Payload | None
    text: str
    corners: np.ndarray  # 4×2 image pixels: symbol top-left, top-right, bottom-right, bottom-left


def find_qr(gray: np.ndarray) -> QrHit:
    """The mockexam QR code of a page in any orientation; tries a half-size image first (faster)."""
    import zxingcpp

    fmt: Any = zxingcpp.BarcodeFormat.QRCode
    hits = []
    for factor in (2, 1):
        image = gray[::factor, ::factor] if factor > 1 else gray
        if factor > 1 and min(gray.shape) < 1600:  # below ~190 dpi halving would blur the modules together
            continue
        hits = zxingcpp.read_barcodes(np.ascontiguousarray(image), formats=fmt)
        if hits:
            break
    if not hits:
        raise PageRejected("QR 코드 없음 (답안지가 아니거나 코드가 훼손됨)")
    ours = [hit for hit in hits if parse_payload(hit.text)] or hits
    hit = ours[0]
    pos = hit.position
    corners = np.array([[p.x, p.y] for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)],
                       dtype=np.float64) * factor
    return QrHit(parse_payload(hit.text), hit.text, corners)


def background(gray: np.ndarray, cell: int) -> np.ndarray:
    """The paper's brightness on a grid of ``cell``-pixel squares (ink removed by a max filter), float32."""
    step = max(1, cell // 4)  # subsample first: the max filter below does not need every pixel
    small = cv2.resize(gray[::step, ::step], (max(1, gray.shape[1] // cell), max(1, gray.shape[0] // cell)),
                       interpolation=cv2.INTER_AREA)
    small = cv2.dilate(small, np.ones((5, 5), np.uint8))
    return np.maximum(cv2.GaussianBlur(small, (5, 5), 0).astype(np.float32), 1.0)


def flatten(gray: np.ndarray, px_per_mm: float) -> np.ndarray:
    """Darkness 0 (paper) .. 255 (black) with uneven lighting divided out, uint8."""
    cell = max(2, int(round(px_per_mm * 2)))  # background cells of ~2 mm
    paper = cv2.resize(background(gray, cell), (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.bitwise_not(cv2.divide(gray, paper.astype(np.uint8), scale=255))


@dataclass(frozen=True)
class Registration:
    homography: np.ndarray  # layout mm -> image px
    marks_found: int
    residual_mm: float
    px_per_mm: float


def _qr_square(layout: PageLayout) -> np.ndarray:
    x, y, size = layout.qr
    return np.array([[x, y], [x + size, y], [x + size, y + size], [x, y + size]], dtype=np.float64)


def _mark_candidates(gray: np.ndarray, px_per_mm: float, size_mm: float) -> list[tuple[float, float]]:
    """Centres of solid, hole-free squares of about the corner-mark size, on a ~4 px/mm copy."""
    factor = max(1, int(px_per_mm // 3))
    small = gray[::factor, ::factor]
    scale = px_per_mm / factor
    dark = (flatten(small, scale) > 128).astype(np.uint8)
    contours, hierarchy = cv2.findContours(dark, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    expected = (size_mm * scale) ** 2
    found = []
    if hierarchy is None:
        return found
    for index, contour in enumerate(contours):
        if hierarchy[0][index][3] != -1 or hierarchy[0][index][2] != -1:
            continue  # a hole, or a shape with a hole (QR finder patterns, framed boxes)
        area = cv2.contourArea(contour)
        if not 0.5 * expected <= area <= 1.6 * expected:
            continue
        (cx, cy), (w, h), _angle = cv2.minAreaRect(contour)
        if min(w, h) <= 0 or max(w, h) / min(w, h) > 1.35 or area < 0.8 * w * h:
            continue
        moments = cv2.moments(contour)
        if moments["m00"]:
            cx, cy = moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]
        found.append(((cx + 0.5) * factor - 0.5, (cy + 0.5) * factor - 0.5))
    return found


def register(gray: np.ndarray, qr: QrHit, layout: PageLayout) -> Registration:
    """Homography from the corner marks (4, or 3 plus the QR corners), checked against the QR code."""
    qr_mm = _qr_square(layout)
    affine, _ = cv2.estimateAffine2D(qr_mm.astype(np.float32), qr.corners.astype(np.float32))
    if affine is None:
        raise PageRejected("QR 코드의 위치를 알 수 없음")
    px_per_mm = float(np.sqrt(abs(np.linalg.det(affine[:, :2]))))
    marks_mm = np.array(layout.marks, dtype=np.float64)
    candidates = _mark_candidates(gray, px_per_mm, layout.mark_size)
    found: dict[int, tuple[float, float]] = {}
    predicted: Any = marks_mm @ affine[:, :2].T + affine[:, 2]
    for _round in range(3):  # marks near the prediction refine the prediction of the others (perspective)
        for index, guess in enumerate(predicted):
            best = min(candidates, key=lambda c: (c[0] - guess[0]) ** 2 + (c[1] - guess[1]) ** 2, default=None)
            if best is not None and np.hypot(best[0] - guess[0], best[1] - guess[1]) <= MARK_SEARCH_MM * px_per_mm:
                found[index] = best
        if len(found) == 4 or len(found) < 2:
            break
        src = np.vstack([marks_mm[list(found)], qr_mm])
        dst = np.vstack([np.array(list(found.values())), qr.corners])
        if len(found) == 3:
            guess, _ = cv2.findHomography(src, dst, 0)
            if guess is None:
                break
            predicted = cv2.perspectiveTransform(marks_mm.reshape(-1, 1, 2), guess).reshape(-1, 2)
        else:
            guess, _ = cv2.estimateAffine2D(src.astype(np.float32), dst.astype(np.float32))
            if guess is None:
                break
            predicted = marks_mm @ guess[:, :2].T + guess[:, 2]
    if len(found) < 3:
        raise PageRejected(f"모서리 표시 없음 (4개 중 {len(found)}개만 보임: 네 모서리의 검은 사각형이 모두 보이게 "
                           f"스캔하십시오)")
    src_all = np.vstack([marks_mm[sorted(found)], qr_mm])
    dst_all = np.vstack([np.array([found[index] for index in sorted(found)]), qr.corners])
    homography, _ = cv2.findHomography(src_all, dst_all, 0)
    if homography is None:
        raise PageRejected("위치 맞춤 실패 (모서리 표시와 QR 코드가 맞지 않음)")
    projected = cv2.perspectiveTransform(src_all.reshape(-1, 1, 2), homography).reshape(-1, 2)
    residual = float(np.max(np.hypot(*(projected - dst_all).T))) / px_per_mm
    if residual > MAX_RESIDUAL_MM:
        raise PageRejected(f"배치 불일치: 모서리 표시와 QR 코드가 배치에서 {residual:.1f} mm 벗어남 "
                           f"(다른 배치의 답안지이거나 접히거나 잘린 종이)")
    return Registration(homography, len(found), residual, px_per_mm)
