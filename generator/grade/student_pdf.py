"""성적표 by composition: every distinct piece laid out once per batch, pages placed per student.

Shared pieces (header, table heads, section headings, explanations, the note, the chart frame) and the
per-student strings (table rows, tallies, wrong-question head lines; keyed by their HTML, so equal strings
are laid out once) go into one WeasyPrint document per batch (``compose.lay_out``). Each student's pages
are then stacked top to bottom in Python (A4, the template's margins) and written with ``PageWriter``;
the chart's student bars are drawn as PDF rectangles over a frame laid out once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import escape

from generator.render.compose import PX_PER_MM, ComposedPage, PageWriter, Piece, PieceSet, lay_out, line_ops, rect_ops
from generator.render.text import keep_words

if TYPE_CHECKING:
    from generator.grade.report import StudentPages

WIDTH = 180.0  # A4 minus 15 mm either side
LEFT, TOP, BOTTOM = 15.0, 14.0, 297.0 - 15.0
FOOTER_Y = 297.0 - 9.3  # the template's bottom margin boxes centre their line
CHART_W, SIDE_X = 82.0, 87.0
RULE = 0.5 / 72 * 25.4  # a 0.5pt table border (collapsed borders straddle the table's edge)
WRONG_PAD = 1.2  # .wrong padding (mm), drawn around a head line and its explanation

PIECE_CSS = """
.piece { display: flow-root; }
.piece .side { font-size: 0.92em; }
.piece > :first-child { margin-top: 0; }
.piece h2 { margin-top: 0; }
.piece .tally:last-child { margin-bottom: 0; }
.piece .note { margin-top: 0; }
.piece .foot { font-family: "mx-sans"; font-size: 7.5pt; color: #555; line-height: 1.2; }
.piece .foot.r { text-align: right; }
.piece .chart-frame { display: block; width: 82mm; }
.piece table.grid { margin: 0; }
"""


@dataclass
class Block:
    """Pieces stacked as one unit (never split), with ``gap`` mm above it."""

    rows: list[tuple[str, float, float]] = field(default_factory=list)  # (key, x offset mm, y offset mm)
    height: float = 0.0
    gap: float = 0.0
    ops: list[tuple[str, Any]] = field(default_factory=list)  # ("line"/"bars", args) relative to the block
    keep_with_next: bool = False


class Pieces:
    """Collects distinct pieces by content."""

    def __init__(self) -> None:
        self.pieces: dict[str, Piece] = {}

    def add(self, html: str, width: float = WIDTH, shrink: bool = False, key: str | None = None) -> str:
        html = keep_words(str(html))
        key = key or "h" + hashlib.sha1(f"{width}|{shrink}|{html}".encode()).hexdigest()[:16]
        self.pieces.setdefault(key, Piece(key, html, width, shrink))
        return key


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
    """Lays out a batch of students' pieces once and writes one composed PDF per student."""

    def __init__(self, pages: StudentPages) -> None:
        from generator.grade.report import svg_uri

        self.pages = pages
        graded, ctx = pages.graded, pages.context
        t = graded.analysis.test
        self.p = Pieces()
        exam_line = " · ".join(part for part in (" ".join(p for p in (ctx.title, ctx.session) if p), ctx.subject) if part)
        self.head = self.p.add(
            f'<header class="r-title"><div class="r-exam">{escape(exam_line)}</div>'
            f'<h1>개인 성적표</h1><div class="r-meta">시험 번호 '
            f"{escape(graded.key.exam_id)}<br>{escape(ctx.graded_on)} 채점</div></header>", key="head")
        self.grid_head = self.p.add(
            '<table class="grid"><tr><th>수험번호</th><th>성명</th><th>문형</th><th>원점수</th><th>학급 평균</th>'
            "<th>표준편차</th><th>백분위</th><th>석차</th></tr></table>", key="grid-head")
        self.h_units = self.p.add("<h2>영역별 득점률</h2>", key="h-units")
        self.h_wrong = self.p.add("<h2>틀린 문항 다시 보기 <small>정답 · 내 답 · 학급 정답률 · 해설</small></h2>",
                                  key="h-wrong")
        self.units_head = self.p.add(
            '<div class="side"><table class="grid units"><tr><th class="l">영역</th><th>배점</th><th>득점</th>'
            "<th>득점률</th><th>학급 평균</th></tr></table></div>", width=WIDTH - SIDE_X, key="units-head")
        self.none = self.p.add('<p class="none">틀린 문항이 없습니다.</p>', key="none")
        penalty = graded.key.wrong_penalty
        extra = (f" 오답 감점: 틀린 객관식 문항마다 배점의 {penalty:g}를 뺍니다(총점은 0점 미만이 되지 않음)."
                 if penalty else "")
        self.note = self.p.add(
            '<p class="note">백분위: 학급에서 나보다 점수가 낮은 학생 수에 같은 점수를 받은 학생 수의 절반을 더해 '
            f"응시 인원으로 나눈 값(×100). 석차: 나보다 점수가 높은 학생 수 + 1.{extra}</p>", key="note")
        self.footer = self.p.add(f'<div class="foot">{escape(ctx.title)} 개인 성적표</div>', key="footer")
        n = len(graded.units)
        frame = re.sub(r'(<g id="student-bar-\d+">).*?(</g>)', r"\1\2", pages.chart.template, flags=re.S)
        self.chart = self.p.add(f'<img class="chart-frame" src="{svg_uri(frame)}" alt="영역별 득점률">',
                                width=CHART_W + 2, key="chart")
        svg_w, self.bars, colour = _chart_bars(pages.chart.template, n)
        self.chart_scale = CHART_W / svg_w
        self.bar_rgb = _rgb(colour)
        self.mean, self.sd, self.n = f"{t.mean:.1f}", f"{t.sd:.1f}", t.n

    def student_blocks(self, index: int) -> tuple[list[Block], str]:
        """A student's blocks top to bottom (keys only; heights filled in after layout) and footer key."""
        from generator.grade.report import _num

        graded, p = self.pages.graded, self.p
        result = graded.students[index]
        s = self.pages.student(index, result)
        blocks: list[Block] = []

        def block(key: str, gap: float = 0.0, x: float = 0.0, keep: bool = False) -> Block:
            b = Block([(key, x, 0.0)], gap=gap, keep_with_next=keep)
            blocks.append(b)
            return b

        block(self.head)
        row = p.add(
            f'<table class="grid"><tr><td>{escape(s["id"])}</td><td>{escape(s["name"] or "—")}</td>'
            f'<td>{escape(s["sheet"])}</td><td class="big">{s["total"]}<small> / {_num(graded.max_points)}</small>'
            f'</td><td class="big">{self.mean}</td><td class="big">{self.sd}</td><td class="big">{s["percentile"]}'
            f'</td><td class="big">{s["rank"]}<small> / {self.n}</small></td></tr></table>')
        grid = block(self.grid_head)
        grid.rows.append((row, 0.0, -RULE))  # the row's top border lies on the head's bottom border
        block(self.h_units, gap=4.0, keep=True)
        units = [p.add(f'<div class="side"><table class="grid units"><tr><td class="l">{escape(u["label"])}</td>'
                       f'<td>{u["points"]}</td><td>{u["earned"]}</td><td>{u["rate"]}</td><td>{u["class_rate"]}</td>'
                       "</tr></table></div>", width=WIDTH - SIDE_X) for u in s["units"]]  # rows recur across students
        two = block(self.chart)
        two.rows += [(self.units_head, SIDE_X, 0.0)] + [(key, SIDE_X, -RULE) for key in units]
        rates = [graded.unit_rate(result, u) for u, _ in graded.units]
        two.ops.append(("bars", rates))
        block(p.add(f'<h2>문항별 채점 결과 <small>{escape(s["sheet"])} 문항 번호</small></h2>'), gap=4.0, keep=True)
        right = ", ".join(str(n) for n in s["right"]) or "없음"
        blank = (f' <span class="muted">(무응답 {", ".join(str(n) for n in s["blank"])})</span>'
                 if s["blank"] else "")
        wrong_numbers = ", ".join(str(w["number"]) for w in s["wrong"])
        block(p.add(f'<p class="tally"><b>맞힌 문항 {len(s["right"])}개</b> {right}</p>'
                    f'<p class="tally"><b class="bad">틀린 문항 {len(s["wrong"])}개</b> {wrong_numbers}{blank}</p>'))
        block(self.h_wrong, gap=4.0, keep=True)
        for w in s["wrong"]:
            head = p.add(
                f'<p class="w-head"><b class="w-num">{w["number"]}번</b> 정답 <b>{escape(w["key"])}</b> · '
                f'<span class="bad">내 답 {escape(w["mine"])}</span> · {escape(w["score"])} · 학급 정답률 '
                f'<b>{w["p"]}</b> · {escape(w["unit"])}</p>')
            b = block(head)
            b.ops.append(("rule", None))
            if w["explanation"]:
                # keyed by its HTML: one piece per question and choice order (StudentPages caches the HTML)
                b.rows.append((p.add(f'<div class="w-body">{w["explanation"]}</div>'), 0.0, 0.0))
        if not s["wrong"]:
            block(self.none)
        block(self.note, gap=3.0)
        who = p.add(f'<div class="foot r">수험번호 {escape(s["id"])} {escape(s["name"])}</div>')
        return blocks, who

    def write(self, indexes: list[int], engine: Any, targets: list[Path]) -> None:
        from generator.grade.report import report_css
        from generator.render.common import font_face_css

        plans = [self.student_blocks(i) for i in indexes]
        css = font_face_css() + str(report_css()) + PIECE_CSS
        laid = lay_out(engine, css, self.p.pieces.values())
        for (blocks, who), index, target in zip(plans, indexes, targets):
            self._write_one(laid, blocks, who, index, target)

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

    def _write_one(self, laid: PieceSet, blocks: list[Block], who: str, index: int, target: Path) -> None:
        from generator.atomic import write_bytes_atomic

        writer = PageWriter(laid)
        pages: list[ComposedPage] = []
        page = ComposedPage()
        y = TOP

        def new_page() -> ComposedPage:
            nonlocal y
            pages.append(ComposedPage())
            y = TOP
            return pages[-1]

        pages.append(page)
        items = []
        for block in blocks:
            rows = self._layout_rows(laid, block)
            is_wrong = any(op == "rule" for op, _ in block.ops)
            pad = WRONG_PAD if is_wrong else 0.0
            height = max(ry + laid.height(k) / PX_PER_MM for k, _, ry in rows) + 2 * pad
            items.append((block, rows, height, pad))
        for position, (block, rows, height, pad) in enumerate(items):
            gap = block.gap if y > TOP else 0.0
            need = height
            if block.keep_with_next and position + 1 < len(items):
                need += items[position + 1][0].gap + min(items[position + 1][2], 30.0)
            if y + gap + need > BOTTOM and y > TOP:
                page = new_page()
                gap = 0.0
            y += gap
            if y + height > BOTTOM and len(rows) > 1 and pad:  # a tall wrong block: split head / explanation
                page.drawing.append(_rule(y))
                key, _, _ = rows[0]
                page.place(key, LEFT, y + pad)
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
        for page in pages:
            page.place(self.footer, LEFT, FOOTER_Y)
            page.place(who, LEFT, FOOTER_Y)
            writer.add(page)
        write_bytes_atomic(target, writer.to_bytes())
