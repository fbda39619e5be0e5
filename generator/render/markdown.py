"""Question Markdown -> HTML: CommonMark + tables, <보기> boxes, LaTeX as SVG, highlighted code, bank images.

Raw HTML in a question is escaped (markdown-it with ``html: False``). Images are embedded as data URIs and
only when the file lies inside the bank folder, so no renderer ever fetches anything.
"""

from __future__ import annotations

import base64
import html
import itertools
import mimetypes
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import format as format_tokens
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.token import Error, Name
from pygments.util import ClassNotFound

from generator import disk_cache
from generator.render.code import CONTINUATION_HTML, MARK, CodeBox, cells, scale_for, wrap_tokens
from generator.render.mathtext import split_math_text

MATH_PX = 20.0  # ziamath size; the SVG is rescaled to em units afterwards
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
CODE_STYLE = "default"
_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'\b((?:xlink:)?href)="#([^"]+)"')
_SIZE = re.compile(r'^<svg([^>]*?) width="([\d.]+)" height="([\d.]+)" viewBox="([-\d. ]+)"')


_FORMATTER = HtmlFormatter(nowrap=True, noclasses=True, style=CODE_STYLE)


@lru_cache(maxsize=4096)
def _math_svg(latex: str, display: bool) -> str:
    """ziamath SVG scaled to em units (1em = the surrounding font size) and aligned on the baseline.

    Typesetting a formula takes ~30 ms, so results are also kept in the on-disk cache: rebuilding an exam
    or building another one from the same bank reuses them.
    """
    cached = disk_cache.read("math", _ziamath_version(), MATH_PX, display, latex)
    if cached is not None:
        return cached
    import ziamath  # a quarter of a second: only when a formula is not in the cache

    math = ziamath.Latex(latex, size=MATH_PX, inline=not display)
    svg = math.svg()
    match = _SIZE.match(svg)
    if match is None:  # pragma: no cover - ziamath output format changed
        return svg
    attrs, width, height, viewbox = match.groups()
    vb = [float(v) for v in viewbox.split()]
    descent = vb[1] + vb[3]  # baseline is y = 0 in the viewBox
    w, h = float(width) / MATH_PX, float(height) / MATH_PX
    style = f"width:{w:.3f}em;height:{h:.3f}em;vertical-align:{-descent / MATH_PX:.3f}em"
    head = f'<svg{attrs} class="math" style="{style}" viewBox="{viewbox}" role="img"'
    result = head + svg[match.end():]
    disk_cache.write(result, "math", _ziamath_version(), MATH_PX, display, latex)
    return result


@lru_cache(maxsize=1)
def _ziamath_version() -> str:
    from importlib.metadata import version

    return version("ziamath")


class MarkdownRenderer:
    """Renders question Markdown; one instance per output document (math ids are unique within it)."""

    def __init__(self, bank_root: Path, inline_svg: bool = True, code_box: CodeBox | None = None,
                 width_em: float | None = None, drawn_math: bool = False) -> None:
        """``inline_svg=False`` (for WeasyPrint) embeds formulas as SVG images: their elements then stay out
        of the HTML tree and its CSS cascade, which makes math-heavy pages several times faster.
        ``drawn_math`` (for PDFs whose writer calls ``math_pdf.draw_formulas``) leaves only an empty box of
        the formula's size, which the writer fills with the formula drawn as PDF paths.

        ``code_box`` is the room of a code block: wider code is shrunk, then broken with a ↪ mark.
        ``width_em`` is the text width in em of the body font: wider display formulas are scaled down.
        """
        self.bank_root = bank_root.resolve()
        self.inline_svg = inline_svg
        self.drawn_math = drawn_math
        self.code_box = code_box
        self.width_em = width_em
        self._ids = itertools.count(1)
        md = MarkdownIt("commonmark", {"html": False}).enable("table")
        md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)
        def rule(name: str, method) -> None:
            # markdown-it binds a rule to its renderer: wrap the bound method in a plain function
            md.add_render_rule(name, lambda _renderer, tokens, idx, options, env: method(tokens, idx, options, env))

        rule("math_inline", self._math_inline)
        rule("math_inline_double", self._math_block)
        rule("math_block", self._math_block)
        rule("math_block_label", self._math_block)
        rule("fence", self._fence)
        rule("code_block", self._fence)
        rule("image", self._image)
        rule("table_open", self._table_open)
        self.md = md

    # --- public API ---------------------------------------------------------------------------------
    def html(self, text: str | None, base: Path) -> str:
        if not text:
            return ""
        return self.md.render(text, {"base": base})

    def inline(self, text: str, base: Path) -> str:
        return self.md.renderInline(text, {"base": base})

    def blocks(self, text: str | None, base: Path) -> list[str]:
        """HTML of each top-level block, so that long questions can be split between blocks."""
        if not text:
            return []
        env = {"base": base}
        tokens = self.md.parse(text, env)
        out, start, depth = [], 0, 0
        for index, token in enumerate(tokens):
            depth += token.nesting
            if depth == 0:
                out.append(self.md.renderer.render(tokens[start:index + 1], self.md.options, env))
                start = index + 1
        return out

    def math(self, latex: str, display: bool = False) -> str:
        """A formula; ``\\text{…}`` runs with Hangul (``\\text{단, }``) print in the body font between the
        typeset parts, since the math font has no Hangul."""
        parts = split_math_text(latex)
        if len(parts) == 1 and not parts[0].is_text:
            return self._formula(latex, display)
        pieces = [f'<span class="math-text">{html.escape(part.source)}</span>' if part.is_text
                  else self._formula(part.source, display) for part in parts]
        return "".join(pieces)

    def _formula(self, latex: str, display: bool, scale: float = 1.0) -> str:
        try:
            svg = _math_svg(latex.strip(), display)
        except Exception:  # noqa: BLE001 - a formula ziamath cannot parse is shown as source
            return f'<code class="math-src">{html.escape(latex)}</code>'
        if scale < 1.0:
            svg = _scaled(svg, scale)
        if self.drawn_math:
            return _math_box(svg, f"{int(display)}|{scale:.4f}|{latex.strip()}")
        if not self.inline_svg:
            return _math_img(svg)
        prefix = f"m{next(self._ids)}-"
        svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
        return _HREF.sub(lambda m: f'{m.group(1)}="#{prefix}{m.group(2)}"', svg)

    def display_math(self, latex: str) -> str:
        """A display formula, scaled down (with its text runs) when wider than ``width_em``."""
        parts = split_math_text(latex)
        scale = 1.0
        if self.width_em:
            width = sum(_text_em(part.source) if part.is_text else _formula_em(part.source) for part in parts)
            scale = min(1.0, self.width_em / width) if width else 1.0
        if scale >= 1.0:
            return self.math(latex, display=True)
        pieces = [f'<span class="math-text" style="font-size:{scale:.3f}em">{html.escape(part.source)}</span>'
                  if part.is_text else self._formula(part.source, True, scale) for part in parts]
        return "".join(pieces)

    # --- render rules -------------------------------------------------------------------------------
    def _math_inline(self, tokens, idx, options, env) -> str:
        return self.math(tokens[idx].content, display=False)

    def _math_block(self, tokens, idx, options, env) -> str:
        return f'<div class="math-display">{self.display_math(tokens[idx].content)}</div>\n'

    def _fence(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        info = (token.info or "").strip().split(maxsplit=1)
        lang = info[0] if info else ""
        if lang in ("보기", "<보기>"):
            # each ㄱ./ㄴ./ㄷ. or (가)/(나) line is its own paragraph, as on Korean papers
            content = re.sub(r"\n(?=\s*(?:[ㄱ-ㅎ]\s*\.|\([가-하]\)|[A-E]\.))", "\n\n", token.content)
            inner = self.md.render(content, env)
            return ('<div class="bogi"><div class="bogi-title"><span>&lt;보 기&gt;</span></div>'
                    f'<div class="bogi-body">{inner}</div></div>\n')
        return self.code(token.content, lang)

    def code(self, source: str, lang: str = "") -> str:
        """A highlighted code block, shrunk to ``code_box`` down to a floor, then broken with a ↪ mark."""
        try:
            lexer = get_lexer_by_name(lang) if lang else TextLexer()
        except ClassNotFound:
            lexer = TextLexer()
        tokens = _no_error_tokens(lexer.get_tokens(source))
        style = ""
        if self.code_box is not None:
            lines = source.rstrip("\n").split("\n")
            scale = scale_for(lines, self.code_box)
            limit = self.code_box.columns(scale)
            if any(cells(line) > limit for line in lines):
                tokens = list(wrap_tokens(tokens, limit))
            if scale < 1.0:
                style = f' style="font-size:{scale:.0%}"'
        code = format_tokens(tokens, _FORMATTER).replace(MARK, CONTINUATION_HTML)
        return f'<pre class="hl"><code{style}>{code}</code></pre>\n'

    def _table_open(self, tokens, idx, options, env) -> str:
        """A table whose columns cannot fit ``width_em`` even with wrapped cells gets a smaller font."""
        if not self.width_em:
            return "<table>\n"
        needed = _table_min_em(tokens, idx)
        available = self.width_em / TABLE_EM
        if needed <= available:
            return "<table>\n"
        scale = max(TABLE_MIN_SCALE, available / needed)
        squeeze = ' class="squeeze"' if scale == TABLE_MIN_SCALE and needed * scale > available else ""
        return f'<table{squeeze} style="font-size:{TABLE_EM * scale:.3f}em">\n'

    def _image(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        renderer: RendererHTML = self.md.renderer  # type: ignore[assignment]
        alt = html.escape(renderer.renderInlineAsText(token.children or [], options, env))
        src = unquote(token.attrGet("src") or "")
        data = self._image_data(src, env.get("base"))
        if data is None:
            return f'<span class="img-refused">[그림을 표시할 수 없음: {alt or html.escape(src)}]</span>'
        return f'<img src="{data}" alt="{alt}">'

    def _image_data(self, src: str, base: Path | None) -> str | None:
        if not src or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith("//") or base is None:
            return None  # URLs (http:, file:, data:, …) are refused: images come from the bank only
        path = (base.parent / src).resolve()
        if not path.is_relative_to(self.bank_root) or not path.is_file() or path.suffix.lower() not in IMAGE_TYPES:
            return None
        return _data_uri(path)


_STYLE = re.compile(r' style="([^"]*)"')
TABLE_EM = 0.92  # table font size relative to the text (paper.css)
TABLE_MIN_SCALE = 0.65
CELL_CHROME_EM = 0.95  # cell padding (0.45em each side) and border


def _table_min_em(tokens, idx: int) -> float:
    """The narrowest width in em (of the table font) a Markdown table can take: per column, its longest
    unbreakable word (Korean words do not break: see text.keep_words), plus the cell padding."""
    from generator.render.common import visual_width

    widest: dict[int, float] = {}
    column, header = 0, False
    for token in tokens[idx + 1:]:
        if token.type == "table_close":
            break
        if token.type == "tr_open":
            column = 0
        elif token.type in ("th_open", "td_open"):
            header = token.type == "th_open"
        elif token.type in ("th_close", "td_close"):
            column += 1
        elif token.type == "inline":
            words = token.content.split() or [""]
            width = max(visual_width(word) for word in words) * (1.1 if header else 1.0)
            widest[column] = max(widest.get(column, 0.0), width)
    return sum(width + CELL_CHROME_EM for width in widest.values())
_EM = re.compile(r"(width|height|vertical-align):(-?[\d.]+)em")


def _no_error_tokens(tokens) -> list[tuple]:
    """Highlighter tokens without "error" tokens: lexers flag identifiers such as SQL table names in Hangul
    (``SELECT 이름 FROM 학생``) as errors, one character at a time, and styles draw a red box around them."""
    merged: list[tuple] = []
    for kind, value in tokens:
        if kind in Error:
            kind = Name
            if merged and merged[-1][0] is Name and not merged[-1][1][-1:].isspace() and not value.isspace():
                merged[-1] = (Name, merged[-1][1] + value)  # a Hangul name stays one token
                continue
        merged.append((kind, value))
    return merged


def _scaled(svg: str, scale: float) -> str:
    """A formula SVG from ``_math_svg`` drawn ``scale`` times as large."""
    return _EM.sub(lambda m: f"{m.group(1)}:{float(m.group(2)) * scale:.3f}em", svg, count=3)


def _formula_em(latex: str) -> float:
    """Width in em of a typeset formula (0 when it cannot be typeset)."""
    try:
        svg = _math_svg(latex.strip(), True)
    except Exception:  # noqa: BLE001
        return 0.0
    match = re.search(r"width:([\d.]+)em", svg)
    return float(match.group(1)) if match else 0.0


def _text_em(text: str) -> float:
    from generator.render.common import visual_width

    return visual_width(text)


@lru_cache(maxsize=4096)
def _math_img(svg: str) -> str:
    match = _STYLE.search(svg)
    assert match is not None, "_math_svg always writes a style attribute"
    style = match.group(1)
    data = base64.b64encode(_STYLE.sub("", svg, count=1).encode("utf-8")).decode("ascii")
    return f'<img class="math" style="{style}" src="data:image/svg+xml;base64,{data}" alt="">'


def _math_box(svg: str, key: str) -> str:
    match = _STYLE.search(svg)
    assert match is not None, "_math_svg always writes a style attribute"
    return f'<span class="math" style="{match.group(1)}" data-math="{html.escape(key)}"></span>'


@lru_cache(maxsize=4096)
def formula_svg(key: str) -> str:
    """The SVG of a ``data-math`` placeholder's key (``display|scale|latex``)."""
    display, scale, latex = key.split("|", 2)
    svg = _math_svg(latex, display == "1")
    return _scaled(svg, float(scale)) if float(scale) < 1.0 else svg


@lru_cache(maxsize=256)
def _data_uri(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
