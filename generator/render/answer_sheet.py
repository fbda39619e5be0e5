"""답안지 (OMR-style answer sheet): explicit A4 pages, each with corner markers and a QR code."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import segno
from markupsafe import Markup

from generator.assemble.exam import Exam, ExamForm, ExamItem
from generator.atomic import write_text_atomic
from generator.bank.schema import QuestionType
from generator.render.common import environment, paper_css
from generator.render.pdf import Engine
from generator.render.sheet_layout import (
    LAYOUT_NAME,
    Payload,
    layout_document,
    layout_hash,
    layout_json,
    measure_page,
)
from generator.render.text import keep_words

ID_DIGITS = 8
MCQ_PER_BLOCK = 10
BESIDE_ID = 3  # MCQ blocks next to the 수험번호 panel; the rest go below, five to a row
SHORTS_ON_FIRST_PAGE = 8


SCORE_BUBBLES_UP_TO = 15  # one bubble per point up to this maximum; tens and ones digits above it


def qr_payload(exam_id: str, form: str, page: int, hash_: str, copy: str = "") -> str:
    return str(Payload(exam_id, form, copy, page, hash_))


def score_groups(points: float) -> list[tuple[str, list[float]]]:
    """The grader's score bubbles (채점란) of a written question worth ``points``: (group, values) pairs.

    The teacher marks one bubble per group and the score is their sum: 0..max points (or tens and ones
    above ``SCORE_BUBBLES_UP_TO``), plus an optional half point for scores such as 2.5.
    """
    whole = int(points)
    if whole <= SCORE_BUBBLES_UP_TO:
        groups: list[tuple[str, list[float]]] = [("points", [float(v) for v in range(whole + 1)])]
    else:
        groups = [("tens", [float(v) for v in range(0, whole + 1, 10)]), ("ones", [float(v) for v in range(10)])]
    return groups + [("half", [0.5])]


def _value_label(value: float) -> str:
    return ".5" if value == 0.5 else f"{value:g}"


def qr_svg(payload: str) -> Markup:
    """The QR code as inline SVG, sized by CSS."""
    svg = segno.make(payload, error="m", micro=False).svg_inline(scale=1, border=0, omitsize=True, dark="#000")
    return Markup(svg)


@dataclass
class SheetPage:
    kind: str  # "main" | "short" | "essay"
    number: int = 0
    qr: Markup = Markup("")
    payload: str = ""
    essays: list[ExamItem] = field(default_factory=list)
    shorts: list[ExamItem] = field(default_factory=list)
    hash: str = ""


def _blocks(items: list[ExamItem]) -> list[list[ExamItem]]:
    return [items[i:i + MCQ_PER_BLOCK] for i in range(0, len(items), MCQ_PER_BLOCK)]


def sheet_pages(exam: Exam, form: ExamForm) -> list[SheetPage]:
    shorts = [item for item in form.items if item.question.type == QuestionType.SHORT]
    essays = [item for item in form.items if item.question.type == QuestionType.ESSAY]
    mcqs = [item for item in form.items if item.answer is not None]
    pages = [SheetPage("main")]
    if len(shorts) <= SHORTS_ON_FIRST_PAGE and len(mcqs) <= BESIDE_ID * MCQ_PER_BLOCK:
        pages[0].shorts = shorts
    else:
        for i in range(0, len(shorts), 16):
            pages.append(SheetPage("short", shorts=shorts[i:i + 16]))
    pages += [SheetPage("essay", essays=[essay]) for essay in essays]
    for number, page in enumerate(pages, 1):
        page.number = number
        # placeholders: the QR code is drawn once the page's layout hash is known
        page.payload = f"@@QR-TEXT-{number}@@"
        page.qr = Markup(f"@@QR-SVG-{number}@@")
    return pages


def bubble_labels(names: list[str]) -> list[str]:
    """What each form's bubble shows: the name when it is one character, else its first character when
    those differ (홀수형, 짝수형 -> 홀, 짝), else 1, 2, 3… The full name is printed under the bubble."""
    if all(len(name) == 1 for name in names):
        return names
    firsts = [name[0] for name in names]
    return firsts if len(set(firsts)) == len(firsts) else [str(n) for n in range(1, len(names) + 1)]


def choice_count(form: ExamForm) -> int:
    """Bubble columns of the MCQ answer area: the most choices any MCQ of the exam has."""
    return max((len(item.choice_order) for item in form.items if item.answer is not None), default=0)


def _engine_version() -> str:
    import weasyprint

    return f"weasyprint {weasyprint.__version__}"


_SHEET = '<div class="sheet"'


def answer_sheet_html(exam: Exam, form: ExamForm, copy: str = "") -> str:
    """The answer sheet of ``form`` (``copy`` names one printed copy once sheets are made per student).

    Each page's QR payload ends with a hash of that page's markup, so a printout made from another layout is
    recognised when it is scanned.
    """
    return sheet_html(exam, form, copy)[0]


def sheet_html(exam: Exam, form: ExamForm, copy: str = "", qr: bool = True) -> tuple[str, list[SheetPage]]:
    """The sheet's HTML and its pages (with their layout hashes); without ``qr`` the QR box stays empty, for a
    template on which each named copy's QR code is drawn."""
    pages = sheet_pages(exam, form)
    html = keep_words(_template_html(exam, form, pages))
    head, *sheets = html.split(_SHEET)
    version = _engine_version()
    for index, (page, markup) in enumerate(zip(pages, sheets)):
        page.hash = layout_hash(head + _SHEET + markup, version)
        page.payload = qr_payload(exam.exam_id, form.name, page.number, page.hash, copy)
        info = json.dumps({"form": form.name, "copy": copy, "page": page.number, "hash": page.hash,
                           "payload": page.payload}, ensure_ascii=False)
        markup = markup.replace("@@SHEET-INFO@@", Markup.escape(info), 1)
        markup = markup.replace(f"@@QR-SVG-{page.number}@@", qr_svg(page.payload) if qr else "", 1)
        sheets[index] = markup.replace(f"@@QR-TEXT-{page.number}@@", page.payload if qr else "", 1)
    return _SHEET.join([head, *sheets]), pages


def _bubble_data(info: dict) -> str:
    return json.dumps(info, separators=(",", ":"))


def _template_html(exam: Exam, form: ExamForm, pages: list[SheetPage]) -> str:
    mcqs = [item for item in form.items if item.answer is not None]
    blocks = _blocks(mcqs)
    bp = exam.blueprint
    html = environment().get_template("answer_sheet.html.j2").render(
        css=paper_css("answer_sheet.css"),
        exam=exam,
        bp=bp,
        form=form,
        # a student's own order (개별형) has no 문형 to mark
        forms=[] if form.title else list(zip(bubble_labels([f.name for f in exam.forms]), exam.forms)),
        choices=choice_count(form),
        pages=pages,
        page_count=len(pages),
        beside=blocks[:BESIDE_ID],
        below=[blocks[i:i + 5] for i in range(BESIDE_ID, len(blocks), 5)],
        id_digits=ID_DIGITS,
        essay_lines=27,
        score_groups=score_groups,
        value_label=_value_label,
        data=_bubble_data,
    )
    return html


def render_answer_sheet(exam: Exam, form: ExamForm, engine: Engine, out_dir: Path) -> Path:
    target = out_dir / f"answer-sheet-{form.name}.pdf"
    engine.write(answer_sheet_html(exam, form), target)
    return target


def render_answer_sheets(exam: Exam, engine: Engine, out_dir: Path, progress=None) -> list[Path]:
    """Every form's answer sheet from one layout pass (the sheets differ only in numbers and marks)."""
    if progress:
        progress(f"answer sheet {exam.forms[0].name}")
    parts = [answer_sheet_html(exam, form) for form in exam.forms]
    counts = [part.count(_SHEET) for part in parts]
    bodies = [part.split("<body>", 1)[1].rsplit("</body>", 1)[0] for part in parts]
    markup = parts[0].split("<body>", 1)[0] + "<body>" + "".join(bodies) + "</body></html>"
    document = engine.document(markup)
    write_layout(exam, document, counts, out_dir)
    paths, first = [], 0
    for index, (form, count) in enumerate(zip(exam.forms, counts)):
        if progress and index:
            progress(f"answer sheet {form.name}")
        target = out_dir / f"answer-sheet-{form.name}.pdf"
        document.copy(document.pages[first:first + count]).write_pdf(target)
        first += count
        paths.append(target)
    return paths


def write_layout(exam: Exam, document, counts: list[int], out_dir: Path) -> Path:
    """``layout.json``: the measured position of every mark, QR box and bubble of every sheet page."""
    pages, first = [], 0
    for form, count in zip(exam.forms, counts):
        for index in range(count):
            page = measure_page(document.pages[first + index]._page_box)
            pages.append({"file": f"answer-sheet-{form.name}.pdf", "file_page": index + 1, **page})
        first += count
    target = out_dir / LAYOUT_NAME
    write_text_atomic(target, layout_json(layout_document(exam.exam_id, pages)))
    return target
