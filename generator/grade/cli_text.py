"""What ``mockexam grade`` prints (kept out of cli.py, which is shared)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from generator.bank.loader import load_bank
from generator.problems import UserError, display_path


def grade_command(exam_dir: Path, bank_dir: Path, responses: Path | None, roster: Path | None,
                  template: Path | None, rows: int, use_bank_key: bool, echo: Callable[..., None]) -> None:
    from generator.grade.run import grade_exam, write_template

    if template is not None:
        count = write_template(exam_dir, template, roster, rows)
        echo(f"wrote {display_path(template)} ({count} student rows): type each student's answers, then run "
             f"`mockexam grade {display_path(exam_dir)} --responses {display_path(template)}`")
        return
    bank = load_bank(bank_dir)
    try:
        outcome = grade_exam(exam_dir, bank, responses, roster, use_bank_key,
                             say=lambda message: echo(f"  {message}", err=True))
    except UserError as error:
        if error.problems and all("not yet reviewed" in p.message for p in error.problems):
            raise UserError(f"{error.text}\ngrading stopped: {len(error.problems)} doubtful mark(s) left to "
                            "review; nothing was written") from None
        raise
    for note in outcome.notes:
        echo(f"note: {note}", err=True)
    graded = outcome.graded
    t = graded.analysis.test
    reliability = "—" if t.reliability is None else f"{t.reliability:.2f}"
    echo(f"graded {t.n} students on {t.k} questions: mean {t.mean:.1f} / {graded.max_points:g}, SD {t.sd:.1f}, "
         f"{t.reliability_name} {reliability}, SEM {'—' if t.sem is None else f'{t.sem:.1f}'}")
    flagged = [(q, s) for q, s in zip(graded.questions, graded.analysis.items) if s.flags]
    for info, stats in flagged:
        echo(f"  question {info.ref.number} ({info.id}): " + ", ".join(f.code for f in stats.flags))
    echo(f"wrote {display_path(outcome.folder)}/ (scores.csv, scores.xlsx, items.csv, class-report.pdf/.html, "
         f"{t.n} 성적표 in students/) and {display_path(outcome.stats_file)}")
