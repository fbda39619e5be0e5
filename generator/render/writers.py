"""The table of writers: every output of an exam (PDFs, HTML, editable exports) is one entry.

``build`` and ``render`` run the writers marked ``in_build``; ``export`` runs one writer by its format name.
Adding an output format is adding a module with ``write(exam, ctx, out_dir) -> list[Path]`` and one row here.
Modules are imported only when their writer runs (WeasyPrint and python-hwpx are heavy).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from generator.assemble.exam import Exam
    from generator.render.booklet import BookletPlan
    from generator.render.compose import Piece, PieceSet
    from generator.render.copies import CopyOptions
    from generator.render.pdf import Engine

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass
class RenderContext:
    """Per-process state shared by the writers of one run: the WeasyPrint engine (created on first use),
    where progress goes, and notes for the user (e.g. what a format could not carry)."""

    bank_root: Path
    say: Progress = _quiet
    notes: list[str] = field(default_factory=list)
    copy_options: CopyOptions | None = None  # named copies: collation, worker processes, Dask
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from generator.render.pdf import Engine

            self._engine = Engine(self.bank_root)
        return self._engine


WriteFunction = Callable[["Exam", RenderContext, Path], "list[Path]"]


@dataclass(frozen=True)
class Writer:
    """One output: ``write(exam, ctx, out_dir)`` lives in ``module`` (imported on first use)."""

    name: str  # build task name or export format
    produces: str  # the files it writes, for --help and docs
    module: str
    function: str = "write"
    in_build: bool = False  # written by `mockexam build` and `mockexam render`
    scope: str = "always"  # with in_build: "forms" (one file per form), "copies" (a roster build) or "always"
    suffix: str = ""  # file suffix of an export (--out FILE)
    imports: tuple[str, ...] = ()  # heavy modules to import before forking workers
    # with in_build: (plan, lay_out, join) functions of ``module`` that split the layout into parts for
    # parallel workers: plan(exam, ctx, parts) -> (state, inputs) in the parent, lay_out(ctx, input) -> result
    # in a worker, join(exam, ctx, state, results, out_dir) -> paths in the parent
    split: tuple[str, str, str] | None = None

    def write(self, exam: Exam, ctx: RenderContext, out_dir: Path) -> list[Path]:
        function: WriteFunction = getattr(importlib.import_module(self.module), self.function)
        return function(exam, ctx, out_dir)

    def step(self, index: int) -> Callable[..., Any]:
        """Step ``index`` (0 plan, 1 lay out, 2 join) of a split writer."""
        assert self.split is not None
        return getattr(importlib.import_module(self.module), self.split[index])

    def load(self) -> None:
        """Import the modules now (before forking workers, so they inherit them)."""
        for module in (self.module, *self.imports):
            importlib.import_module(module)


# the build writers in the order the pool starts them: heaviest first
WRITERS: tuple[Writer, ...] = (
    Writer("copies", "booklets.pdf, answer-sheets.pdf, copies/*.pdf (수험자별 문제지·답안지)", "generator.render.writers",
           "_copies", in_build=True, scope="copies", imports=("generator.render.copies",)),
    Writer("booklets", "booklet-<form>.pdf (문제지)", "generator.render.writers", "_booklets", in_build=True,
           scope="forms", imports=("generator.render.booklet",),
           split=("_booklet_plan", "_booklet_part", "_booklet_join")),
    Writer("key", "key.pdf (정답 및 해설)", "generator.render.writers", "_key", in_build=True,
           imports=("generator.render.key",)),
    Writer("html", "exam.html (인쇄·연습용 웹 페이지)", "generator.render.writers", "_html", in_build=True,
           imports=("generator.render.webpage",)),
    Writer("sheets", "answer-sheet-<form>.pdf (답안지)", "generator.render.writers", "_sheets", in_build=True,
           scope="forms", imports=("generator.render.sheet_compose",)),
    Writer("hwpx", "booklet-<form>.hwpx and key.hwpx (한글 문서)", "generator.interop.hwpx_export", suffix=".hwpx"),
    Writer("moodle-xml", "questions.xml (Moodle XML)", "generator.interop.moodle_export", suffix=".xml"),
    Writer("gift", "questions.gift.txt (GIFT)", "generator.interop.gift_export", suffix=".txt"),
    Writer("qti", "questions-qti.zip (QTI 1.2 for Canvas)", "generator.interop.qti_export", suffix=".zip"),
    Writer("xlsx", "questions.xlsx (Excel, the import template's layout)", "generator.interop.xlsx_export",
           suffix=".xlsx"),
    Writer("docx", "booklet-<form>.docx and key.docx (Word, with Word equations)", "generator.interop.docx_export",
           suffix=".docx"),
)

# the order of the returned paths (booklets or named copies, sheets, key, html)
BUILD_OUTPUT_ORDER = ("booklets", "copies", "sheets", "key", "html")


def writer(name: str) -> Writer:
    return next(w for w in WRITERS if w.name == name)


def build_writers(exam: Exam | None = None) -> tuple[Writer, ...]:
    """What build and render write: per-form booklets and sheets, or a roster's named copies."""
    skip = "forms" if exam is not None and exam.copies else "copies"
    return tuple(w for w in WRITERS if w.in_build and w.scope != skip)


def export_formats() -> tuple[str, ...]:
    return tuple(w.name for w in WRITERS if not w.in_build)


# adapters for the PDF/HTML writer modules, whose own functions keep their signatures


def _booklets(exam: Exam, ctx: RenderContext, out_dir: Path) -> list[Path]:
    from generator.render.booklet import render_booklets

    return render_booklets(exam, ctx.engine, out_dir, progress=ctx.say)


def _booklet_plan(exam: Exam, ctx: RenderContext, parts: int) -> tuple[BookletPlan, list[list[Piece]]]:
    from generator.render.booklet import plan_booklets

    ctx.say(f"booklet {exam.forms[0].name}")
    plan = plan_booklets(exam, exam.forms)
    return plan, plan.parts(parts)


def _booklet_part(ctx: RenderContext, pieces: list[Piece]) -> PieceSet:
    from generator.render.booklet import lay_out_part

    return lay_out_part(ctx.engine, pieces)


def _booklet_join(exam: Exam, ctx: RenderContext, plan: BookletPlan, parts: list[PieceSet],
                  out_dir: Path) -> list[Path]:
    from generator.render.booklet import BookletLayout, write_booklets
    from generator.render.compose import merge

    return write_booklets(BookletLayout(plan.book, merge(parts), plan.furniture), exam.forms, out_dir, ctx.say)


def _copies(exam: Exam, ctx: RenderContext, out_dir: Path) -> list[Path]:
    from generator.render.copies import CopyOptions, render_copies

    return render_copies(exam, ctx.engine, out_dir, ctx.copy_options or CopyOptions(), progress=ctx.say)


def _sheets(exam: Exam, ctx: RenderContext, out_dir: Path) -> list[Path]:
    from generator.render.sheet_compose import render_answer_sheets

    return render_answer_sheets(exam, ctx.engine, out_dir, progress=ctx.say)


def _key(exam: Exam, ctx: RenderContext, out_dir: Path) -> list[Path]:
    from generator.render.key import render_key

    ctx.say("key")
    return [render_key(exam, ctx.engine, out_dir)]


def _html(exam: Exam, ctx: RenderContext, out_dir: Path) -> list[Path]:
    from generator.render.webpage import render_html

    ctx.say("html")
    return [render_html(exam, out_dir)]
