"""``mockexam bench copies``: named copies of a 40-question MCQ exam, against Auto Multiple Choice if installed."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from generator.paths import PROJECT_ROOT

Report = Callable[[str], None]
BANK = PROJECT_ROOT / "bank"
QUESTIONS = 40
NAMES = "김민준 이서연 박지호 최수아 정예준 강하윤 조도윤 윤서아 장시우 임지유 한주원 오하은 서지안 신유나 권건우".split()


def bench_blueprint(order: str) -> dict:
    return {"title": "벤치마크 모의고사", "subject": "인공지능", "duration_minutes": 60, "forms": ["A", "B"], "seed": 1,
            "sections": [{"type": "mcq", "count": QUESTIONS, "points": 2}],
            "copies": {"order": order}}


def write_roster(path: Path, count: int) -> Path:
    rows = ["수험번호,성명,반,번호"]
    rows += [f"2026{i:04d},{NAMES[i % len(NAMES)]},{(i - 1) // 30 + 1},{(i - 1) % 30 + 1}" for i in range(1, count + 1)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def run_once(count: int, order: str, jobs: int, folder: Path) -> dict:
    """One roster build in this process (called in a fresh process by ``bench_copies``): seconds and peak memory."""
    from generator.assemble.blueprint import Blueprint
    from generator.assemble.roster import load_roster
    from generator.bank.loader import load_bank
    from generator.build import plan_exam
    from generator.render import render_exam
    from generator.render.copies import CopyOptions

    started = time.perf_counter()
    bank = load_bank(BANK)
    blueprint = Blueprint.model_validate(bench_blueprint(order))
    students = load_roster(write_roster(folder / "roster.csv", count), blueprint.forms)
    exam, _ = plan_exam(bank, blueprint, "bench-copies", folder, students=students)
    out = folder / "exam"
    out.mkdir()
    timings: dict[str, float] = {}
    render_exam(exam, out, timings=timings, copy_options=CopyOptions(jobs=jobs))
    seconds = time.perf_counter() - started
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return {"seconds": seconds, "cpu": cpu, "peak_mb": max(own.ru_maxrss, children.ru_maxrss) / 1024,
            "timings": timings}


def _measure(count: int, order: str, jobs: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run([sys.executable, "-c", "import json, sys; from pathlib import Path; "
                                 "from generator.bench_copies import run_once; "
                                 "print(json.dumps(run_once(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))))",
                                 str(count), order, str(jobs), folder], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(result.stderr[-2000:])
        return json.loads(result.stdout.strip().splitlines()[-1])


def bench_copies(count: int = 100, order: str = "student", jobs: int = 1, report: Report = print,
                 amc: bool = True) -> dict:
    """Time ``count`` named copies (and 10 for the per-copy cost); run AMC on the same job when installed."""
    small = _measure(10, order, jobs)
    full = _measure(count, order, jobs)
    per_copy = (full["seconds"] - small["seconds"]) / max(1, count - 10)
    per_copy_cpu = (full["cpu"] - small["cpu"]) / max(1, count - 10)
    report(f"{count} named copies ({QUESTIONS} MCQs, order per {order}, jobs {jobs}): {full['seconds']:.2f} s wall, "
           f"{full['cpu']:.2f} s CPU (writers: " + ", ".join(f"{k} {v:.2f} s" for k, v in full["timings"].items()) + ")")
    report(f"10 copies: {small['seconds']:.2f} s -> each extra copy {per_copy * 1000:.0f} ms wall, "
           f"{per_copy_cpu * 1000:.0f} ms CPU (target <= 50 ms)")
    report(f"peak memory: {small['peak_mb']:.0f} MB for 10 copies, {full['peak_mb']:.0f} MB for {count} (target <= 500 MB)")
    result = {"seconds": full["seconds"], "cpu": full["cpu"], "per_copy": per_copy, "per_copy_cpu": per_copy_cpu,
              "peak_mb": full["peak_mb"]}
    program = shutil.which("auto-multiple-choice") if amc else None
    if program:
        amc_seconds = bench_amc(program, count, report)
        result["amc_seconds"] = amc_seconds
        report(f"AMC {count} copies: {amc_seconds:.2f} s; mockexam/AMC = {full['seconds'] / amc_seconds:.2f} "
               "(target <= 0.33)")
    elif amc:
        report("auto-multiple-choice is not on PATH: no AMC comparison "
               "(apt-get install auto-multiple-choice texlive-xetex fonts-nanum)")
    return result


def amc_source(bank_dir: Path = BANK, questions: int = QUESTIONS) -> str:
    """An AMC-TXT source with the same number of MCQs (5 choices each) from the bank's text."""
    from generator.bank.loader import load_bank
    from generator.bank.schema import McqMeta

    bank = load_bank(bank_dir)
    lines = ["Title: 벤치마크 모의고사", "Lang: KO", "Font: NanumMyeongjo", "ShuffleQuestions: 1", "Columns: 2", ""]
    mcqs = [q for q in bank.questions if isinstance(q.meta, McqMeta) and "$" not in q.body.stem
            and "```" not in q.body.stem and not any("$" in c or "`" in c for c in q.meta.choices)][:questions]
    for question in mcqs:
        assert isinstance(question.meta, McqMeta)
        stem = " ".join(question.body.stem.split()).replace("*", "")
        lines.append(f"* {stem}")
        for index, choice in enumerate(question.meta.choices, 1):
            lines.append(f"{'+' if index == question.meta.answer else '-'} {choice.replace('*', '')}")
        lines.append("")
    return "\n".join(lines)


def bench_amc(amc: str, count: int, report: Report) -> float:
    """AMC 1.6: prepare --mode s (subjects), --mode k (keys) and meptex (layout) for ``count`` copies."""
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        source = project / "source.txt"
        source.write_text(amc_source(), encoding="utf-8")
        started = time.perf_counter()
        (project / "data").mkdir()
        common = ["--with", "xelatex", "--filter", "plain", "--n-copies", str(count), "--prefix", str(project),
                  "--data", str(project / "data")]
        for mode, extra in (("s", ["--out-sujet", str(project / "subject.pdf"), "--out-corrige", str(project / "key.pdf"),
                                    "--out-calage", str(project / "calage.xy")]), ("k", [])):
            subprocess.run([amc, "prepare", "--mode", mode, *common, *extra, str(source)], check=True,
                           capture_output=True)
        subprocess.run([amc, "meptex", "--src", str(project / "calage.xy"), "--data", str(project / "data")],
                       check=True, capture_output=True)
        seconds = time.perf_counter() - started
    report(f"AMC: {seconds:.2f} s")
    return seconds
