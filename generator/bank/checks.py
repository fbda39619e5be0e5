"""Checks of a question file's content that catch what would print wrong: control characters, skeleton
markers, images and formulas. Each returns ``FileProblem``s with the file line.

Decoding images and typesetting formulas is slow, so their verdicts are kept in the on-disk cache
(``generator.disk_cache``) keyed by the image bytes' hash and by the formula's text: a second
``validate`` of an unchanged bank only reads the cache.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import unquote

from generator import disk_cache
from generator.bank.frontmatter import Body, FileProblem

MAX_FILE_BYTES = 1_000_000  # a question file; larger ones are refused before parsing
MAX_IMAGE_BYTES = 5_000_000
MAX_IMAGE_PIXELS = 25_000_000  # width × height; a decompression bomb has far more
IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"})  # what the renderers embed

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TODO = re.compile(r"""^[ \t]*(?:-[ \t]+)?(?:\{[ \t]*point:[ \t]*)?["']?TODO\b""", re.MULTILINE)
_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
_FORMATS = ", ".join(sorted(ext.lstrip(".") for ext in IMAGE_TYPES))


def _line_at(text: str, index: int, first_line: int = 1) -> int:
    return first_line + text.count("\n", 0, index)


def control_characters(text: str) -> list[FileProblem]:
    """NUL and other control characters (tab and newline excepted): invisible, and they break YAML and PDFs."""
    match = _CONTROL.search(text)
    if match is None:
        return []
    char = match.group(0)
    name = "NUL" if char == "\0" else unicodedata.name(char, "control character")
    line = _line_at(text, match.start())
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    count = len(_CONTROL.findall(text))
    more = f" ({count} in the file)" if count > 1 else ""
    return [FileProblem(line, "characters", f"control character U+{ord(char):04X} ({name}) at column {column}"
                        f"{more}: delete it; it usually comes from copying text out of a PDF or HWP file")]


def todo_markers(text: str) -> list[FileProblem]:
    """The ``TODO`` placeholders of a ``mockexam new`` skeleton that were not replaced."""
    if "TODO" not in text:
        return []
    lines = [_line_at(text, match.start()) for match in _TODO.finditer(text)]
    if not lines:
        return []
    shown = ", ".join(map(str, lines[:6])) + (", …" if len(lines) > 6 else "")
    return [FileProblem(lines[0], "TODO", f"the skeleton's TODO markers are still there (lines {shown}): "
                        "replace each TODO with your text")]


# ---------------------------------------------------------------- images and math


@lru_cache(maxsize=1)
def _parser():  # type: ignore[no-untyped-def]
    """The renderer's Markdown syntax (CommonMark, tables, dollar math), for finding images and formulas."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)
    return md


def _walk(tokens: Iterable) -> Iterator:  # type: ignore[type-arg]
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)
        if token.type == "fence" and token.info.strip().lstrip("<").startswith("보기"):
            yield from _walk(_parser().parse(token.content))  # a <보기> box holds Markdown


def _markdown_parts(body: Body, inline_texts: Iterable[str]) -> Iterator:  # type: ignore[type-arg]
    md = _parser()
    for text in (body.stem, body.explanation, body.model_answer):
        if text:
            yield from _walk(md.parse(text))
    for text in inline_texts:
        yield from _walk(md.parseInline(text))


def media_problems(raw_text: str, body: Body, inline_texts: list[str], path: Path, root: Path) -> list[FileProblem]:
    """Images that cannot be embedded and formulas the math engine cannot typeset."""
    if "$" not in raw_text and "![" not in raw_text and "]:" not in raw_text:
        return []  # the common case: nothing to parse
    problems = []
    for kind, value, verdict in _media_references(body, inline_texts):
        message = image_problem(value, path, root) if kind == "image" else verdict
        if message:
            problems.append(FileProblem(_find_line(raw_text, value), kind, message))
    return problems


def _media_references(body: Body, inline_texts: list[str]) -> list[tuple[str, str, str]]:
    """The distinct images (kind, src, '') and formulas (kind, latex, what is wrong or '') of a question.

    Parsing the Markdown is most of a bank's loading time, so the references and the formulas' verdicts
    (pure functions of the text) are cached by the question's text; images are checked afresh every time.
    """
    def parse() -> str:
        found: dict[tuple[str, str], str] = {}
        for token in _markdown_parts(body, inline_texts):
            if token.type == "image":
                found.setdefault(("image", token.attrGet("src") or ""), "")
            elif token.type.startswith("math") and ("math", token.content.strip()) not in found:
                latex = token.content.strip()
                found[("math", latex)] = math_problem(latex, token.type != "math_inline") or ""
        return json.dumps([[kind, value, message] for (kind, value), message in found.items()], ensure_ascii=False)

    texts = "\0".join([body.stem or "", body.explanation or "", body.model_answer or "", *inline_texts])
    return [(kind, value, message) for kind, value, message in json.loads(_cached("media-verdicts", texts, parse))]


def _find_line(text: str, needle: str) -> int:
    index = text.find(needle) if needle else -1
    return _line_at(text, index) if index >= 0 else 1


def image_problem(src: str, question_file: Path, root: Path) -> str | None:
    """Why the image ``src`` of a question cannot be printed, or None."""
    if not src.strip():
        return "image without a file name: write ![설명](img/name.png)"
    if src.startswith("data:"):
        return "embedded data: image: save it as a file in the bank and link it, e.g. ![설명](img/name.png)"
    if _URL.match(src):
        return (f"remote image {src}: exams are built offline; download it into the bank (e.g. next to the "
                "question in img/) and link it with a relative path")
    target = (question_file.parent / unquote(src)).resolve()
    if not target.is_relative_to(root):
        return f"image {src} lies outside the bank folder: copy it into the bank (e.g. img/ next to the question)"
    if not target.is_file():
        return f"image not found: {src} (looked for {target}); check the name and the path relative to this file"
    if target.suffix.lower() not in IMAGE_TYPES:
        return f"image {src}: '{target.suffix}' files cannot be printed; use one of {_FORMATS}"
    size = target.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return (f"image {src} is {size / 1e6:.1f} MB (limit {MAX_IMAGE_BYTES // 1_000_000} MB): shrink it, "
                "e.g. to 1600 px wide, or save it as JPEG")
    data = target.read_bytes()
    message = _cached("image", hashlib.sha256(data).hexdigest(), lambda: _decode_problem(data, target.suffix.lower()))
    return f"image {src}: {message}" if message else None


def _decode_problem(data: bytes, suffix: str) -> str:
    """'' when the image decodes, else why not."""
    if suffix == ".svg":
        import xml.etree.ElementTree as ElementTree

        try:
            root = ElementTree.fromstring(data)
        except ElementTree.ParseError as error:
            return f"not a readable SVG file ({error}): export it again"
        return "" if root.tag.rsplit("}", 1)[-1] == "svg" else "not an SVG image (no <svg> element): export it again"
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                return (f"{image.width}×{image.height} pixels is too large (limit {MAX_IMAGE_PIXELS // 1_000_000} "
                        "megapixels): shrink it")
            image.load()
    except Exception as error:  # noqa: BLE001 - Pillow raises many kinds for broken files
        return f"not a decodable image ({type(error).__name__}): open and save it again as PNG or JPEG"
    return ""


def math_problem(latex: str, display: bool) -> str | None:
    """Why the math engine (ziamath) cannot typeset ``latex``, or None."""
    message = _cached("math", f"{display}\0{latex}", lambda: _typeset_problem(latex, display))
    return message or None


def _typeset_problem(latex: str, display: bool) -> str:
    """Typeset with the renderer's own function: its on-disk cache then also serves the next build."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from latex2mathml.converter import convert

        from generator.render.markdown import _math_svg

        try:
            _math_svg(latex, display)
            mathml = convert(latex)
        except Exception as error:  # noqa: BLE001 - the engine's error types are its own
            reason = re.sub(r"(?<!^)(?=[A-Z])", " ", type(error).__name__.removesuffix("Error")).lower()
            return f"the math engine cannot typeset ${latex}$ ({reason}): check braces, ^/_ and \\left…\\right pairs"
    unknown = re.search(r">(\\[A-Za-z]+)<", mathml)
    if unknown:
        return f"unknown math command {unknown.group(1)} in ${latex}$: it would print as text; check its spelling"
    return ""


def _cached(kind: str, key: str, compute) -> str:  # type: ignore[no-untyped-def]
    """``compute()`` (a message, '' for fine) through the memory and disk caches."""
    versioned = (_ENGINE_VERSION(), key)
    if versioned in _MEMORY:
        return _MEMORY[versioned]
    stored = disk_cache.read(f"check-{kind}", *versioned)
    if stored is None:
        stored = compute()
        disk_cache.write(stored, f"check-{kind}", *versioned)
    _MEMORY[versioned] = stored
    return stored


_MEMORY: dict[tuple[str, str], str] = {}


@lru_cache(maxsize=1)
def _ENGINE_VERSION() -> str:  # noqa: N802 - a constant computed once
    """Cached verdicts are only valid for the engine versions and limits that made them."""
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for package in ("ziamath", "latex2mathml", "pillow"):
        try:
            parts.append(version(package))
        except PackageNotFoundError:  # pragma: no cover
            parts.append("-")
    return ",".join(parts) + f",{MAX_IMAGE_PIXELS}"
