"""Named copies for a roster: one booklet and answer sheet per student, composed by placement.

Everything shared is laid out once: the booklet pieces of every form (or every student's own order: the
pieces are the same, only their placement differs) and one answer-sheet template per distinct sheet.
A copy is then a pure function of (exam, copy, shared layout) -> pages: its booklet pages place pieces,
its sheet pages draw the template plus the student's name, 수험번호, pre-filled bubbles and a QR code that
names the copy. Copies are made in batches: in this process, in a process pool (``jobs``), or on an
existing Dask cluster (``dask``). Each batch returns PDF bytes; the batches are joined in roster order.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from markupsafe import escape

from generator.assemble.exam import Exam, ExamCopy, ExamForm
from generator.render.booklet import ID_DIGITS, BookletLayout, Personal, compose_form, lay_out_booklets
from generator.render.compose import (
    PX_PER_MM,
    Box,
    ComposedPage,
    PageWriter,
    Piece,
    PieceSet,
    character_keys,
    circle_ops,
    concatenate,
    lay_out,
    side_by_side,
)
from generator.render.pdf import Engine
from generator.render.sheet_compose import (
    SheetLayout,
    form_payload,
    lay_out_sheets,
    layout_pages,
    sheet_page,
    write_layout,
)

Progress = Callable[[str], None]
BOOKLETS_NAME = "booklets.pdf"
BLANK_SHEETS_NAME = "answer-sheet-blank.pdf"
SHEETS_NAME = "answer-sheets.pdf"
COLLATED_DIR = "copies"
OWN_ORDER_QR_FORM = "S"  # the form slot of the QR code when a copy has its own order


@dataclass(frozen=True)
class CopyOptions:
    """How to make named copies: collated per-student PDFs, worker processes, a Dask scheduler."""

    collate: bool = False
    jobs: int = 1
    dask: str | None = None
    batch_size: int = 50


@dataclass
class SharedLayout:
    """What every copy of an exam shares; picklable, so it can be sent to workers."""

    booklets: BookletLayout
    sheets: SheetLayout


def distinct_forms(exam: Exam) -> list[ExamForm]:
    seen: dict[str, ExamForm] = {}
    for form in [*exam.forms, *(copy.form for copy in exam.copies)]:
        seen.setdefault(form.name, form)
    return list(seen.values())


def lay_out_shared(exam: Exam, engine: Engine) -> SharedLayout:
    """Booklet pieces for every form a copy prints, and one sheet template per sheet shape."""
    printed = list({copy.form.name: copy.form for copy in exam.copies}.values())
    codes = OWN_ORDER_QR_FORM + "".join(copy.code for copy in exam.copies)
    return SharedLayout(lay_out_booklets(exam, engine, distinct_forms(exam)),
                        lay_out_sheets(exam, engine, printed, codes))


def write_template_layout(exam: Exam, shared: SharedLayout, out_dir: Path) -> list[Path]:
    """answer-sheet-blank.pdf (each distinct blank sheet, what the scanner compares marks against) and
    layout.json for it; a named copy's QR code carries its template page's layout hash."""
    blank = out_dir / BLANK_SHEETS_NAME
    concatenate(shared.sheets.pdfs, blank)
    return [blank, write_layout(exam, layout_pages(exam, shared.sheets, [(BLANK_SHEETS_NAME, None)]), out_dir)]


def name_pieces(copies: Sequence[ExamCopy]) -> list[Piece]:
    """Names and digits a batch prints (a batch lays out only its own students' names)."""
    pieces = [Piece(f"digit:{d}", f'<span class="who-digit">{d}</span>', 6, shrink=True) for d in "0123456789"]
    pieces += [Piece(f"sdigit:{d}", f'<span class="who-sdigit">{d}</span>', 6, shrink=True) for d in "0123456789"]
    seen = set()
    for copy in copies:
        if copy.name not in seen:
            seen.add(copy.name)
            pieces.append(Piece(f"name:{copy.name}", f'<span class="who-name">{escape(copy.name)}</span>', 60,
                                shrink=True))
    return pieces


def sheet_pages(exam: Exam, copy: ExamCopy, sheets: SheetLayout, names: PieceSet, prefill: bool) -> list[ComposedPage]:
    """The answer-sheet pages of one copy: the template plus what is personal."""
    pages = []
    form_slot = OWN_ORDER_QR_FORM if copy.own_order else copy.form.name
    template = sheets.template(copy.form)
    for number, anchors in enumerate(template.anchors, 1):
        page = sheet_page(sheets, copy.form, number, form_payload(exam, copy.form, template, number, copy.code,
                                                                  form_slot))
        _write_in(page, names, f"name:{copy.name}", anchors.get("name"), left=True)
        if "id" in anchors:  # later pages: 수험번호 written in one box
            _write_digits(page, names, copy.student_id, anchors["id"])
        for position, digit in enumerate(copy.student_id.rjust(ID_DIGITS, "0")[-ID_DIGITS:]):
            _write_in(page, names, f"digit:{digit}", anchors.get(f"w{position}"))
            bubble = anchors.get(f"id{position}-{digit}")
            if prefill and bubble is not None:
                cx = (bubble.x + bubble.width / 2) / PX_PER_MM
                cy = (bubble.y + bubble.height / 2) / PX_PER_MM
                page.drawing.append(circle_ops(cx, cy, bubble.width / PX_PER_MM / 2, bubble.height / PX_PER_MM / 2))
        pages.append(page)
    return pages


def _write_in(page: ComposedPage, names: PieceSet, key: str, box: Box | None, left: bool = False) -> None:
    if box is None or key not in names.boxes:
        return
    width, height = names.width(key) / PX_PER_MM, names.height(key) / PX_PER_MM
    x = box.x / PX_PER_MM + 2 if left else (box.x + box.width / 2) / PX_PER_MM - width / 2
    page.place(key, x, (box.y + box.height / 2) / PX_PER_MM - height / 2)


def _write_digits(page: ComposedPage, names: PieceSet, digits: str, box: Box) -> None:
    middle = (box.y + box.height / 2) / PX_PER_MM
    for key, x in side_by_side(names, character_keys("sdigit", digits), box.x / PX_PER_MM + 2):
        page.place(key, x, middle - names.height(key) / PX_PER_MM / 2)


@dataclass
class BatchResult:
    booklets: bytes
    sheets: bytes
    collated: list[tuple[str, bytes]]


def collated_name(copy: ExamCopy) -> str:
    return f"{copy.number:03d}-{copy.student_id}.pdf"


def render_batch(exam: Exam, shared: SharedLayout, copies: Sequence[ExamCopy], collate: bool,
                 engine: Engine | None = None) -> BatchResult:
    """Booklets, sheets (and collated PDFs) of ``copies``: a pure function of its arguments."""
    from generator.render.booklet import piece_css

    engine = engine or Engine(exam.bank.root)
    names = lay_out(engine, piece_css(), name_pieces(copies))
    layout = shared.booklets
    templates = shared.sheets.pdfs
    glyphs = shared.sheets.glyphs
    assert glyphs is not None
    booklet_writer = PageWriter(layout.pieces, names)
    sheet_writer = PageWriter(names, glyphs, templates=templates)
    collated = []
    for copy in copies:
        furniture = layout.furniture[copy.form.name]
        booklet = compose_form(copy.form, layout.book, layout.pieces, furniture,
                               Personal(copy.name, copy.student_id), names)
        sheet = sheet_pages(exam, copy, shared.sheets, names, exam.blueprint.copies.prefill_id)
        for page in booklet:
            booklet_writer.add(page)
        for page in sheet:
            sheet_writer.add(page)
        if collate:
            writer = PageWriter(layout.pieces, names, glyphs, templates=templates)
            for part in (booklet, sheet):
                for page in part:
                    writer.add(page)
                if len(part) % 2:
                    writer.add(ComposedPage())  # each part starts on a front side when printed duplex
            collated.append((collated_name(copy), writer.to_bytes()))
    return BatchResult(booklet_writer.to_bytes(), sheet_writer.to_bytes(), collated)


# state inherited by forked workers (never pickled)
_FORKED: dict = {}


def _forked_batch(bounds: tuple[int, int]) -> BatchResult:
    exam, shared, collate = _FORKED["exam"], _FORKED["shared"], _FORKED["collate"]
    return render_batch(exam, shared, exam.copies[bounds[0]:bounds[1]], collate)


def _batches(count: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def render_copies(exam: Exam, engine: Engine, out_dir: Path, options: CopyOptions = CopyOptions(),
                  progress: Progress | None = None) -> list[Path]:
    """Write booklets.pdf and answer-sheets.pdf (and copies/NNN-<수험번호>.pdf) in roster order."""
    say = progress or (lambda _message: None)
    say(f"named copies: laying out the shared pieces for {len(exam.copies)} students")
    shared = lay_out_shared(exam, engine)
    bounds = _batches(len(exam.copies), max(1, options.batch_size))
    say(f"named copies: composing {len(exam.copies)} copies in {len(bounds)} batch(es)")
    if options.dask:
        results = _on_dask(exam, shared, bounds, options)
    elif options.jobs > 1 and len(bounds) > 1:
        results = _in_pool(exam, shared, bounds, options)
    else:
        results = (render_batch(exam, shared, exam.copies[a:b], options.collate, engine) for a, b in bounds)
    paths = [out_dir / BOOKLETS_NAME, out_dir / SHEETS_NAME]
    folder = out_dir / COLLATED_DIR
    with tempfile.TemporaryDirectory(prefix="mockexam-batches-") as scratch:
        parts: list[list[Path]] = [[], []]
        for index, result in enumerate(results):  # each batch goes to disk as it arrives: memory stays flat
            for kind, data in enumerate((result.booklets, result.sheets)):
                parts[kind].append(Path(scratch) / f"{kind}-{index:06d}.pdf")
                parts[kind][-1].write_bytes(data)
            if options.collate:
                folder.mkdir(exist_ok=True)
                for name, data in result.collated:
                    (folder / name).write_bytes(data)
        concatenate(parts[0], paths[0])
        concatenate(parts[1], paths[1])
    paths += write_template_layout(exam, shared, out_dir)
    if options.collate:
        paths.append(folder)
    return paths


def _in_pool(exam: Exam, shared: SharedLayout, bounds: list[tuple[int, int]],
             options: CopyOptions) -> Iterator[BatchResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if not hasattr(os, "fork"):  # pragma: no cover - fork shares the exam without pickling it
        yield from (render_batch(exam, shared, exam.copies[a:b], options.collate) for a, b in bounds)
        return
    _FORKED.update(exam=exam, shared=shared, collate=options.collate)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=options.jobs, mp_context=context) as pool:
            yield from pool.map(_forked_batch, bounds)
    finally:
        _FORKED.clear()


def _on_dask(exam: Exam, shared: SharedLayout, bounds: list[tuple[int, int]],
             options: CopyOptions) -> Iterator[BatchResult]:
    """Send the batches to an existing Dask cluster; the exam and the shared layout travel once."""
    from generator.problems import UserError

    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - optional dependency
        raise UserError("--dask needs the 'distributed' package: pip install 'mockexam[dask]'") from None
    try:
        client = Client(options.dask, timeout="10s")
    except (OSError, TimeoutError) as error:
        raise UserError(f"--dask {options.dask}: cannot reach the Dask scheduler ({error})") from None
    try:
        exam_future = client.scatter(exam, broadcast=True)
        shared_future = client.scatter(shared, broadcast=True)
        futures = [client.submit(render_batch, exam_future, shared_future, exam.copies[a:b], options.collate,
                                 pure=False) for a, b in bounds]
        for future in futures:  # in roster order, each released once written
            yield future.result()
            future.release()
    finally:
        client.close()
