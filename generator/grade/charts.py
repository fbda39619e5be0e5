"""Charts as vector SVG (matplotlib, Agg-free SVG backend) in the bundled NanumSquare font.

Text is written as glyph outlines (``svg.fonttype = path``), so the SVG looks the same in WeasyPrint and in
browsers without any font. The per-student chart is drawn once per exam as a template; each student's bars
are then scaled with an SVG transform, which costs microseconds instead of ~40 ms a figure.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from typing import Sequence

from generator.paths import FONTS_DIR

INK = "#222222"
CLASS = "#9aa6b2"
ACCENT = "#2f5d8a"
WARN = "#b03a2e"


@lru_cache(maxsize=1)
def pyplot():  # type: ignore[no-untyped-def]
    """matplotlib.pyplot with the bundled fonts registered (imported lazily: it is slow)."""
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    for name in ("NanumSquareR.ttf", "NanumSquareB.ttf"):
        font_manager.fontManager.addfont(str(FONTS_DIR / name))
    matplotlib.rcParams.update({
        "font.family": "NanumSquare", "font.size": 8, "svg.fonttype": "path", "svg.hashsalt": "mockexam",
        "axes.unicode_minus": False, "axes.spines.top": False, "axes.spines.right": False,
        "axes.edgecolor": INK, "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK,
        "axes.linewidth": 0.6, "xtick.major.width": 0.6, "ytick.major.width": 0.6,
    })
    return plt


_HEAD = re.compile(r"^.*?(?=<svg)", re.S)


def svg_text(figure) -> str:  # type: ignore[no-untyped-def]
    """The figure as an SVG document without XML prolog (deterministic: no date, fixed ids)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    pyplot().close(figure)
    return _HEAD.sub("", buffer.getvalue(), count=1)


def histogram(totals: Sequence[float], maximum: float, mean: float) -> str:
    """Distribution of the total scores: 10 bins over 0…maximum, with the mean."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(6.2, 2.0))
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if maximum / s <= 12)
    bins = [step * i for i in range(int(maximum // step) + 1)]
    if bins[-1] < maximum:
        bins.append(bins[-1] + step)
    axes.hist(totals, bins=bins, color=CLASS, edgecolor="white", linewidth=0.8)
    axes.axvline(mean, color=ACCENT, linewidth=1.2, linestyle="--")
    axes.text(mean, axes.get_ylim()[1] * 0.97, f" 평균 {mean:.1f}", color=ACCENT, va="top", ha="left")
    axes.set_xlim(0, bins[-1])
    axes.set_xticks(bins)
    axes.set_xticklabels([f"{b:g}" for b in bins])
    axes.set_xlabel("원점수")
    axes.set_ylabel("학생 수")
    axes.yaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout(pad=0.4)
    return svg_text(figure)


def topic_means(labels: Sequence[str], rates: Sequence[float]) -> str:
    """Class 득점률 per topic, horizontal bars."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(3.3, 0.36 * len(labels) + 0.62))
    positions = list(range(len(labels)))[::-1]
    axes.barh(positions, [100 * r for r in rates], color=CLASS, height=0.6)
    for y, rate in zip(positions, rates):
        axes.text(100 * rate + 1, y, f"{100 * rate:.0f}%", va="center", fontsize=7.5)
    axes.set_yticks(positions)
    axes.set_yticklabels(labels)
    axes.set_xlim(0, 105)
    axes.set_xticks([0, 20, 40, 60, 80, 100])
    axes.set_xlabel("학급 평균 득점률 (%)")
    figure.tight_layout(pad=0.4)
    return svg_text(figure)


def item_map(p: Sequence[float], d: Sequence[float | None], numbers: Sequence[int]) -> str:
    """정답률 × 변별도 for every item, with the advice bands shaded."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(6.2, 2.8))
    axes.axhspan(-1, 0.2, color="#f3e3e1", linewidth=0)
    axes.axvspan(0.9, 1.02, color="#eeeeee", linewidth=0)
    axes.axvspan(-0.02, 0.25, color="#eeeeee", linewidth=0)
    xs = [pi for pi, di in zip(p, d) if di is not None]
    ys = [di for di in d if di is not None]
    labels = [n for n, di in zip(numbers, d) if di is not None]
    axes.scatter(xs, ys, s=10, color=ACCENT, zorder=3)
    for x, y, label in zip(xs, ys, labels):
        axes.annotate(str(label), (x, y), xytext=(2.5, 2), textcoords="offset points", fontsize=6)
    axes.axhline(0, color=INK, linewidth=0.5)
    axes.set_xlim(-0.02, 1.02)
    axes.set_ylim(min(-0.2, min(ys, default=0) - 0.05), max(0.8, max(ys, default=0) + 0.05))
    axes.set_xlabel("정답률 p")
    axes.set_ylabel("변별도 D")
    figure.tight_layout(pad=0.4)
    return svg_text(figure)


_BAR = re.compile(r'<g id="(student-bar-\d+)">\s*<path d="M ([-\d.]+) ')


class StudentChart:
    """Per-topic 득점률: the student's bars over the class mean, drawn once, scaled per student."""

    def __init__(self, labels: Sequence[str], class_rates: Sequence[float], font_family: str | None = None) -> None:
        """``font_family``: write text as SVG text in this (CSS) family instead of glyph outlines — for WeasyPrint,
        which draws one text element ~60× faster than the outlines of its glyphs."""
        import matplotlib

        pyplot()  # registers the fonts and styles first: rc_context restores what was set before it
        with matplotlib.rc_context({"svg.fonttype": "none"} if font_family else {}):
            self.template = self._draw(labels, class_rates)
        if font_family:
            self.template = self.template.replace("font-family: 'NanumSquare'", f"font-family: {font_family}")
        self.origins = {gid: float(x) for gid, x in _BAR.findall(self.template)}
        if len(self.origins) != len(labels):  # pragma: no cover - matplotlib changed its SVG output
            raise RuntimeError("cannot find the student bars in matplotlib's SVG")

    @staticmethod
    def _draw(labels: Sequence[str], class_rates: Sequence[float]) -> str:
        plt = pyplot()
        figure, axes = plt.subplots(figsize=(3.3, 0.36 * len(labels) + 0.62))
        positions = list(range(len(labels)))[::-1]
        axes.barh([y + 0.19 for y in positions], [100 * r for r in class_rates], height=0.34, color=CLASS,
                  label="학급 평균")
        bars = axes.barh([y - 0.19 for y in positions], [100] * len(labels), height=0.34, color=ACCENT,
                         label="나")
        for index, bar in enumerate(bars):
            bar.set_gid(f"student-bar-{index}")
        axes.set_yticks(positions)
        axes.set_yticklabels(labels)
        axes.set_xlim(0, 100)
        axes.set_xticks([0, 20, 40, 60, 80, 100])
        axes.set_xlabel("득점률 (%)")
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=7,
                    handlelength=1.2, borderaxespad=0.2)
        figure.tight_layout(pad=0.3)
        return svg_text(figure)

    def render(self, rates: Sequence[float]) -> str:
        """The chart with bar i at ``rates[i]`` (0…1) of its full width."""
        text = self.template
        for index, rate in enumerate(rates):
            gid = f"student-bar-{index}"
            x0, s = self.origins[gid], max(0.0, min(1.0, rate))
            text = text.replace(f'<g id="{gid}">',
                                f'<g id="{gid}" transform="matrix({s:.4f} 0 0 1 {x0 * (1 - s):.3f} 0)">', 1)
        return text
