"""`mockexam bench import`: wall time of importing an .xlsx of N questions (a fresh process, validation included)."""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from generator.bank.loader import TOPICS_FILE, load_taxonomy
from generator.paths import PROJECT_ROOT

Report = Callable[[str], None]
HEADER = ["유형", "주제", "난이도", "배점", "문제", "보기1", "보기2", "보기3", "보기4", "보기5", "정답", "해설", "채점기준",
          "태그"]


def synthetic_rows(count: int, leaves: list[str]) -> list[list[object]]:
    rows: list[list[object]] = [list(HEADER)]
    for n in range(count):
        topic, kind = leaves[n % len(leaves)], ("객관식", "객관식", "객관식", "단답형", "서술형")[n % 5]
        stem = f"{n}번 문항: 학습률 $\\eta$와 배치 크기에 대한 설명으로 옳은 것은?\n\n```보기\nㄱ. 첫째 {n}\nㄴ. 둘째\n```"
        row: list[object] = [kind, topic, 1 + n % 5, None, stem]
        if kind == "객관식":
            row += [f"선택지 {n}-{c}" for c in range(1, 6)] + [1 + n % 5, f"정답은 ①이다. {n}", None]
        elif kind == "단답형":
            row += [None] * 5 + ["교차 검증 | Cross-validation", None, None]
        else:
            row += [None] * 5 + [f"모범답안 {n}", None, "원리 설명 (6점)\n장단점 (4점)"]
        rows.append(row + ["bench, synthetic"])
    return rows


def bench_import(count: int = 100, repeat: int = 3, report: Report = print) -> float:
    from openpyxl import Workbook

    taxonomy = load_taxonomy(PROJECT_ROOT / "bank")
    times, cpu = [], []
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "questions.xlsx"
        book = Workbook()
        book.active.title = "문항"
        for row in synthetic_rows(count, list(taxonomy.leaves)):
            book.active.append(row)
        book.save(source)
        for attempt in range(repeat):
            bank = Path(folder) / f"bank{attempt}"
            (bank / "questions").mkdir(parents=True)
            shutil.copy(PROJECT_ROOT / "bank" / TOPICS_FILE, bank / TOPICS_FILE)
            started, used = time.perf_counter(), _children_cpu()
            result = subprocess.run([sys.executable, "-m", "generator", "import", str(source), "--bank", str(bank)],
                                    capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - started)
            cpu.append(_children_cpu() - used)
            if result.returncode != 0:
                raise RuntimeError(result.stdout + result.stderr)
            written = len(list((bank / "questions").rglob("*.md")))
            if written != count:
                raise RuntimeError(f"expected {count} files, found {written}")
    median = statistics.median(times)
    report(f"import {count} questions from .xlsx (fresh process, validation included): median {median:.2f} s, "
           f"best {min(times):.2f} s over {repeat} runs (target <= 2 s); CPU time median {statistics.median(cpu):.2f} s")
    return median


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
