"""성적표 by composition: every piece laid out once for the whole class, pages placed per student.

Shared pieces (header, table heads and frames, section headings, explanations, wrong-question head lines,
the note, the chart frame) and single characters (``runs``) go into one WeasyPrint document
(``compose.lay_out``). A student's numbers, 수험번호 and name are set from character pieces, centred in the
cells of table frames laid out once (``data-anchor``); their tallies are filled into lines in Python. Each
student's pages are then stacked top to bottom (A4, the template's margins) and written by
``pdfsplice.PieceLibrary``; the chart's student bars are drawn as PDF rectangles over a frame laid out once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import escape

from generator.grade.pdfsplice import PieceLibrary
from generator.grade.runs import Pieces, Style, flow, run_width, side_by_side
from generator.render.common import visual_width
from generator.render.compose import PX_PER_MM, ComposedPage, PieceSet, lay_out, line_ops, rect_ops

if TYPE_CHECKING:
    from generator.grade.charts import StudentChart
    from generator.grade.report import StudentPages

WIDTH = 180.0  # A4 minus 15 mm either side
LEFT, TOP, BOTTOM = 15.0, 14.0, 297.0 - 15.0
FOOTER_Y = 297.0 - 9.3  # the template's bottom margin boxes centre their line
CHART_W, SIDE_X = 82.0, 87.0
RULE = 0.5 / 72 * 25.4  # a 0.5pt table border (collapsed borders straddle the table's edge)
WRONG_PAD = 1.2  # .wrong padding (mm), drawn around a head line and its explanation
TALLY_GAP = 1.0  # .tally margin-bottom (mm)
CELL_FIT_MM = 20.0  # 수험번호 or name wider than this (estimated) gets a row laid out of its own, to wrap
CELL_PT = 9 * 0.92  # table text: 0.92em of the 9pt report text
HEAD_FIT_EM = 28.0  # a wrong question's key, answer and area longer than this (estimated): a head that wraps

PIECE_CSS = """
.piece { display: flow-root; }
.piece .side { font-size: 0.92em; }
.piece > :first-child { margin-top: 0; }
.piece h2 { margin-top: 0; }
.piece .note { margin-top: 0; }
.piece .foot { font-family: "mx-sans"; font-size: 7.5pt; color: #555; line-height: 1.2; }
.piece .chart-frame { display: block; width: 82mm; }
.piece table.grid { margin: 0; }
.w-strut { margin: 0 !important; }  /* a head line's pieces: each as tall as the number's line */
.w-strut.w-gap { margin-right: 1.5mm !important; }
.run { font-family: "mx-sans"; white-space: nowrap; }
.run.cell { font-size: 0.92em; }
.run.big { font-size: 14pt; }
.run.big small { font-size: 8.5pt; font-weight: 400; }
.run.tally { font-size: 8.5pt; margin: 0; }
.run.foot { font-size: 7.5pt; color: #555; line-height: 1.2; }
"""

CELL = Style("cell", '<div class="run cell">')
SIDE = Style("side", '<div class="side"><div class="run cell">', "</div></div>")
BIG = Style("big", '<div class="run big"><b>', "</b></div>")
BIG_SMALL = Style("bigs", '<div class="run big"><small>', "</small></div>")
TALLY = Style("t", '<div class="run tally">')
TALLY_B = Style("tb", '<div class="run tally"><b>', "</b></div>")
TALLY_BAD = Style("tbad", '<div class="run tally"><b class="bad">', "</b></div>")
TALLY_MUTED = Style("tm", '<div class="run tally"><span class="muted">', "</span></div>")
FOOT = Style("foot", '<div class="run foot">')
STRUT = '<b class="w-num w-strut"></b>'  # an empty number: a head line's line box, whatever the piece holds
W_NUM = Style("wn", '<p class="w-head"><b class="w-num w-strut">', "</b></p>")
W_TEXT = Style("wt", f'<p class="w-head">{STRUT}', "</p>")
W_BOLD = Style("wb", f'<p class="w-head">{STRUT}<b>', "</b></p>")


def _anchor(name: str) -> str:
    return f'<div data-anchor="{name}">&#160;</div>'


@dataclass(frozen=True)
class Text:
    """Pieces side by side, centred in the box of anchor ``name`` of the block's piece ``frame`` (or, without
    a name, following that piece on its line)."""

    keys: list[str]
    frame: str
    name: str | None


@dataclass
class Block:
    """Pieces stacked as one unit (never split), with ``gap`` mm above it; or paragraphs of words filled
    into lines (``paragraphs``: per paragraph, words as lists of piece keys)."""

    rows: list[tuple[str, float, float]] = field(default_factory=list)  # (key, x offset mm, y offset mm)
    height: float = 0.0
    gap: float = 0.0
    ops: list[tuple[str, Any]] = field(default_factory=list)  # ("rule"/"bars", args) relative to the block
    keep_with_next: bool = False
    texts: list[Text] = field(default_factory=list)
    paragraphs: list[list[list[str]]] = field(default_factory=list)


def _chart_bars(svg: str, count: int) -> tuple[float, list[tuple[float, float, float, float]], str]:
    """The SVG's width (pt) and each student bar's full rectangle (x, y, w, h in SVG units), and its colour."""
    width = float(re.search(r'<svg[^>]*width="([\d.]+)pt"', svg).group(1))  # type: ignore[union-attr]
    bars, colour = [], "#000000"
    for index in range(count):
        match = re.search(rf'<g id="student-bar-{index}">\s*<path d="([^"]+)"[^>]*style="fill: *(#[0-9a-fA-F]{{6}})',
                          svg)
        if match is None:  # pragma: no cover - matplotlib changed its SVG output
            raise RuntimeError("cannot find the student bars in matplotlib's SVG")
        numbers = [float(v) for v in re.findall(r"-?[\d.]+", match.group(1))]
        xs, ys = numbers[0::2], numbers[1::2]
        bars.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
        colour = match.group(2)
    return width, bars, colour


def _rule(y: float) -> str:
    """The grey 0.5pt rule above a wrong-question block (``.wrong``'s border-top)."""
    return f"q 0.6 G {line_ops(LEFT, y, LEFT + WIDTH, y, 0.5)} Q"


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


class StudentComposer:
    """Plans the 성적표 of ``indexes``, lays out every piece they need once, then composes one PDF each."""

    def __init__(self, pages: StudentPages, indexes: list[int], chart: StudentChart | None = None) -> None:
        from generator.grade.report import _num, _pct

        self.pages = pages
        graded, ctx = pages.graded, pages.context
        t = graded.analysis.test
        self.p = p = Pieces()
        exam_line = " · ".join(part for part in (" ".join(p for p in (ctx.title, ctx.session) if p), ctx.subject) if part)
        self.head = p.add(
            f'<header class="r-title"><div class="r-exam">{escape(exam_line)}</div>'
            f'<h1>개인 성적표</h1><div class="r-meta">시험 번호 '
            f"{escape(graded.key.exam_id)}<br>{escape(ctx.graded_on)} 채점</div></header>", WIDTH, key="head")
        self.grid_head = p.add(
            '<table class="grid"><tr><th>수험번호</th><th>성명</th><th>문형</th><th>원점수</th><th>학급 평균</th>'
            "<th>표준편차</th><th>백분위</th><th>석차</th></tr></table>", WIDTH, key="grid-head")
        self.mean, self.sd, self.n = f"{t.mean:.1f}", f"{t.sd:.1f}", t.n
        self.max_points = _num(graded.max_points)
        self.grid_row = p.add(
            f'<table class="grid"><tr><td>{_anchor("id")}</td><td>{_anchor("name")}</td><td>{_anchor("sheet")}</td>'
            f'<td class="big">{_anchor("total")}</td><td class="big">{self.mean}</td><td class="big">{self.sd}</td>'
            f'<td class="big">{_anchor("percentile")}</td><td class="big">{_anchor("rank")}</td></tr></table>',
            WIDTH, key="grid-row")
        self.h_units = p.add("<h2>영역별 득점률</h2>", WIDTH, key="h-units")
        self.h_wrong = p.add("<h2>틀린 문항 다시 보기 <small>정답 · 내 답 · 학급 정답률 · 해설</small></h2>", WIDTH,
                             key="h-wrong")
        self.units_head = p.add(
            '<div class="side"><table class="grid units"><tr><th class="l">영역</th><th>배점</th><th>득점</th>'
            "<th>득점률</th><th>학급 평균</th></tr></table></div>", WIDTH - SIDE_X, key="units-head")
        self.unit_rows = {unit: p.add(
            f'<div class="side"><table class="grid units"><tr><td class="l">{escape(label)}</td>'
            f"<td>{_num(graded.unit_points[unit])}</td><td>{_anchor('earned')}</td><td>{_anchor('rate')}</td>"
            f'<td>{_pct(graded.unit_class_rates[unit])}</td></tr></table></div>', WIDTH - SIDE_X)
            for unit, label in graded.units}
        self.none = p.add('<p class="none">틀린 문항이 없습니다.</p>', WIDTH, key="none")
        penalty = graded.key.wrong_penalty
        extra = (f" 오답 감점: 틀린 객관식 문항마다 배점의 {penalty:g}를 뺍니다(총점은 0점 미만이 되지 않음)."
                 if penalty else "")
        self.note = p.add(
            '<p class="note">백분위: 학급에서 나보다 점수가 낮은 학생 수에 같은 점수를 받은 학생 수의 절반을 더해 '
            f"응시 인원으로 나눈 값(×100). 석차: 나보다 점수가 높은 학생 수 + 1.{extra}</p>", WIDTH, key="note")
        self.footer = p.add(f'<div class="foot">{escape(ctx.title)} 개인 성적표</div>', WIDTH, key="footer")
        self.space = p.run(TALLY, " ")[0]
        self.chart = "chart"  # set_chart() adds the piece
        self.bars: list[tuple[float, float, float, float]] = []
        self.chart_scale, self.bar_rgb = 1.0, (0.0, 0.0, 0.0)
        self.plans = {index: self.student_blocks(index) for index in indexes}
        self.laid: PieceSet | None = None
        self.library: PieceLibrary | None = None
        if chart is not None:
            self.set_chart(chart)

    def set_chart(self, chart: StudentChart) -> None:
        """The per-topic chart: its frame is a piece, each student's bars are drawn over it as rectangles."""
        from generator.grade.report import svg_uri

        frame = re.sub(r'(<g id="student-bar-\d+">).*?(</g>)', r"\1\2", chart.template, flags=re.S)
        self.p.add(f'<img class="chart-frame" src="{svg_uri(frame)}" alt="영역별 득점률">', CHART_W + 2,
                   key=self.chart)
        svg_w, self.bars, colour = _chart_bars(chart.template, len(self.pages.graded.units))
        self.chart_scale = CHART_W / svg_w
        self.bar_rgb = _rgb(colour)

    def student_blocks(self, index: int) -> tuple[list[Block], list[str]]:
        """A student's blocks top to bottom (pieces and runs; geometry after layout) and footer run."""
        graded, p = self.pages.graded, self.p
        result = graded.students[index]
        s = self.pages.student(index, result)
        blocks: list[Block] = []

        def block(key: str, gap: float = 0.0, x: float = 0.0, keep: bool = False) -> Block:
            b = Block([(key, x, 0.0)], gap=gap, keep_with_next=keep)
            blocks.append(b)
            return b

        block(self.head)
        grid = block(self.grid_head)
        name = s["name"] or "—"
        if max(visual_width(s["id"]), visual_width(name)) * CELL_PT * 25.4 / 72 > CELL_FIT_MM:
            row = p.add(  # too wide for a cell's line: a row of its own, where it wraps
                f'<table class="grid"><tr><td>{escape(s["id"])}</td><td>{escape(name)}</td>'
                f'<td>{escape(s["sheet"])}</td><td class="big">{s["total"]}<small> / {self.max_points}</small>'
                f'</td><td class="big">{self.mean}</td><td class="big">{self.sd}</td><td class="big">'
                f'{s["percentile"]}</td><td class="big">{s["rank"]}<small> / {self.n}</small></td></tr></table>', WIDTH)
            grid.rows.append((row, 0.0, -RULE))  # the row's top border lies on the head's bottom border
        else:
            grid.rows.append((self.grid_row, 0.0, -RULE))
            cells = {"id": p.run(CELL, s["id"]), "name": p.run(CELL, name), "sheet": p.run(CELL, s["sheet"]),
                     "total": p.run(BIG, s["total"]) + self._out_of(self.max_points),
                     "percentile": p.run(BIG, s["percentile"]),
                     "rank": p.run(BIG, str(s["rank"])) + self._out_of(str(self.n))}
            grid.texts += [Text(keys, self.grid_row, cell) for cell, keys in cells.items()]
        block(self.h_units, gap=4.0, keep=True)
        two = block(self.chart)
        two.rows.append((self.units_head, SIDE_X, 0.0))
        for (unit, _), u in zip(graded.units, s["units"]):
            frame = self.unit_rows[unit]
            two.rows.append((frame, SIDE_X, -RULE))
            two.texts += [Text(p.run(SIDE, u["earned"]), frame, "earned"), Text(p.run(SIDE, u["rate"]), frame, "rate")]
        rates = [graded.unit_rate(result, u) for u, _ in graded.units]
        two.ops.append(("bars", rates))
        block(p.add(f'<h2>문항별 채점 결과 <small>{escape(s["sheet"])} 문항 번호</small></h2>', WIDTH), gap=4.0,
              keep=True)
        blocks.append(Block(paragraphs=[self._numbers(TALLY_B, "맞힌 문항", s["right"]),
                                        self._numbers(TALLY_BAD, "틀린 문항", [w["number"] for w in s["wrong"]],
                                                      s["blank"])]))
        block(self.h_wrong, gap=4.0, keep=True)
        for w in s["wrong"]:
            head = self._wrong_head(w)
            b = block(head[0])
            if len(head) > 1:
                b.texts.append(Text(head[1:], head[0], None))
            b.ops.append(("rule", None))
            if w["explanation"]:
                # keyed by its HTML: one piece per question and choice order (StudentPages caches the HTML)
                b.rows.append((p.add(f'<div class="w-body">{w["explanation"]}</div>', WIDTH), 0.0, 0.0))
        if not s["wrong"]:
            block(self.none)
        block(self.note, gap=3.0)
        who = p.run(FOOT, "수험번호", whole=True) + p.run(FOOT, " " + s["id"]) + (p.run(FOOT, " " + s["name"]) if s["name"] else [])
        return blocks, who

    def _out_of(self, total: str) -> list[str]:
        """`` / total`` in small type: one piece, the same for every student."""
        return self.p.run(BIG_SMALL, f" / {total}", whole=True)

    def _wrong_head(self, w: dict[str, Any]) -> list[str]:
        """A wrong question's head line from pieces that recur across students: digits, the key, the student's
        answer and score, the area; one piece of its own if it may wrap."""
        p = self.p
        if visual_width(f'{w["key"]}{w["mine"]}{w["unit"]}') > HEAD_FIT_EM:
            return [p.add(f'<p class="w-head"><b class="w-num">{w["number"]}번</b> 정답 <b>{escape(w["key"])}</b> · '
                          f'<span class="bad">내 답 {escape(w["mine"])}</span> · {escape(w["score"])} · 학급 정답률 '
                          f'<b>{w["p"]}</b> · {escape(w["unit"])}</p>', WIDTH)]
        answer = p.add(f'<p class="w-head">{STRUT}<span class="bad">내 답 {escape(w["mine"])}</span> · '
                       f'{escape(w["score"])} ·&#160;</p>', WIDTH, shrink=True)
        gap = p.add(f'<p class="w-head">{STRUT.replace("w-strut", "w-strut w-gap")}</p>', WIDTH, shrink=True,
                    key="w-gap")  # .w-num's margin-right
        return (p.run(W_NUM, f'{w["number"]}번') + [gap] + p.run(W_TEXT, " 정답 ", whole=True)
                + p.run(W_BOLD, w["key"]) + p.run(W_TEXT, " · ", whole=True) + [answer]
                + p.run(W_TEXT, "학급 정답률 ", whole=True) + p.run(W_BOLD, w["p"])
                + p.run(W_TEXT, f' · {w["unit"]}', whole=True))

    def _numbers(self, label_style: Style, label: str, numbers: list[int], blank: list[int] | None = None
                 ) -> list[list[str]]:
        """A tally line's words: ``label n개``, then the question numbers (or 없음), then the blank ones."""
        p = self.p
        words = [p.run(label_style, label, whole=True), p.run(label_style, str(len(numbers))) + p.run(label_style, "개")]
        if label_style is TALLY_B and not numbers:
            words.append(p.run(TALLY, "없음", whole=True))
        words += [p.run(TALLY, f"{n}," if i + 1 < len(numbers) else str(n)) for i, n in enumerate(numbers)]
        if blank:
            words.append(p.run(TALLY_MUTED, "(무응답", whole=True))
            words += [p.run(TALLY_MUTED, f"{n}," if i + 1 < len(blank) else f"{n})") for i, n in enumerate(blank)]
        return words

    def lay_out(self, engine: Any) -> None:
        """Typeset every piece once; the library then writes any student's file by placement."""
        from generator.grade.report import report_css
        from generator.render.common import font_face_css

        assert self.bars, "set_chart() first"
        self.laid = lay_out(engine, font_face_css() + str(report_css()) + PIECE_CSS, self.p.pieces.values())
        self.library = PieceLibrary(self.laid)

    def pdf(self, index: int) -> bytes:
        assert self.laid is not None and self.library is not None, "lay_out() first"
        blocks, who = self.plans[index]
        return self.library.pdf(self._pages(self.laid, blocks, who))

    def _layout_rows(self, laid: PieceSet, block: Block) -> list[tuple[str, float, float]]:
        """Rows placed: same-column rows stack; a row at another x starts a new column at the block's top."""
        placed, column_x, y = [], None, 0.0
        for key, x, dy in block.rows:
            if x != column_x:
                column_x, y = x, 0.0
            else:
                y += dy
            placed.append((key, x, y))
            y += laid.height(key) / PX_PER_MM
        return placed

    def _lines(self, laid: PieceSet, block: Block) -> tuple[list[tuple[str, float, float]], float]:
        """A paragraph block's pieces (key, x, y) filled into lines, and its height."""
        placed, y = [], 0.0
        line_h = laid.height(self.space) / PX_PER_MM
        for number, words in enumerate(block.paragraphs):
            if number:
                y += TALLY_GAP
            for line in flow(laid, words, self.space, WIDTH):
                placed += [(key, x, y) for key, x in line]
                y += line_h
        return placed, y

    def _texts(self, laid: PieceSet, block: Block, rows: list[tuple[str, float, float]]
               ) -> list[tuple[str, float, float]]:
        """Runs centred in their frame's anchor boxes, relative to the block."""
        at = {key: (x, y) for key, x, y in rows}
        placed = []
        for text in block.texts:
            fx, fy = at[text.frame]
            if text.name is None:
                x, y = fx + laid.width(text.frame) / PX_PER_MM, fy
            else:
                box = laid.anchors[text.frame][text.name]
                x = fx + (box.x + box.width / 2) / PX_PER_MM - run_width(laid, text.keys) / 2
                y = fy + box.y / PX_PER_MM
            placed += [(key, kx, y) for key, kx in side_by_side(laid, text.keys, x)]
        return placed

    def _pages(self, laid: PieceSet, blocks: list[Block], who: list[str]) -> list[ComposedPage]:
        page = ComposedPage()
        pages = [page]
        y = TOP

        def new_page() -> ComposedPage:
            nonlocal y
            pages.append(ComposedPage())
            y = TOP
            return pages[-1]

        items = []
        for block in blocks:
            if block.paragraphs:
                rows, height = self._lines(laid, block)
                items.append((block, rows, height, 0.0))
                continue
            rows = self._layout_rows(laid, block)
            is_wrong = any(op == "rule" for op, _ in block.ops)
            pad = WRONG_PAD if is_wrong else 0.0
            height = max(ry + laid.height(k) / PX_PER_MM for k, _, ry in rows) + 2 * pad
            items.append((block, rows + self._texts(laid, block, rows), height, pad))  # texts after the rows
        for position, (block, rows, height, pad) in enumerate(items):
            gap = block.gap if y > TOP else 0.0
            need = height
            if block.keep_with_next and position + 1 < len(items):
                need += items[position + 1][0].gap + min(items[position + 1][2], 30.0)
            if pad and len(block.rows) > 1 and height > BOTTOM - TOP:  # taller than a page: it will split,
                need = laid.height(rows[0][0]) / PX_PER_MM + 2 * pad  # so its head may stay on this page
            if y + gap + need > BOTTOM and y > TOP:
                page = new_page()
                gap = 0.0
            y += gap
            if y + height > BOTTOM and len(block.rows) > 1 and pad:  # a tall wrong block: head / explanation
                page.drawing.append(_rule(y))
                for key, x, ry in [rows[0], *rows[len(block.rows):]]:  # the head and the runs on its line
                    page.place(key, LEFT + x, y + pad + ry)
                page = new_page()
                key, _, _ = rows[1]
                page.place(key, LEFT, y)
                y += laid.height(key) / PX_PER_MM + pad
                continue
            if pad:
                page.drawing.append(_rule(y))
            for key, x, ry in rows:
                page.place(key, LEFT + x, y + pad + ry)
            for op, args in block.ops:
                if op == "bars":
                    for (bx, by, bw, bh), rate in zip(self.bars, args):
                        width = bw * max(0.0, min(1.0, rate)) * self.chart_scale
                        if width > 0:
                            page.drawing.append(rect_ops(LEFT + bx * self.chart_scale, y + by * self.chart_scale,
                                                         width, bh * self.chart_scale, self.bar_rgb))
            y += height
        who_x = LEFT + WIDTH - run_width(laid, who)
        for page in pages:
            page.place(self.footer, LEFT, FOOTER_Y)
            for key, x in side_by_side(laid, who, who_x):
                page.place(key, x, FOOTER_Y)
        return pages
