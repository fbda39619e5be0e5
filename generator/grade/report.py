"""성적표 (one PDF per student) and the class report (PDF and HTML) from a graded class.

Speed: a 성적표 is composed, not flowed (``student_pdf``): every piece the class needs is laid out once in one
WeasyPrint document and each student's file is written by placement (``pdfsplice``); on Linux the class
report is written by a forked worker meanwhile (``MOCKEXAM_RENDER_JOBS=1`` keeps everything in-process).
"""

from __future__ import annotations

import base64
import math
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from markupsafe import Markup

from generator.assemble.exam import ExamItem
from generator.bank.model import Bank
from generator.bank.schema import CIRCLED, QuestionType
from generator.grade import analysis, charts
from generator.grade.results import Graded, StudentResult
from generator.grade.scoring import Status
from generator.render.common import environment, font_face_css, read_template_file
from generator.render.text import keep_words


@dataclass(frozen=True)
class Context:
    """What every report needs besides the graded class."""

    bank: Bank
    title: str
    session: str
    subject: str
    graded_on: str  # YYYY-MM-DD


def _num(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def report_css() -> Markup:
    return Markup("\n".join([read_template_file("paper.css"), read_template_file("report.css")]))


# ----------------------------------------------------------------------------------------- per student


class StudentPages:
    """What a student's 성적표 shows; explanation HTML is rendered once per question and choice order."""

    def __init__(self, graded: Graded, context: Context) -> None:
        from generator.render.markdown import MarkdownRenderer

        self.graded, self.context = graded, context
        self.md = MarkdownRenderer(context.bank.root, inline_svg=False)
        self.p = {info.id: stats.p for info, stats in zip(graded.questions, graded.analysis.items)}
        self.info = {info.id: info for info in graded.questions}
        self._explanations: dict[tuple[str, tuple[int, ...]], Markup] = {}

    def explanation(self, question_id: str, choice_order: tuple[int, ...], number: int) -> Markup:
        cache_key = (question_id, choice_order)
        if cache_key not in self._explanations:
            question = self.info[question_id].question
            html = ""
            if question is not None:
                text = ExamItem(number, question, 0, choice_order).explanation
                if text is None and question.type is QuestionType.ESSAY:
                    text = question.body.model_answer
                html = self.md.html(text, question.path) if text else ""
            self._explanations[cache_key] = Markup(html)
        return self._explanations[cache_key]

    def student(self, index: int, result: StudentResult) -> dict[str, Any]:
        graded, score = self.graded, result.score
        right, blank, wrong = [], [], []
        for item in score.sheet.items:
            answer = score.answers.get(item.question_id)
            if answer is not None and answer.correct:
                right.append(item.number)
                continue
            if answer is None or answer.status is Status.BLANK:
                blank.append(item.number)
            info = self.info[item.question_id]
            got = answer.earned if answer else 0.0
            if item.type is QuestionType.MCQ:
                key = CIRCLED[item.answer - 1] if item.answer is not None else ""
                mine = "".join(CIRCLED[m - 1] for m in answer.marks) if answer and answer.marks else "무응답"
            else:
                key, mine = info.key_label, ("채점 " + _num(got) + "점") if answer and answer.status is Status.SCORED else "무응답"
            wrong.append({
                "number": item.number, "key": key, "mine": mine, "score": f"{_num(got)}/{_num(item.points)}점",
                "p": _pct(self.p[item.question_id]), "unit": info.unit_label,
                "explanation": self.explanation(item.question_id, item.choice_order, item.number),
            })
        units = [{"label": label, "points": _num(graded.unit_points[u]), "earned": _num(result.unit_earned[u]),
                  "rate": _pct(graded.unit_rate(result, u)), "class_rate": _pct(graded.unit_class_rates[u])}
                 for u, label in graded.units]
        return {
            "index": index, "id": score.student_id, "name": score.name, "sheet": score.sheet.label,
            "total": _num(result.total), "rank": result.rank, "percentile": f"{result.percentile:.0f}",
            "units": units,
            "right": right, "blank": blank, "wrong": wrong,
        }


def student_chart(graded: Graded) -> charts.StudentChart:
    """The per-topic 득점률 chart of every 성적표 (the students' bars are drawn over it per student)."""
    return charts.StudentChart([label for _, label in graded.units],
                               [graded.unit_class_rates[u] for u, _ in graded.units], font_family="mx-sans")


def student_file(student_id: str) -> str:
    """File name of a student's 성적표: the 수험번호 with anything unsafe replaced."""
    return "성적표-" + (re.sub(r"[^0-9A-Za-z가-힣_-]+", "_", student_id) or "student") + ".pdf"


def write_student_batch(pages: StudentPages, indexes: list[int], folder: Path) -> list[Path]:
    """Lay out every piece the students of ``indexes`` need once, then compose one PDF per student."""
    from generator.grade.student_pdf import StudentComposer

    composer = StudentComposer(pages, indexes, student_chart(pages.graded))
    composer.lay_out(_engine(pages.context.bank.root))
    return write_composed(composer, indexes, folder)


def write_composed(composer: Any, indexes: list[int], folder: Path) -> list[Path]:
    """Write the 성적표 of ``indexes`` from a composer whose pieces are laid out (placement only)."""
    paths = []
    for index in indexes:
        path = folder / student_file(composer.pages.graded.students[index].student_id)
        path.write_bytes(composer.pdf(index))
        paths.append(path)
    return paths


# ----------------------------------------------------------------------------------------- class report


def class_figures(graded: Graded) -> dict[str, str]:
    """The class report's charts as SVG data URIs (drawn once for the PDF and the HTML)."""
    t = graded.analysis.test
    return {
        "histogram": svg_uri(charts.histogram([s.total for s in graded.students], graded.max_points, t.mean)),
        "topics": svg_uri(charts.topic_means([label for _, label in graded.units],
                                             [graded.unit_class_rates[u] for u, _ in graded.units])),
        "item_map": svg_uri(charts.item_map([s.p for s in graded.analysis.items],
                                            [s.d for s in graded.analysis.items],
                                            [q.ref.number for q in graded.questions])),
    }


def class_html(graded: Graded, context: Context, figures: dict[str, str],
               fonts: Callable[[str], str] | None = None) -> str:
    """The class report; ``fonts`` turns the finished markup into @font-face CSS (HTML embeds subsets)."""
    t = graded.analysis.test
    items = []
    for info, stats in zip(graded.questions, graded.analysis.items):
        options = []
        for position in range(1, 6):
            if info.key_bank is not None and position <= info.ref.choice_count:
                b = info.ref.bank_choice(position)
                options.append({"shown": True, "key": b == info.key_bank, "upper": _pct(stats.options_upper[b]),
                                "lower": _pct(stats.options_lower[b])})
            else:
                options.append({"shown": False, "key": False})
        d = "—" if stats.d is None else f"{stats.d:+.2f} (±{stats.d_se:.2f})"
        items.append({"number": info.ref.number, "id": info.id, "unit": info.unit_label, "points": _num(info.ref.points),
                      "key": info.key_label if info.ref.type is QuestionType.MCQ else info.ref.type.label,
                      "p": f"{stats.p:.2f}", "d": d, "r": "—" if stats.r_rest is None else f"{stats.r_rest:+.2f}",
                      "options": options, "blank": _pct(stats.blank) if info.key_bank is not None else "",
                      "flags": " · ".join(f.describe(info.choice_label) for f in stats.flags)})
    units = []
    for unit, label in graded.units:
        count = sum(1 for q in graded.questions if q.unit == unit)
        rate = graded.unit_class_rates[unit]
        units.append({"label": label, "count": count, "points": _num(graded.unit_points[unit]),
                      "mean": f"{rate * graded.unit_points[unit]:.1f}", "rate": _pct(rate)})
    g = max(1, t.group_size)
    environment().filters["num"] = _num
    page = environment().get_template("report_class.html.j2").render(
        css=Markup("/*FONTS*/") + report_css(), title=context.title, session=context.session, subject=context.subject,
        exam_id=graded.key.exam_id, graded_on=context.graded_on, n=t.n, t=t, max_points=_num(graded.max_points),
        **figures, units=units, items=items, first_label=graded.key.first.label,
        d_se_max=math.sqrt(0.5 / g), r_se=1 / math.sqrt(max(1, t.n - 1)),
        easy=f"{analysis.EASY_P:.2f}", hard=f"{analysis.HARD_P:.2f}", low_d=f"{analysis.LOW_D:.2f}")
    page = keep_words(page)
    return page.replace("/*FONTS*/", fonts(page) if fonts else font_face_css(), 1)


def write_class_report(graded: Graded, context: Context, folder: Path) -> list[Path]:
    from generator.render.fonts import subset_sources

    pdf, html = folder / "class-report.pdf", folder / "class-report.html"
    figures = class_figures(graded)
    _engine(context.bank.root).write(class_html(graded, context, figures), pdf)
    html.write_text(class_html(graded, context, figures, lambda markup: font_face_css(subset_sources(markup))),
                    encoding="utf-8")
    return [pdf, html]


# ----------------------------------------------------------------------------------------- all reports

_ENGINES: dict[Path, Any] = {}


def _engine(bank_root: Path) -> Any:
    """One WeasyPrint engine (font configuration) per process."""
    from generator.render.pdf import Engine

    if bank_root not in _ENGINES:
        _ENGINES[bank_root] = Engine(bank_root)
    return _ENGINES[bank_root]



def _jobs() -> int:
    env = os.environ.get("MOCKEXAM_RENDER_JOBS")
    if env:
        return max(1, int(env))
    if not sys.platform.startswith("linux"):
        return 1
    return max(1, min(2, len(os.sched_getaffinity(0))))


_JOB: dict[str, Any] = {}  # inherited by forked workers


def _init_worker(parent: int) -> None:
    """Report workers leave Ctrl-C to the grading process and die with it."""
    import signal

    from generator.render.worker_life import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    die_with_parent(parent)


def _chart_task() -> charts.StudentChart:
    return student_chart(_JOB["graded"])


def _class_task() -> tuple[list[Path], float]:
    started = time.perf_counter()
    return write_class_report(_JOB["graded"], _JOB["context"], _JOB["folder"]), time.perf_counter() - started


def _students_task(indexes: list[int]) -> list[Path]:
    return write_composed(_JOB["composer"], indexes, _JOB["folder"] / "students")


def write_reports(graded: Graded, context: Context, folder: Path, jobs: int | None = None,
                  seconds: dict[str, float] | None = None, side: Callable[[], object] | None = None) -> list[Path]:
    """Every student's 성적표 (``folder/students/``) and the class report; ``seconds`` receives their times.

    With more than one job, a forked worker draws the 성적표 chart (this process never imports matplotlib)
    and writes the class report, while this process plans every 성적표, runs ``side`` (other outputs, e.g.
    the spreadsheets), lays out the 성적표 pieces once and writes the students' files (placement only; shared
    with ``jobs - 2`` more workers forked after the layout when there are more than two jobs).
    """
    from generator.grade.student_pdf import StudentComposer

    seconds = {} if seconds is None else seconds
    started = time.perf_counter()
    (folder / "students").mkdir(parents=True, exist_ok=True)
    jobs = jobs or _jobs()
    everyone = list(range(len(graded.students)))
    if jobs <= 1:
        if side is not None:
            side()
        paths = write_class_report(graded, context, folder)
        seconds["class report"] = time.perf_counter() - started
        return paths + write_student_batch(StudentPages(graded, context), everyone, folder / "students")
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from generator.render.pdf import import_weasyprint, warm_up

    import_weasyprint()  # imported and the fonts loaded once, before forking
    warm_up()
    fork = multiprocessing.get_context("fork")
    _JOB.update(graded=graded, context=context, folder=folder)
    pools: list[ProcessPoolExecutor] = []

    def pool(workers: int) -> ProcessPoolExecutor:
        pools.append(ProcessPoolExecutor(max_workers=workers, mp_context=fork, initializer=_init_worker,
                                         initargs=(os.getpid(),)))
        return pools[-1]

    try:
        worker = pool(1)
        chart = worker.submit(_chart_task)
        report = worker.submit(_class_task)
        composer = StudentComposer(StudentPages(graded, context), everyone)
        if side is not None:  # while the worker imports matplotlib and draws the chart
            side()
        composer.set_chart(chart.result())
        composer.lay_out(_engine(context.bank.root))
        _JOB["composer"] = composer
        seconds["성적표 layout"] = time.perf_counter() - started
        # a fork copies this process's page tables and dirties its pages: for placement only, it pays on a
        # third core, not on the second, which the class report still holds for about as long
        shares = [everyone[i::jobs - 1] for i in range(jobs - 1)]
        more = pool(len(shares) - 1) if len(shares) > 1 else None
        futures = [more.submit(_students_task, share) for share in shares[1:]] if more else []
        paths = _students_task(shares[0])
        for future in futures:
            paths += future.result()
        seconds["성적표 files"] = time.perf_counter() - started - seconds["성적표 layout"]
        class_paths, seconds["class report (worker)"] = report.result()
        for each in pools:
            each.shutdown(wait=True)
        return class_paths + paths
    except BaseException:  # an error or Ctrl-C here: stop the workers now, not when they finish
        for each in pools:
            for process in list((getattr(each, "_processes", None) or {}).values()):
                process.kill()
            each.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        _JOB.clear()
