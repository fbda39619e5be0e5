"""답안지 (OMR-style answer sheet): explicit A4 pages, each with corner markers and a QR code."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import segno
from markupsafe import Markup

from generator.assemble.exam import Exam, ExamForm, ExamItem
from generator.bank.schema import QuestionType
from generator.render.common import environment, paper_css
from generator.render.pdf import Engine
from generator.render.text import keep_words

ID_DIGITS = 8
MCQ_PER_BLOCK = 10
BESIDE_ID = 3  # MCQ blocks next to the 수험번호 panel; the rest go below, five to a row
SHORTS_ON_FIRST_PAGE = 8


def qr_payload(exam_id: str, form: str, page: int, copy: str = "") -> str:
    """What the QR code of an answer-sheet page says: exam, form, page and, for a named copy, the copy."""
    payload = f"mockexam:{exam_id}:{form}:{page}"
    return f"{payload}:{copy}" if copy else payload


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


def _blocks(items: list[ExamItem]) -> list[list[ExamItem]]:
    return [items[i:i + MCQ_PER_BLOCK] for i in range(0, len(items), MCQ_PER_BLOCK)]


def sheet_pages(exam: Exam, form: ExamForm, with_qr: bool = True) -> list[SheetPage]:
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
        if with_qr:  # templates for named copies get their QR code drawn per copy
            page.payload = qr_payload(exam.exam_id, form.name, number)
            page.qr = qr_svg(page.payload)
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


def answer_sheet_html(exam: Exam, form: ExamForm, template: bool = False) -> str:
    """The sheet of ``form``; a ``template`` leaves the QR code to be drawn per named copy."""
    mcqs = [item for item in form.items if item.answer is not None]
    blocks = _blocks(mcqs)
    pages = sheet_pages(exam, form, with_qr=not template)
    bp = exam.blueprint
    html = environment().get_template("answer_sheet.html.j2").render(
        css=paper_css("answer_sheet.css"),
        exam=exam,
        bp=bp,
        form=form,
        forms=list(zip(bubble_labels([f.name for f in exam.forms]), exam.forms)),
        choices=choice_count(form),
        pages=pages,
        page_count=len(pages),
        beside=blocks[:BESIDE_ID],
        below=[blocks[i:i + 5] for i in range(BESIDE_ID, len(blocks), 5)],
        id_digits=ID_DIGITS,
        essay_lines=27,
    )
    return keep_words(html)


def render_answer_sheet(exam: Exam, form: ExamForm, engine: Engine, out_dir: Path) -> Path:
    target = out_dir / f"answer-sheet-{form.name}.pdf"
    engine.write(answer_sheet_html(exam, form), target)
    return target


def render_answer_sheets(exam: Exam, engine: Engine, out_dir: Path, progress=None) -> list[Path]:
    """Every form's answer sheet from one layout pass (the sheets differ only in numbers and marks)."""
    if progress:
        progress(f"answer sheet {exam.forms[0].name}")
    parts = [answer_sheet_html(exam, form) for form in exam.forms]
    counts = [part.count('<div class="sheet">') for part in parts]
    bodies = [part.split("<body>", 1)[1].rsplit("</body>", 1)[0] for part in parts]
    markup = parts[0].split("<body>", 1)[0] + "<body>" + "".join(bodies) + "</body></html>"
    document = engine.document(markup)
    paths, first = [], 0
    for index, (form, count) in enumerate(zip(exam.forms, counts)):
        if progress and index:
            progress(f"answer sheet {form.name}")
        target = out_dir / f"answer-sheet-{form.name}.pdf"
        document.copy(document.pages[first:first + count]).write_pdf(target)
        first += count
        paths.append(target)
    return paths
