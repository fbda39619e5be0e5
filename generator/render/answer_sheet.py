"""답안지 (OMR-style answer sheet): the blank template of explicit A4 pages with corner markers, bubbles and
a box for the QR code. What differs between printed sheets is drawn over it by ``sheet_compose``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from markupsafe import Markup

from generator.assemble.exam import Exam, ExamForm, ExamItem
from generator.bank.schema import QuestionType
from generator.render.common import environment, paper_css
from generator.render.sheet_layout import Payload, layout_hash
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


@dataclass
class SheetPage:
    kind: str  # "main" | "short" | "essay"
    number: int = 0
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


def sheet_html(exam: Exam, form: ExamForm) -> tuple[str, list[SheetPage]]:
    """The blank answer sheet of ``form`` (a template: no form label, QR code or footer text) and its pages.

    Each page's hash covers that page's markup and the layout engine's version: everything that decides
    where its marks and bubbles land. QR codes carry it, so a printout made from another layout is
    recognised when it is scanned. Forms whose sheets have the same shape share one template and its hashes.
    """
    pages = sheet_pages(exam, form)
    html = keep_words(_template_html(exam, form, pages))
    head, *sheets = html.split(_SHEET)
    version = _engine_version()
    for index, (page, markup) in enumerate(zip(pages, sheets)):
        page.hash = layout_hash(head + _SHEET + markup, version)
        info = json.dumps({"page": page.number, "hash": page.hash})
        sheets[index] = markup.replace("@@SHEET-INFO@@", Markup.escape(info), 1)
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
