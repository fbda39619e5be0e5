"""Scanned files → page images (8-bit grayscale numpy arrays). PDF via pypdfium2, TIFF/PNG/JPEG via Pillow."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from generator.problems import UserError, display_path

PDF_SUFFIXES = {".pdf"}
IMAGE_SUFFIXES = {".tif", ".tiff", ".png", ".jpg", ".jpeg"}
RENDER_DPI = 200  # for PDF pages that are not one scanned image


@dataclass(frozen=True)
class PageRef:
    """One input page: a file and its 1-based page number in that file."""

    path: Path
    page: int

    @property
    def label(self) -> str:
        return f"{display_path(self.path)} p.{self.page}"


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files in the order given; folders contribute their scan files in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in PDF_SUFFIXES | IMAGE_SUFFIXES)
        elif path.is_file():
            if path.suffix.lower() not in PDF_SUFFIXES | IMAGE_SUFFIXES:
                raise UserError(f"{display_path(path)}: not a scan (use PDF, TIFF, PNG or JPEG files)")
            files.append(path)
        else:
            raise UserError(f"{display_path(path)}: no such file or folder")
    return files


def page_refs(path: Path) -> list[PageRef]:
    """Every page of a file (an unreadable file yields one page reference that fails when loaded)."""
    try:
        if path.suffix.lower() in PDF_SUFFIXES:
            import pypdfium2 as pdfium

            document = pdfium.PdfDocument(str(path))
            try:
                count = len(document)
            finally:
                document.close()
        else:
            from PIL import Image

            with Image.open(path) as image:
                count = getattr(image, "n_frames", 1)
    except Exception:  # noqa: BLE001 - reported per page as "unreadable"
        count = 1
    return [PageRef(path, number) for number in range(1, count + 1)]


def load_page(ref: PageRef) -> np.ndarray:
    """The page as a grayscale image; raises ValueError when the file cannot be decoded."""
    try:
        if ref.path.suffix.lower() in PDF_SUFFIXES:
            return _pdf_page(ref.path, ref.page - 1)
        return _image_frame(ref.path, ref.page - 1)
    except Exception as error:  # noqa: BLE001 - any decoder failure is one rejected page
        raise ValueError(f"파일을 읽을 수 없음 ({type(error).__name__}: {error})") from None


def _pdf_page(path: Path, index: int) -> np.ndarray:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(str(path))
    try:
        page = document[index]
        width, height = page.get_size()
        images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=1))
        if len(images) == 1:
            left, bottom, right, top = images[0].get_bounds()
            if (right - left) * (top - bottom) >= 0.9 * width * height:
                # a scanner's page: take its one image as stored (no re-rendering)
                return _pdf_image(images[0])
        return page.render(scale=RENDER_DPI / 72, grayscale=True).to_numpy().copy()
    finally:
        document.close()


def _pdf_image(image) -> np.ndarray:
    """A PDF image object's pixels; JPEGs wider than 2000 px are decoded at half size (libjpeg's DCT
    scaling is several times faster, and 150 dpi is plenty for 3 mm bubbles)."""
    import cv2

    if image.get_filters() == ["DCTDecode"]:
        width, _height = image.get_px_size()
        data = np.frombuffer(bytes(image.get_data(decode_simple=False)), np.uint8)
        flag = cv2.IMREAD_REDUCED_GRAYSCALE_2 if width > 2000 else cv2.IMREAD_GRAYSCALE
        decoded = cv2.imdecode(data, flag)
        if decoded is not None:
            return decoded
    return np.asarray(image.get_bitmap(render=False).to_pil().convert("L"))


def _image_frame(path: Path, index: int) -> np.ndarray:
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        image.seek(index)
        frame = ImageOps.exif_transpose(image) if index == 0 else image
        return np.asarray(frame.convert("L"))


def iter_pages(files: list[Path]) -> Iterator[PageRef]:
    for path in files:
        yield from page_refs(path)
