"""Formulas drawn as PDF paths (render/math_pdf.py) look the same as WeasyPrint's drawing of their SVG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from generator.render.markdown import MarkdownRenderer
from generator.render.math_pdf import path_ops
from generator.render.pdf import Engine

FORMULAS = r"""
분수와 근호 $\frac{a^2}{\sqrt{b}} + \sum_{i=1}^{n} x_i$, 행렬 $\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$ 와
$\hat{y} = \sigma(\mathbf{W}x + b)$ 그리고

$$F_\beta = \frac{(1+\beta^2)\,P\,R}{\beta^2 P + R}$$
"""


def _page(tmp_path: Path, name: str, drawn: bool) -> np.ndarray:
    import pypdfium2

    md = MarkdownRenderer(tmp_path, inline_svg=False, drawn_math=drawn)
    from generator.render.common import paper_css

    target = tmp_path / f"{name}.pdf"
    Engine(tmp_path).write(f"<html><head><style>{paper_css('key.css')}</style></head><body>"
                           f"{md.html(FORMULAS, tmp_path)}</body></html>", target)
    document = pypdfium2.PdfDocument(str(target))
    image = document[0].render(scale=2, grayscale=True).to_numpy().astype(float)
    document.close()
    return image.reshape(image.shape[0], image.shape[1], -1)[:, :, 0]


def test_drawn_formulas_match_weasyprints_svg_drawing(tmp_path):
    drawn, svg = _page(tmp_path, "drawn", True), _page(tmp_path, "svg", False)
    assert drawn.shape == svg.shape
    ink = svg < 128
    assert ink.sum() > 2000, "the page holds text and formulas"
    # the same pixels are inked (anti-aliasing aside): a missing, shifted or flipped formula differs widely
    assert (np.abs(drawn - svg) > 128).sum() < 0.02 * ink.sum()


def test_drawn_formulas_leave_no_svg_in_the_html():
    md = MarkdownRenderer(Path("."), inline_svg=False, drawn_math=True)
    html = md.html(FORMULAS, Path("."))
    assert "<svg" not in html and "<img" not in html and "math-src" not in html
    assert html.count("data-math=") == 4


@pytest.mark.parametrize("d, expected", [
    ("M 0 0 L 3 0 Z", "0.000 0.000 m 3.000 0.000 l h"),
    ("M 0 0 Q 3 3 6 0", "0.000 0.000 m 2.000 2.000 4.000 2.000 6.000 0.000 c"),  # quadratic -> cubic
    ("M 1 1 H 4 V 5 C 1 2 3 4 5 6 Z", "1.000 1.000 m 4.000 1.000 l 4.000 5.000 l "
                                      "1.000 2.000 3.000 4.000 5.000 6.000 c h"),
])
def test_path_data_becomes_pdf_operators(d, expected):
    assert path_ops(d) == expected
