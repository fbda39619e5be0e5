"""HWPX export: each form's booklet (문제지) and the key (정답 및 해설) as 한글 documents a teacher can edit.

Two columns after a full-width title area; ``<보기>`` boxes as 1×1 tables; Markdown tables as tables;
bank images as pictures; formulas as Hancom equation script (what does not convert is written as
readable text and reported). Every document is checked with python-hwpx's validators before it is kept.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from generator.assemble.exam import Exam, ExamForm, ExamItem
from generator.atomic import write_bytes_atomic
from generator.bank.schema import CIRCLED, EssayMeta, QuestionType, ShortMeta
from generator.interop.hwpx_adapter import HwpxBook, Paragraph, Run, package_problems
from generator.render.writers import RenderContext

MAX_IMAGE_MM = 75.0  # a column is about 80 mm wide


class Book(Protocol):
    """What the paper layout below needs from a document format (HWPX here, DOCX in docx_export)."""

    fallbacks: list[str]

    def start_columns(self) -> None: ...
    def paragraph(self, runs: Paragraph, bold: bool = False) -> None: ...
    def box(self, title: str, lines: Sequence[Paragraph]) -> None: ...
    def table(self, rows: Sequence[Sequence[str]]) -> None: ...
    def picture(self, data: bytes, image_format: str, width_mm: float, height_mm: float) -> None: ...


class InternalExportError(RuntimeError):
    """python-hwpx rejected a document we built: a bug to report, not a user error."""


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)
    return md


_MD = _markdown()


def inline_runs(children: list[Any]) -> list[list[Run]]:
    """Inline tokens -> lines of runs (a hard or soft break starts a new line)."""
    lines: list[list[Run]] = [[]]
    bold = 0
    for token in children:
        kind = token.type
        if kind == "text":
            lines[-1].append(Run("bold" if bold else "text", token.content))
        elif kind in ("strong_open", "strong_close"):
            bold += 1 if kind == "strong_open" else -1
        elif kind == "code_inline":
            lines[-1].append(Run("code", token.content))
        elif kind in ("math_inline", "math_inline_double"):
            lines[-1].append(Run("math", token.content))
        elif kind in ("softbreak", "hardbreak"):
            lines.append([])
        elif kind == "image":
            lines[-1].append(Run("image", token.attrGet("src") or ""))
    return lines


class Writer:
    """Writes question Markdown into an HwpxBook."""

    def __init__(self, book: Book, exam: Exam, ctx: RenderContext) -> None:
        self.book, self.exam, self.ctx = book, exam, ctx

    def markdown(self, text: str | None, base: Path, first: Paragraph = (), after_first: Paragraph = ()) -> None:
        """Blocks of ``text``; ``first`` runs (the question number) go before the first paragraph and
        ``after_first`` (the points) after its text."""
        tokens = _MD.parse(text or "")
        prefix: list[Run] = list(first)
        suffix: list[Run] = list(after_first)
        index, list_stack = 0, []
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                list_stack.append(0 if kind == "bullet_list_open" else int(token.attrGet("start") or 1))
            elif kind in ("bullet_list_close", "ordered_list_close"):
                list_stack.pop()
            elif kind == "list_item_open" and list_stack:
                counter = list_stack[-1]
                mark = f"{counter}. " if counter else "- "
                if counter:
                    list_stack[-1] += 1
                prefix = [*prefix, Run("text", "  " * (len(list_stack) - 1) + mark)]
            elif kind == "inline":
                lines = inline_runs(token.children or [])
                lines[-1] += suffix
                self._lines(lines, base, prefix)
                prefix, suffix = [], []
            elif kind == "heading_open":
                inline = tokens[index + 1]
                lines = inline_runs(inline.children or [])
                self.book.paragraph([*prefix, *(r for line in lines for r in line)], bold=True)
                prefix, index = [], index + 2
            elif kind == "fence" and token.info.strip() in ("보기", "<보기>"):
                if prefix:
                    self.book.paragraph(prefix)
                    prefix = []
                self.book.box("<보 기>", [r for line in token.content.strip().split("\n") for r in self._inline(line)])
            elif kind in ("fence", "code_block"):
                if prefix:
                    self.book.paragraph(prefix)
                    prefix = []
                for line in token.content.rstrip("\n").split("\n"):
                    self.book.paragraph([Run("code", line)])
            elif kind in ("math_block", "math_block_label"):
                self.book.paragraph([*prefix, Run("math", token.content.strip())])
                prefix = []
            elif kind == "table_open":
                rows: list[list[str]] = []
                row: list[str] = []
                while tokens[index].type != "table_close":
                    inner = tokens[index]
                    if inner.type == "tr_close":
                        rows.append(row)
                        row = []
                    elif inner.type == "inline":
                        row.append(inner.content)
                    index += 1
                if prefix:
                    self.book.paragraph(prefix)
                    prefix = []
                self.book.table(rows)
            index += 1
        if prefix or suffix:
            self.book.paragraph([*prefix, *suffix])

    def _inline(self, text: str) -> list[list[Run]]:
        tokens = _MD.parseInline(text)
        return inline_runs(tokens[0].children or []) if tokens else [[Run("text", text)]]

    def _lines(self, lines: list[list[Run]], base: Path, prefix: list[Run]) -> None:
        for number, line in enumerate(lines):
            runs = [*(prefix if number == 0 else []), *line]
            images = [run for run in runs if run.kind == "image"]
            text_runs = [run for run in runs if run.kind != "image"]
            if text_runs or not images:
                self.book.paragraph(text_runs)
            for image in images:
                self.image(image.text, base)

    def image(self, src: str, base: Path) -> None:
        path = (base.parent / src).resolve()
        root = self.exam.bank.root
        if "://" in src or not path.is_relative_to(root) or not path.is_file():
            self.book.paragraph([Run("text", f"[그림: {src}]")])
            self.ctx.notes.append(f"image not found in the bank, written as text: {src}")
            return
        data = path.read_bytes()
        size = png_size(data) if path.suffix.lower() == ".png" else None
        width, height = size or (400, 300)
        width_mm = min(MAX_IMAGE_MM, width * 25.4 / 96)
        self.book.picture(data, path.suffix.lower().lstrip(".").replace("jpeg", "jpg"), width_mm,
                          width_mm * height / width)


def png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    width, height = struct.unpack(">II", data[16:24])
    return (width, height) if width and height else None


def title_block(book: Book, exam: Exam, heading: str) -> None:
    bp = exam.blueprint
    book.paragraph([Run("title", " ".join(part for part in (bp.session, bp.title) if part))])
    book.paragraph([Run("text", f"{bp.subject} 영역 · {heading} · 시험 시간 {bp.duration_minutes}분 · "
                                f"총 {exam.total_points}점")])
    book.paragraph([Run("text", "성명: ______________   수험번호: ______________")])


def booklet(exam: Exam, form: ExamForm, ctx: RenderContext, book: Book) -> None:
    title_block(book, exam, f"{form.label} 문제지")
    book.start_columns()
    writer = Writer(book, exam, ctx)
    for section in form.sections:
        book.paragraph([Run("bold", f"{section.name} ({len(section.items)}문항, {section.points}점)")])
        book.paragraph([Run("text", section.instructions)])
        for item in section.items:
            question(writer, item)


def question(writer: Writer, item: ExamItem) -> None:
    q = item.question
    number = [Run("bold", f"{item.number}. ")]
    writer.markdown(q.body.stem, q.path, number, [Run("text", f" [{item.points}점]")])
    for position, choice in enumerate(item.choices):
        lines = writer._inline(choice)
        writer._lines([[Run("text", f"{CIRCLED[position]} "), *lines[0]], *lines[1:]], q.path, [])
    if q.type == QuestionType.SHORT:
        writer.book.paragraph([Run("text", "답: ____________________")])
    writer.book.paragraph([])


def key(exam: Exam, ctx: RenderContext, book: Book) -> None:
    first = exam.forms[0]
    title_block(book, exam, "정답 및 해설")
    for form in exam.forms:
        marks = " ".join(f"{item.number}.{item.answer_label}" for item in form.items if item.answer is not None)
        if marks:
            book.paragraph([Run("bold", f"{form.label} 객관식 정답: "), Run("text", marks)])
    book.paragraph([Run("text", f"해설의 문항 번호와 선택지 번호는 {first.label} 기준입니다.")])
    book.start_columns()
    writer = Writer(book, exam, ctx)
    for item in first.items:
        q, meta = item.question, item.question.meta
        writer.markdown(q.body.stem, q.path, [Run("bold", f"{item.number}. ")])
        if item.answer is not None:
            book.paragraph([Run("bold", "정답: "), Run("text", item.answer_label)])
        elif isinstance(meta, ShortMeta):
            book.paragraph([Run("bold", "정답: "), Run("text", ", ".join(meta.answers))])
        if isinstance(meta, EssayMeta):
            book.paragraph([Run("bold", "모범답안")])
            writer.markdown(q.body.model_answer, q.path)
            book.paragraph([Run("bold", "채점 기준")])
            for rubric in meta.rubric:
                writer.markdown(f"- {rubric.point} ({rubric.score}점)", q.path)
        if item.explanation:
            book.paragraph([Run("bold", "해설")])
            writer.markdown(item.explanation, q.path)
        book.paragraph([])


def checked_bytes(book: HwpxBook, name: str) -> bytes:
    """The document's bytes after python-hwpx's schema and package validators passed."""
    problems = book.problems()
    data = book.to_bytes()
    problems += package_problems(data)
    if problems:
        raise InternalExportError(f"python-hwpx rejected {name}: " + "; ".join(problems[:5]))
    return data


def write_papers(exam: Exam, ctx: RenderContext, out_dir: Path, suffix: str, new_book: Callable[[], Any],
                 to_bytes: Callable[[Any, str], bytes]) -> list[Path]:
    """Each form's booklet and the key in one document format; notes the formulas written as text."""
    paths = []
    fallbacks: list[str] = []
    for form in [*exam.forms, None]:
        name = f"booklet-{form.name}" if form is not None else "key"
        ctx.say(f"{suffix.lstrip('.')} {name}")
        book = new_book()
        if form is not None:
            booklet(exam, form, ctx, book)
        else:
            key(exam, ctx, book)
        target = out_dir / f"{name}{suffix}"
        write_bytes_atomic(target, to_bytes(book, target.name))
        fallbacks += book.fallbacks
        paths.append(target)
    if fallbacks:
        unique = sorted(set(fallbacks))
        ctx.notes.append(f"{len(unique)} formula(s) had no Hancom equation form and were written as text: "
                         + ", ".join(f"${f}$" for f in unique[:5]) + (" …" if len(unique) > 5 else ""))
    return paths


def write(exam: Exam, ctx: RenderContext, out_dir: Path) -> list[Path]:
    return write_papers(exam, ctx, out_dir, ".hwpx", HwpxBook, checked_bytes)
