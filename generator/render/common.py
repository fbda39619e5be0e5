"""Shared pieces of every writer: templates, fonts, question HTML, choice layout."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from generator.assemble import points as pts
from generator.assemble.exam import Exam, ExamForm, ExamItem
from generator.bank.schema import CIRCLED, EssayMeta, QuestionType, ShortMeta
from generator.paths import TEMPLATES_DIR
from generator.render.code import BOOKLET_CODE
from generator.render.markdown import MarkdownRenderer

# family name -> ((file, weight), ...): the only faces the project uses; never system fonts
FONTS = {
    "mx-serif": (("NanumMyeongjo.ttf", 400), ("NanumMyeongjoBold.ttf", 700)),
    "mx-sans": (("NanumSquareR.ttf", 400), ("NanumSquareB.ttf", 700)),
    "mx-code": (("NanumGothicCoding.ttf", 400),),
}

def default_general_instructions(exam: Exam, form: ExamForm) -> list[str]:
    """수험자 유의 사항 when the blueprint gives none: only what holds for this exam."""
    types = {section.type for section in form.sections}
    if exam.copies:  # named copies: name and 수험번호 are printed on both
        lines = ["문제지와 답안지에 인쇄된 성명과 수험번호가 본인의 것인지 확인하시오."]
    else:
        lines = ["문제지와 답안지의 해당란에 성명과 수험번호를 정확히 쓰시오."]
    if form.title:  # a student's own order: no 문형 to mark
        lines.append("문항과 선택지의 순서가 수험자마다 다르니, 반드시 자신의 성명이 인쇄된 답안지에 표기하시오.")
    else:
        lines.append(f"답안지에 수험번호와 문형({form.label})을 정확히 표기하시오." if len(exam.forms) > 1
                     else "답안지에 수험번호를 정확히 표기하시오.")
    if QuestionType.MCQ in types:
        lines.append("객관식은 각 문항의 답을 답안지의 해당 번호에 하나만 표기하시오.")
    written = [t.label for t in (QuestionType.SHORT, QuestionType.ESSAY) if t in types]
    if written:
        lines.append(f"{'과 '.join(written)}은 답안지의 해당 답란에 쓰시오.")
    if len({item.points for item in form.items}) > 1:
        lines.append("문항에 따라 배점이 다르니, 각 물음의 끝에 표시된 배점을 참고하시오.")
    else:
        lines.append("각 물음의 끝에 배점이 표시되어 있다.")
    return lines


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["CIRCLED"] = CIRCLED
    return env


def read_template_file(name: str) -> str:
    return (TEMPLATES_DIR / name).read_text(encoding="utf-8")


def font_face_css(sources: dict[str, str] | None = None) -> str:
    """@font-face rules; ``sources`` maps a font file name to a URL (data URI), default fonts/<file>."""
    rules = []
    for family, faces in FONTS.items():
        for filename, weight in faces:
            url = (sources or {}).get(filename, f"fonts/{filename}")
            fmt = next((f for f in ("woff2", "woff") if url.startswith(f"data:font/{f};")), "truetype")
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{url}") format("{fmt}"); '
                         f"font-weight: {weight}; font-style: normal; }}")
    return "\n".join(rules)


def general_instructions(exam: Exam, form: ExamForm) -> list[str]:
    text = exam.blueprint.instructions
    if text:
        lines = [re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", line) for line in text.splitlines()]
        return [line.strip() for line in lines if line.strip()]
    return default_general_instructions(exam, form)


# --- choices --------------------------------------------------------------------------------------------
_MATH = re.compile(r"\$\$?(.+?)\$\$?")


def visual_width(text: str) -> float:
    """Rough printed width in em: Hangul/CJK 1, Latin and digits ~0.55, spaces 0.3, LaTeX by its source."""
    text = _MATH.sub(lambda m: "x" * max(1, len(re.sub(r"\\[a-zA-Z]+|[{}^_ ]", "", m.group(1)))), text)
    text = re.sub(r"[*`]", "", text)
    width = 0.0
    for char in text:
        if char == " " or char in ",.;:'\"()":
            width += 0.3
        elif ord(char) >= 0x1100:
            width += 1.0
        else:
            width += 0.55
    return width


CHOICE_LINE_EM = 22.9  # booklet column (88 mm) less the question indent, in em of the 10 pt body text


def booklet_markdown(bank_root, inline_svg: bool = False) -> MarkdownRenderer:
    """The Markdown renderer for question text as the booklet prints it (also used by the practice page);
    for the PDF, formulas are drawn by ``math_pdf`` into boxes WeasyPrint lays out."""
    return MarkdownRenderer(bank_root, inline_svg=inline_svg, code_box=BOOKLET_CODE, width_em=CHOICE_LINE_EM,
                            drawn_math=not inline_svg)


def equal_choice_cells(choices: tuple[str, ...]) -> bool:
    """Short choices (numbers, single words) sit in five equal cells; longer one-line sets keep their width."""
    return max((visual_width(choice) for choice in choices), default=0) <= 3.2


def choice_columns(choices: tuple[str, ...]) -> int:
    """5 choices on one line, two per line, or one per line, as on Korean papers."""
    widths = [visual_width(choice) for choice in choices]
    widest = max(widths, default=0)
    if len(choices) >= 4 and (equal_choice_cells(choices) or sum(widths) + 2.1 * len(choices) <= CHOICE_LINE_EM):
        return 5  # one line: equal cells, or cells as wide as their text (ㄱ / ㄱ, ㄴ / ㄱ, ㄴ, ㄷ)
    if widest <= 9.5:
        return 2
    return 1


@dataclass(frozen=True)
class RenderedChoice:
    mark: str
    html: Markup


def rendered_choices(item: ExamItem, md: MarkdownRenderer) -> list[RenderedChoice]:
    base = item.question.path
    return [RenderedChoice(CIRCLED[i], Markup(md.inline(text, base))) for i, text in enumerate(item.choices)]


_IMAGE_ONLY = re.compile(r"^<p>\s*(?:<img [^>]*>\s*)+</p>$")


def points_label(points: float) -> str:
    return pts.label(points)


def add_points(blocks: list[str], points: float) -> list[str]:
    """Put ``[3점]`` at the end of the stem's last paragraph (outside <보기>, code and lone images)."""
    span = f'<span class="pts">{points_label(points)}</span>'
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index].rstrip()
        if block.startswith("<p>") and block.endswith("</p>") and not _IMAGE_ONLY.match(block):
            blocks = list(blocks)
            blocks[index] = block[:-4] + f" {span}</p>"
            return blocks
    return [*blocks, f'<p class="pts-only">{span}</p>']


def accepted_answers(item: ExamItem) -> tuple[str, ...]:
    meta = item.question.meta
    return meta.answers if isinstance(meta, ShortMeta) else ()


def rubric(item: ExamItem) -> list[tuple[str, float]]:
    meta = item.question.meta
    return [(r.point, r.score) for r in meta.rubric] if isinstance(meta, EssayMeta) else []


def paper_css(stylesheet: str) -> Markup:
    """Fonts, the shared paper styles and one document's own stylesheet, for a PDF writer."""
    return Markup("\n".join([font_face_css(), read_template_file("paper.css"), read_template_file(stylesheet)]))
