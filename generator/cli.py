"""The ``mockexam`` command line: thin wrappers over bank, assemble and render."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator import __version__
from generator.assemble.points import tidy as tidy_points
from generator.bank import query, skeleton
from generator.bank.lint import NEAR_DUPLICATE_SIMILARITY, lint_questions
from generator.bank.lint import lint as run_lint
from generator.bank.loader import bank_of_blueprint, load_bank, load_taxonomy
from generator.bank.model import Bank
from generator.bank.schema import (
    CIRCLED,
    DIFFICULTY_LABELS,
    SLUG_PATTERN,
    QuestionType,
    front_matter_json_schema,
)
from generator.problems import UserError, did_you_mean, display_path
from generator.textable import format_table, truncate

if TYPE_CHECKING:
    from generator.assemble.exam import Exam
    from generator.assemble.select import Selection
    from generator.render import RenderPool


class _Group(click.Group):
    """Turns UserError into a message on stderr and exit code 1, never a traceback.

    Ctrl-C exits 130 and SIGTERM/SIGHUP 128 + signal after the staging folders are removed; any other
    exception is a bug: one line saying where its traceback was saved, exit 70.
    """

    def invoke(self, ctx: click.Context) -> Any:
        from generator.crash import EXIT_INTERNAL_ERROR, save_crash_report
        from generator.interrupt import Terminated, handle_signals

        try:
            with handle_signals():
                return super().invoke(ctx)
        except UserError as error:
            click.echo(error.text, err=True)
            if len(error.problems) > 1:
                click.echo(f"{len(error.problems)} problems found; fix them and run again.", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("mockexam: interrupted (Ctrl-C); no partial output was left behind", err=True)
            ctx.exit(130)
        except Terminated as stop:
            click.echo(f"mockexam: stopped by {stop.name}; no partial output was left behind", err=True)
            ctx.exit(128 + stop.signum)
        except OSError as error:  # disk full, permission denied, …
            click.echo(f"error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), err=True)
            ctx.exit(1)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:  # a bug: never a traceback on the terminal
            saved = save_crash_report(error)
            where = f"the traceback is in {saved}" if saved else "the traceback could not be saved"
            click.echo(f"mockexam: internal error ({type(error).__name__}); this is a bug, please report it: "
                       f"{where}", err=True)
            ctx.exit(EXIT_INTERNAL_ERROR)


bank_option = click.option(
    "--bank",
    "bank_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bank"),
    show_default=True,
    help="Bank folder (holds topics.yaml and questions/).",
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mockexam")
def cli() -> None:
    """Keep a Korean question bank in plain files and build balanced mock exams from it."""


def main() -> None:
    cli(prog_name="mockexam")


# ---------------------------------------------------------------- bank commands


@cli.command()
@bank_option
def validate(bank_dir: Path) -> None:
    """Check every question file; print all problems as path:line: field: message."""
    bank = load_bank(bank_dir)
    for notice in bank.notices:
        click.echo(f"warning: {notice}", err=True)
    counts = Counter(q.type for q in bank.questions)
    parts = ", ".join(f"{counts[t]} {t.value}" for t in QuestionType)
    click.echo(f"{display_path(bank.root)}: {len(bank.questions)} questions OK ({parts}), "
               f"{len(bank.taxonomy.leaves)} topics")


def _difficulties(_ctx: click.Context, _param: click.Parameter, value: str | None) -> frozenset[int] | None:
    if value is None:
        return None
    try:
        if "-" in value:
            low, high = (int(part) for part in value.split("-", 1))
            levels = frozenset(range(low, high + 1))
        else:
            levels = frozenset(int(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter("use a level (3), a list (2,3) or a range (2-4)") from None
    if not levels or not levels <= set(range(1, 6)):
        raise click.BadParameter("difficulty levels are 1 to 5")
    return levels


def _check_topic(bank: Bank, topic: str | None) -> None:
    if topic is not None and topic not in bank.taxonomy.leaves and topic not in bank.taxonomy.areas:
        known = list(bank.taxonomy.leaves) + list(bank.taxonomy.areas)
        raise UserError(f"unknown topic '{topic}'{did_you_mean(topic, known)}; see `mockexam stats` for topics")


@cli.command("list")
@bank_option
@click.option("--type", "kind", type=click.Choice([t.value for t in QuestionType]), help="Question type.")
@click.option("--topic", help="A leaf (model.xai) or an area (model).")
@click.option("--difficulty", callback=_difficulties, help="Level, list or range: 3, 2,3 or 2-4.")
@click.option("--tag", help="Only questions with this tag.")
@click.option("--search", help="Text to find in the question, choices, answers or explanation.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records for scripts.")
def list_questions(
    bank_dir: Path,
    kind: str | None,
    topic: str | None,
    difficulty: frozenset[int] | None,
    tag: str | None,
    search: str | None,
    as_json: bool,
) -> None:
    """List questions, filtered by type, topic, difficulty, tag or text."""
    bank = load_bank(bank_dir)
    _check_topic(bank, topic)
    where = query.QuestionFilter(QuestionType(kind) if kind else None, topic, difficulty, tag, search)
    found = query.select(bank, where)
    from generator.grade.bankstats import observed_cells

    seen = observed_cells(bank.root, found)  # observed 정답률 and discrimination from graded exams, if any
    if as_json:
        records = [query.as_record(q, bank) for q in found]
        for record in records:
            if record["id"] in seen:
                p, d = seen[record["id"]]
                record["observed"] = {"p": float(p), "d": float(d) if d else None}
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    columns = max(20, _terminal_width() - 70 - (12 if seen else 0))
    rows = [
        (q.id, q.type.value, q.topic, q.difficulty, tidy_points(q.points), *(seen.get(q.id, ("", "")) if seen else ()),
         truncate(" ".join(q.body.stem.split()), columns))
        for q in found
    ]
    click.echo(format_table(["id", "type", "topic", "diff", "pts", *(("p", "D") if seen else ()), "question"], rows,
                            right=(3, 4, 5, 6) if seen else (3, 4)))
    click.echo(f"{len(found)} of {len(bank.questions)} questions")


def _terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 120


@cli.command()
@bank_option
@click.option("--json", "as_json", is_flag=True, help="Print the matrix as JSON.")
def stats(bank_dir: Path, as_json: bool) -> None:
    """Coverage: questions per topic and type, with the difficulty spread."""
    bank = load_bank(bank_dir)
    rows = query.coverage(bank)
    if as_json:
        records = [
            {"topic": r.topic, "label": r.label, **{t.value: r.by_type[t] for t in QuestionType},
             "difficulty": {str(d): n for d, n in r.by_difficulty.items()}}
            for r in rows
        ]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    types = list(QuestionType)
    header = ["topic", "label", *(t.value for t in types), "total", *(f"d{d}" for d in range(1, 6))]
    table, area = [], None
    for row in rows:
        this_area = row.topic.split(".")[0]
        if this_area != area:
            area = this_area
            in_area = [r for r in rows if r.topic.startswith(area + ".")]
            table.append([area, bank.taxonomy.label(area), *(sum(r.by_type[t] for r in in_area) for t in types),
                          sum(r.total for r in in_area), *("" for _ in range(5))])
        cells = [row.by_type[t] or "·" for t in types]
        table.append(["  " + row.topic, row.label, *cells, row.total, *(row.by_difficulty[d] or "·" for d in range(1, 6))])
    totals = Counter(q.type for q in bank.questions)
    levels = Counter(q.difficulty for q in bank.questions)
    table.append(["total", "", *(totals[t] for t in types), len(bank.questions), *(levels[d] for d in range(1, 6))])
    from generator.grade.bankstats import topic_p

    observed_p = topic_p(bank.root, bank.questions)  # mean observed 정답률 per topic, from graded exams
    if observed_p:
        header.append("p obs")
        for line in table:
            topic = str(line[0]).strip()
            line.append(f"{observed_p[topic]:.2f}" if topic in observed_p else "")
    click.echo(format_table(header, table, right=tuple(range(2, len(header)))))
    click.echo("d1..d5: difficulty " + ", ".join(f"{d} {label}" for d, label in DIFFICULTY_LABELS.items())
               + ";  · = no question yet")


@cli.command()
@bank_option
@click.option("--type", "kind", type=click.Choice([t.value for t in QuestionType]), required=True)
@click.option("--topic", required=True, help="A leaf of topics.yaml, e.g. model.architecture.")
@click.option("--id", "question_id", help="Id of the new question (default: a fresh <leaf>-<type>-NNN).")
def new(bank_dir: Path, kind: str, topic: str, question_id: str | None) -> None:
    """Write a commented skeleton question file with a fresh unique id."""
    taxonomy = load_taxonomy(bank_dir.resolve())
    if topic not in taxonomy.leaves:
        raise UserError(f"unknown topic '{topic}'{did_you_mean(topic, taxonomy.leaves)}; "
                        f"use a leaf: {', '.join(taxonomy.leaves)}")
    taken = skeleton.existing_ids(bank_dir)
    question_type = QuestionType(kind)
    if question_id is None:
        question_id = skeleton.fresh_id(topic, question_type, taken)
    elif not re.match(SLUG_PATTERN, question_id):
        raise UserError(f"--id '{question_id}' is not kebab-case: use lowercase ASCII, digits and '-'")
    elif question_id in taken:
        raise UserError(f"id '{question_id}' is already used in {display_path(bank_dir)}; choose another")
    path = skeleton.skeleton_path(bank_dir, topic, question_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(skeleton.skeleton(question_id, question_type, topic))
    except FileExistsError:
        raise UserError(f"{display_path(path)} already exists; not overwriting it") from None
    click.echo(f"wrote {display_path(path)}: fill in the TODO parts, then run `mockexam validate`")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Start a new bank in FOLDER: commented topics.yaml, example questions and a blueprint."""
    from generator.bank.starter import init_bank

    init_bank(folder)
    shown = display_path(folder)
    click.echo(f"created the bank {shown}/: topics.yaml, 3 example questions in questions/, blueprints/sample.yaml\n"
               f"next: edit them, then\n  mockexam validate --bank {shown}\n"
               f"  mockexam build {shown}/blueprints/sample.yaml")


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file instead of stdout.")
@click.option("--bank", "bank_dir", type=click.Path(file_okay=False, path_type=Path),
              help="List this bank's topics (topics.yaml) as the allowed values of `topic`.")
def schema(out: Path | None, bank_dir: Path | None) -> None:
    """Print the JSON Schema of question front matter (for editor completion and checks)."""
    topics = list(load_taxonomy(bank_dir.resolve()).leaves) if bank_dir is not None else None
    text = json.dumps(front_matter_json_schema(topics), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    from generator.atomic import write_text_atomic

    write_text_atomic(out, text)
    click.echo(f"wrote {display_path(out)}")


@cli.command()
@bank_option
@click.option("--similarity", type=click.FloatRange(0.1, 1.0), default=NEAR_DUPLICATE_SIMILARITY, show_default=True,
              help="Cosine similarity from which two questions count as near-duplicates.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when there are warnings.")
def lint(bank_dir: Path, similarity: float, strict: bool) -> None:
    """Warnings beyond validity: near-duplicates, missing 해설, give-away choices and cues, answer leaks, glossary, answer spread, glyphs."""
    bank = load_bank(bank_dir)
    report = run_lint(bank, similarity)
    for warning in report.warnings:
        click.echo(f"{warning}")
    for note in report.notes:
        click.echo(f"{display_path(bank.root)}: {note}")
    click.echo(f"{report.count} warning(s) in {len(bank.questions)} questions", err=True)
    if strict and report.count:
        sys.exit(1)


@cli.command()
@click.argument("blueprint_path", metavar="[BLUEPRINT]", required=False, type=click.Path(dir_okay=False, path_type=Path))
@bank_option
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0 picks a free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep it local).")
@click.option("--no-open", is_flag=True, help="Do not open a browser.")
def preview(blueprint_path: Path | None, bank_dir: Path, port: int, host: str, no_open: bool) -> None:
    """Live page of the bank as it will print (and BLUEPRINT's exam); updates on every save."""
    from generator.preview.server import serve

    serve(bank_dir, blueprint_path, host, port, open_browser=not no_open, say=click.echo)


# ---------------------------------------------------------------- exams


def _forms(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    from generator.assemble.blueprint import FORM_NAME_RULE, MAX_FORMS

    if value is None:
        return None
    names = tuple(part.strip() for part in value.split(","))
    if not any(names):
        raise click.BadParameter("name at least one form, e.g. A,B")
    for name in names:  # names are case-sensitive: 'a' is not 'A', so lowercase is refused, not converted
        if not re.fullmatch(r"[A-Z0-9가-힣]{1,4}", name):
            hint = f" (did you mean '{name.upper()}'?)" if re.fullmatch(r"[A-Z0-9가-힣]{1,4}", name.upper()) else ""
            raise click.BadParameter(f"{name!r}{hint}: {FORM_NAME_RULE}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise click.BadParameter(f"{', '.join(repeated)} named twice: every form needs its own name")
    if len(names) > MAX_FORMS:
        raise click.BadParameter(f"{len(names)} forms; at most {MAX_FORMS}")
    return names


@cli.command()
@click.argument("blueprint_path", metavar="BLUEPRINT", type=click.Path(dir_okay=False, path_type=Path))
@bank_option
@click.option("--seed", type=click.IntRange(0, 2**31 - 1), help="Override the blueprint's seed (0 to 2147483647).")
@click.option("--forms", callback=_forms, help="Override the forms, e.g. A,B.")
@click.option("--out", "out_root", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
              show_default=True, help="Folder that receives <exam>/ and history.json.")
@click.option("--dry-run", is_flag=True, help="Print the selection and the constraints; write nothing.")
@click.option("--no-render", is_flag=True, help="Write only manifest.json (no PDF/HTML).")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="Class list (.csv or .xlsx: 수험번호, 성명, optional 반, 번호, 문형): one named copy per student.")
@click.option("--collate", is_flag=True, help="With --roster: also one PDF per student (booklet + answer sheet).")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="With --roster: worker processes for the copies.")
@click.option("--dask", "dask_address", metavar="SCHEDULER",
              help="With --roster: send batches of copies to this Dask scheduler (e.g. tcp://host:8786).")
def build(blueprint_path: Path, bank_dir: Path, seed: int | None, forms: tuple[str, ...] | None,
          out_root: Path, dry_run: bool, no_render: bool, roster: Path | None, collate: bool, jobs: int,
          dask_address: str | None) -> None:
    """Select questions for BLUEPRINT, shuffle the forms and write PDFs, HTML and manifest.json."""
    if roster is None and (collate or jobs > 1 or dask_address):
        raise UserError("--collate, --jobs and --dask apply to named copies: add --roster students.csv")

    if click.get_current_context().get_parameter_source("bank_dir") is click.core.ParameterSource.DEFAULT:
        bank_dir = bank_of_blueprint(blueprint_path) or bank_dir  # BANK/blueprints/x.yaml builds from BANK
    with contextlib.ExitStack() as stack:
        pool = None
        if not (dry_run or no_render or roster):
            from generator.render import early_pool

            pool = early_pool(stack)  # render workers warm up while the bank loads and the solver runs
        _build(blueprint_path, bank_dir, seed, forms, out_root, dry_run, no_render, roster, collate, jobs,
               dask_address, pool)


def _build(blueprint_path: Path, bank_dir: Path, seed: int | None, forms: tuple[str, ...] | None, out_root: Path,
           dry_run: bool, no_render: bool, roster: Path | None, collate: bool, jobs: int, dask_address: str | None,
           pool: RenderPool | None) -> None:
    from generator.assemble.blueprint import check_includes, load_blueprint
    from generator.assemble.roster import load_roster
    from generator.assemble.select import describe_selection
    from generator.build import exam_id_for, plan_exam, write_exam

    bank = load_bank(bank_dir)
    blueprint = load_blueprint(blueprint_path, bank.taxonomy)
    check_includes(blueprint_path, blueprint, bank)
    students = load_roster(roster, forms or blueprint.forms) if roster is not None else ()
    effective_seed = blueprint.seed if seed is None else seed
    exam, selection = plan_exam(bank, blueprint, exam_id_for(blueprint_path, effective_seed), out_root.resolve(),
                                seed, forms, students)
    for warning in lint_questions(bank, exam.question_ids):
        click.echo(f"lint: {warning}", err=True)
    if dry_run:
        _print_dry_run(exam, selection, describe_selection(selection, exam.blueprint))
        return
    options = None
    if students:
        from generator.render.copies import CopyOptions

        options = CopyOptions(collate=collate, jobs=jobs, dask=dask_address)
    target = write_exam(exam, out_root.resolve(), progress=_say_rendering, render=not no_render, copy_options=options,
                        pool=pool)
    who = f", {len(exam.copies)} named copies" if exam.copies else ""
    click.echo(f"built {exam.exam_id}: {len(exam.question_ids)} questions, {exam.total_points} points, "
               f"forms {', '.join(f.name for f in exam.forms)}{who}")
    from generator.exam_folder import owned_files

    for name in sorted(owned_files(target)):
        click.echo(f"  {display_path(target / name)}")


def _say_rendering(step: str) -> None:
    click.echo(f"  rendering {step}…", err=True)


def _print_dry_run(exam: "Exam", selection: "Selection", rows: list[tuple[str, int | float, int | float]]) -> None:
    form = exam.forms[0]
    click.echo(f"{exam.exam_id}: {len(exam.question_ids)} questions from {selection.candidates} eligible "
               f"({selection.excluded_recent} excluded as recently used), {exam.total_points} points")
    table = [(item.number, item.question.id, item.question.type.value, item.question.topic,
              item.question.difficulty, item.points, item.answer_label if item.answer else "")
             for item in form.items]
    click.echo(format_table(["no", "id", "type", "topic", "diff", "pts", f"key {form.name}"], table, right=(0, 4, 5)))
    click.echo("")
    click.echo(format_table(["constraint", "required", "selected", ""],
                            [(name, want, got, "ok" if want == got else "NOT MET") for name, want, got in rows],
                            right=(1, 2)))
    for other in exam.forms:
        key = "".join(CIRCLED[a - 1] for a in other.mcq_key)
        click.echo(f"form {other.name} MCQ key: {key}")


@cli.command()
@click.argument("manifest_path", metavar="MANIFEST", type=click.Path(dir_okay=False, path_type=Path))
@bank_option
def render(manifest_path: Path, bank_dir: Path) -> None:
    """Re-render an exam from its manifest.json (e.g. after fixing a typo in the bank)."""
    from generator.assemble.manifest import exam_from_manifest, read_manifest
    from generator.build import write_outputs

    data = read_manifest(manifest_path)
    bank = load_bank(bank_dir)
    exam = exam_from_manifest(data, bank, display_path(manifest_path))
    if data["bank"]["content_hash"] != bank.content_hash:
        click.echo("note: the bank changed since this exam was built; rendering with its current text", err=True)
    target = manifest_path.resolve().parent
    write_outputs(exam, target, _say_rendering)
    click.echo(f"re-rendered {exam.exam_id} into {display_path(target)}")


@cli.command()
@click.argument("exam_dir", metavar="EXAM_DIR", type=click.Path(file_okay=False, path_type=Path))
@bank_option
@click.option("--responses", type=click.Path(dir_okay=False, path_type=Path),
              help="A typed responses sheet (.xlsx/.csv) instead of EXAM_DIR/scans/responses.csv.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="Class roster (수험번호, 성명).")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a responses sheet (.xlsx) to type answers into, then stop.")
@click.option("--rows", type=click.IntRange(1, 2000), default=40, show_default=True,
              help="Blank lines in --template when there is no roster.")
@click.option("--key", "key_source", type=click.Choice(["manifest", "bank"]), default="manifest", show_default=True,
              help="Grade MCQs with the printed key, or with the bank's current (corrected) key.")
def grade(exam_dir: Path, bank_dir: Path, responses: Path | None, roster: Path | None, template: Path | None,
          rows: int, key_source: str) -> None:
    """Score responses; write results/ (scores, 성적표, class report, item analysis) and the bank statistics."""
    from generator.grade.cli_text import grade_command

    grade_command(exam_dir, bank_dir, responses, roster, template, rows, key_source == "bank", click.echo)


# ---------------------------------------------------------------- scanning


@cli.command("scan")
@click.argument("exam_dir", metavar="EXAM_DIR", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("inputs", metavar="SCAN...", nargs=-1, required=True, type=click.Path(path_type=Path))
def scan_command(exam_dir: Path, inputs: tuple[Path, ...]) -> None:
    """Read scanned answer sheets (PDF, TIFF, PNG, JPEG or folders) into EXAM_DIR/scans/responses.csv."""
    from generator.scan.run import scan

    summary = scan(exam_dir, list(inputs), progress=lambda step: click.echo(f"  {step}…", err=True))
    click.echo(f"{summary.pages} pages: {summary.read} read, {summary.duplicates} replaced by a rescan, "
               f"{summary.rejected} rejected; {summary.sheets} answer sheets; {summary.review} items to review")
    for path in summary.outputs:
        click.echo(f"  {display_path(path)}")


# ---------------------------------------------------------------- benchmarks


@cli.group()
def bench() -> None:
    """Performance measurements (not tests): validation, assembly and complete builds."""


@bench.command("validate")
@click.option("--count", default=10_000, show_default=True, help="Synthetic questions in the bank.")
def bench_validate_command(count: int) -> None:
    """Time `mockexam validate` on a synthetic bank (target <= 3 s for 10,000 questions)."""
    from generator.bench import bench_validate

    bench_validate(count, report=click.echo)


@bench.command("preview")
@click.argument("blueprint_path", metavar="[BLUEPRINT]", required=False, type=click.Path(dir_okay=False, path_type=Path))
@bank_option
@click.option("--saves", default=10, show_default=True, help="File saves to time.")
def bench_preview_command(blueprint_path: Path | None, bank_dir: Path, saves: int) -> None:
    """Time from saving a question file to the preview's push (on a copy of the bank)."""
    from generator.preview.bench import bench_preview

    bench_preview(bank_dir, blueprint_path, saves, report=click.echo)


@bench.command("assemble")
@click.option("--count", default=100_000, show_default=True, help="Synthetic questions in memory.")
@click.option("--questions", default=40, show_default=True, help="Questions in the exam.")
@click.option("--choices", default=5, show_default=True, type=click.IntRange(2, 5), help="Choices per MCQ.")
def bench_assemble_command(count: int, questions: int, choices: int) -> None:
    """Time selection and 2 forms from a large in-memory bank (target <= 1 s)."""
    from generator.bench import bench_assemble

    bench_assemble(count, questions, report=click.echo, choices=choices)


@bench.command("build")
@click.argument("blueprint_path", metavar="BLUEPRINT", type=click.Path(dir_okay=False, path_type=Path),
                default=Path("bank/blueprints/full-mock.yaml"))
@bank_option
@click.option("--seeds", default=10, show_default=True, help="Builds with seeds 1..N.")
def bench_build_command(blueprint_path: Path, bank_dir: Path, seeds: int) -> None:
    """Time complete builds (booklets, answer sheets, key, HTML) over several seeds."""
    from generator.bench import bench_build

    bench_build(blueprint_path, bank_dir, seeds, report=click.echo)


# ---------------------------------------------------------------- exchange (generator/interop)


@cli.command("import")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@bank_option
@click.option("--topic", help="Leaf for questions whose file gives no topic (or an unknown category).")
@click.option("--map", "mapping", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML: 'topics:' category -> leaf, 'columns:' your header -> ours.")
@click.option("--dry-run", is_flag=True, help="Check everything and list the files; write nothing.")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path),
              help="Write an Excel template (Korean headers, drop-down lists, examples) to this path and stop.")
def import_command(files: tuple[Path, ...], bank_dir: Path, topic: str | None, mapping: Path | None,
                   dry_run: bool, template: Path | None) -> None:
    """Import questions from Excel (.xlsx), CSV, GIFT (.gift/.txt), Moodle XML (.xml) or QTI (.zip): all or
    nothing, never overwriting (docs/interop.md)."""
    if template is not None:
        from generator.interop.template import write_template

        taxonomy = load_taxonomy(bank_dir.resolve()) if (bank_dir / "topics.yaml").is_file() else None
        write_template(template, taxonomy)
        click.echo(f"wrote {display_path(template)}: fill in one question per row, then "
                   f"`mockexam import {display_path(template)}`")
        return
    if not files:
        raise click.UsageError("name at least one FILE to import (or --template PATH)")
    from generator.interop.importer import import_files

    result = import_files(list(files), bank_dir, topic, mapping, dry_run)
    verb = "would write" if dry_run else "wrote"
    for item in result.planned:
        click.echo(f"  {verb} {display_path(item.path)}  ({item.draft.where})")
    click.echo(f"{verb} {len(result.planned)} question file(s) into {display_path(bank_dir)}")
    for source, losses in result.losses.items():
        for line in losses.lines():
            click.echo(f"note: {source}: not carried: {line}", err=True)


@cli.command("export")
@click.argument("exam_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@bank_option
@click.option("--format", "fmt", required=True, help="hwpx, docx, moodle-xml, gift, qti or xlsx (or a build output).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option("--type", "kind", type=click.Choice([t.value for t in QuestionType]), help="Without EXAM_DIR: type.")
@click.option("--topic", help="Without EXAM_DIR: a leaf or an area.")
@click.option("--difficulty", callback=_difficulties, help="Without EXAM_DIR: level, list or range.")
@click.option("--tag", help="Without EXAM_DIR: only questions with this tag.")
@click.option("--search", help="Without EXAM_DIR: text to find.")
def export_command(exam_dir: Path | None, bank_dir: Path, fmt: str, out: Path, kind: str | None,
                   topic: str | None, difficulty: frozenset[int] | None, tag: str | None, search: str | None) -> None:
    """Export a built exam (EXAM_DIR) or bank questions (filters as in `list`) for 한글, Moodle, Canvas."""
    from generator.interop.export import export

    if exam_dir is not None and any(v is not None for v in (kind, topic, difficulty, tag, search)):
        raise click.UsageError("--type/--topic/--difficulty/--tag/--search select bank questions; "
                               "an EXAM_DIR is exported whole")
    bank = load_bank(bank_dir)
    where = None
    if exam_dir is None:
        _check_topic(bank, topic)
        where = query.QuestionFilter(QuestionType(kind) if kind else None, topic, difficulty, tag, search)
    written, notes = export(bank, exam_dir, where, fmt, out)
    for note in notes:
        click.echo(note, err=True)
    for path in written:
        click.echo(f"wrote {display_path(path)}")


@bench.command("import")
@click.option("--count", default=100, show_default=True, help="Questions in the synthetic .xlsx.")
def bench_import_command(count: int) -> None:
    """Time `mockexam import` of an .xlsx (target <= 2 s for 100 questions, validation included)."""
    from generator.interop.bench_import import bench_import

    bench_import(count, report=click.echo)

@bench.command("copies")
@click.option("--n", "count", type=click.IntRange(11, 100_000), default=100, show_default=True,
              help="Named copies (students in a synthetic roster).")
@click.option("--order", type=click.Choice(["student", "form"]), default="student", show_default=True)
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--amc/--no-amc", default=True, show_default=True,
              help="Also time Auto Multiple Choice on the same job when it is installed.")
def bench_copies_command(count: int, order: str, jobs: int, amc: bool) -> None:
    """Time N named copies of a 40-question MCQ exam (target <= 10 s for 100; <= 50 ms per extra copy)."""
    from generator.bench_copies import bench_copies

    bench_copies(count, order, jobs, report=click.echo, amc=amc)


@bench.command("grade")
@click.option("--students", default=300, show_default=True)
@click.option("--questions", default=40, show_default=True)
def bench_grade_command(students: int, questions: int) -> None:
    """Time grading with every report (target: 300 students x 40 questions <= 10 s)."""
    from generator.grade.bench import bench_grade

    bench_grade(students, questions, report=click.echo)


@bench.command("scan")
@click.option("--students", default=20, show_default=True, help="Simulated students per degraded set.")
@click.option("--pages", "speed_pages", default=100, show_default=True, help="Pages of the 300 dpi speed test.")
@click.option("--seed", default=1, show_default=True)
def bench_scan_command(students: int, speed_pages: int, seed: int) -> None:
    """Read synthetic scans (clean, scanner, copier, phone): accuracy, review share and speed."""
    from generator.scan.bench import bench_scan

    if not bench_scan(students, speed_pages, seed, report=click.echo):
        sys.exit(1)
