"""Load a bank folder into validated questions, collecting every problem of the run."""

from __future__ import annotations

import hashlib
import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import yaml
from pydantic import ValidationError

from generator.bank import checks, frontmatter
from generator.bank.frontmatter import FileProblem
from generator.bank.model import Bank, Question, Taxonomy
from generator.bank.schema import ALL_KEYS, CIRCLED, MAX_POINTS, META_ADAPTER, META_MODELS
from generator.bank.topics import TaxonomyProblems, parse_taxonomy
from generator.problems import Problem, UserError, closest, did_you_mean, display_path

TOPICS_FILE = "topics.yaml"
QUESTIONS_DIR = "questions"
BLUEPRINTS_DIR = "blueprints"


def bank_of_blueprint(blueprint: Path) -> Path | None:
    """The bank holding ``blueprint`` (``BANK/blueprints/x.yaml``), if its folder has a topics.yaml."""
    folder = blueprint.resolve().parent
    if folder.name == BLUEPRINTS_DIR and (folder.parent / TOPICS_FILE).is_file():
        return folder.parent
    return None


def question_files(root: Path) -> list[Path]:
    """Every question file of a bank, in a stable order."""
    return scan_questions(root)[0]


def scan_questions(root: Path) -> tuple[list[Path], list[Path]]:
    """(question files, ``*.md`` entries that are not regular files: FIFOs, devices, broken links)."""
    files, skipped = [], []
    for path in (root / QUESTIONS_DIR).rglob("*.md"):
        if path.name.lower() == "readme.md":
            continue
        if path.is_file():
            files.append(path)
        elif not path.is_dir():  # reading a FIFO would block forever
            skipped.append(path)
    return sorted(files, key=str), sorted(skipped, key=str)


_NOT_BANK = frozenset({"node_modules", "output", "__pycache__"})
_LOOKS_LIKE_QUESTION = re.compile(rb"^(?:id|type|topic|choices|answers?)[ \t]*:", re.MULTILINE)


def misplaced_questions(root: Path, depth: int = 3) -> list[Path]:
    """Question-like ``*.md`` files outside ``questions/`` (at the bank root, in blueprints/, …): never loaded."""
    found = []
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        level = len(here.relative_to(root).parts)
        subfolders[:] = [] if level >= depth else sorted(
            name for name in subfolders
            if not name.startswith(".") and name not in _NOT_BANK and (level or name != QUESTIONS_DIR))
        for name in sorted(names):
            path = here / name
            if not name.lower().endswith(".md") or name.lower() == "readme.md" or not path.is_file():
                continue
            try:
                with path.open("rb") as handle:
                    head = handle.read(2048)
            except OSError:
                continue
            if head.lstrip(b"\xef\xbb\xbf").startswith(b"---") and _LOOKS_LIKE_QUESTION.search(head):
                found.append(path)
    return found


def load_taxonomy(root: Path) -> Taxonomy:
    """Read ``topics.yaml``; raises UserError naming file and line."""
    path = root / TOPICS_FILE
    if not path.is_file():
        raise UserError(f"no {TOPICS_FILE} in the bank folder {display_path(root)} (pass --bank DIR, or start a "
                        "bank with `mockexam init DIR`)")
    shown = display_path(path)
    try:
        return parse_taxonomy(frontmatter.decode(path.read_bytes()))
    except FileProblem as problem:
        raise UserError([Problem(shown, problem.line, problem.field, problem.message)]) from None
    except TaxonomyProblems as error:
        raise UserError([Problem(shown, p.line, p.field, p.message) for p in error.problems]) from None


def load_bank(root: Path) -> Bank:
    """Load and validate every question under ``root``; raises UserError listing all problems."""
    root = root.resolve()
    if not root.is_dir():
        raise UserError(f"bank folder not found: {display_path(root)} (pass --bank DIR)")
    taxonomy = load_taxonomy(root)
    digest = hashlib.sha256((root / TOPICS_FILE).read_bytes())
    questions: list[Question] = []
    problems: list[Problem] = []
    first_seen: dict[str, Path] = {}
    files, skipped = scan_questions(root)
    notices = [Problem(display_path(path), 1, "file", "skipped: not a regular file (a FIFO, device or broken "
                       "link named *.md)") for path in skipped]
    for path in misplaced_questions(root):
        problems.append(Problem(display_path(path), 1, "file", f"a question file outside {QUESTIONS_DIR}/ is never "
                                f"used: move it to {QUESTIONS_DIR}/<area>/ (e.g. {QUESTIONS_DIR}/"
                                f"{next(iter(taxonomy.areas), 'area')}/{path.name})"))
    prefix = len(str(root)) + 1  # relative paths by slicing: Path.relative_to is slow for 10,000 files
    for path, file_hash, question, file_problems in _load_files(files, taxonomy, root):
        digest.update(str(path)[prefix:].replace("\\", "/").encode() + b"\0" + file_hash + b"\0")
        if file_problems:
            shown = display_path(path)  # resolving paths is slow: only for files with problems
            problems += [Problem(shown, p.line, p.field, p.message) for p in file_problems]
        if question is None:
            continue
        if question.id in first_seen:
            other = first_seen[question.id]
            id_line, other_line = _id_line(path), _id_line(other)
            problems.append(
                Problem(
                    display_path(path),
                    id_line,
                    "id",
                    f"id '{question.id}' is already used by {display_path(other)}:{other_line}; "
                    "ids must be unique across the bank",
                )
            )
            continue
        first_seen[question.id] = path
        questions.append(question)
    if problems:
        raise UserError(sorted(problems))
    return Bank(root=root, taxonomy=taxonomy, questions=tuple(questions), content_hash=digest.hexdigest(),
                notices=tuple(notices))


_Loaded = tuple[Path, bytes, "Question | None", "list[FileProblem]"]
PARALLEL_FROM = 1500  # files; below this a process pool costs more than it saves


def _load_files(paths: list[Path], taxonomy: Taxonomy, root: Path) -> Iterator[_Loaded]:
    """Load files in order, on every core for large banks (YAML parsing dominates)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2:
        yield from _load_chunk(paths, taxonomy, root)
        return
    size = -(-len(paths) // (workers * 4))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    with ProcessPoolExecutor(workers) as pool:
        for loaded in pool.map(_load_chunk, chunks, [taxonomy] * len(chunks), [root] * len(chunks)):
            yield from loaded


def _load_chunk(paths: list[Path], taxonomy: Taxonomy, root: Path) -> list[_Loaded]:
    loaded: list[_Loaded] = []
    for path in paths:
        with path.open("rb") as handle:
            too_large = os.fstat(handle.fileno()).st_size > checks.MAX_FILE_BYTES
            raw = b"" if too_large else handle.read()  # a huge file is never read
        if too_large:
            problem = FileProblem(1, "file", f"the file is larger than {checks.MAX_FILE_BYTES // 1_000_000} MB, the "
                                  "limit for a question file: keep one question per file and put images in "
                                  "their own files")
            loaded.append((path, hashlib.sha256(raw).digest(), None, [problem]))
            continue
        loaded.append((path, hashlib.sha256(raw).digest(), *_load_file(path, raw, taxonomy, root)))
    return loaded


def _id_line(path: Path) -> int:
    text = frontmatter.decode(path.read_bytes())
    return frontmatter.top_level_key_lines(text, 1).get("id", 1)


def _load_file(path: Path, raw: bytes, taxonomy: Taxonomy, root: Path) -> tuple[Question | None, list[FileProblem]]:
    """One file -> (question or None, its problems)."""
    try:
        text = frontmatter.decode(raw)
        control = checks.control_characters(text)
        if control:  # they also break YAML: one message about the cause
            return None, control
        parts = frontmatter.split(text)
        duplicates = frontmatter.duplicate_top_level_keys(parts.front_matter, parts.front_matter_line)
        data = frontmatter.parse_yaml(parts.front_matter, parts.front_matter_line, scalars_as_text=True)
    except FileProblem as problem:
        return None, [problem]

    def line_of(loc: tuple[Any, ...]) -> int:  # only called for problems: scanning lines costs time
        if len(loc) > 1:
            nested = frontmatter.locate(parts.front_matter, parts.front_matter_line, loc)
            if nested is not None:
                return nested
        key_lines = frontmatter.top_level_key_lines(parts.front_matter, parts.front_matter_line)
        return key_lines.get(str(loc[0]), parts.front_matter_line) if loc else parts.front_matter_line

    problems: list[FileProblem] = list(duplicates)
    meta = None
    try:
        meta = META_ADAPTER.validate_python(data)
    except ValidationError as error:
        problems += [FileProblem(line_of(loc), field, message) for loc, field, message in _explain(error, data)]
    except RecursionError:
        return None, [FileProblem(parts.front_matter_line, "front matter", "YAML is nested too deeply: write flat "
                                  "'key: value' lines and simple lists")]
    if meta is not None and meta.topic not in taxonomy.leaves:
        problems.append(FileProblem(line_of(("topic",)), "topic", _topic_message(meta.topic, taxonomy)))

    body, body_problems = frontmatter.parse_body(parts.body, parts.body_line)
    problems += body_problems
    if not body.stem:
        problems.append(FileProblem(parts.body_line, "body", "the question text is empty: write it after the front matter"))
    kind = data.get("type")
    if kind == "essay" and body.model_answer is None:
        problems.append(FileProblem(parts.body_line, "body", "essay has no '## 모범답안' section: add the model answer"))
    if kind in ("mcq", "short") and body.model_answer is not None:
        key = "answer" if kind == "mcq" else "answers"
        problems.append(FileProblem(parts.body_line, "body", f"'## 모범답안' is only for essays; a {kind} question "
                                    f"keeps its key in {key}: and explains it in '## 해설'"))
    problems += checks.todo_markers(text)
    choices = data.get("choices")
    inline = [c for c in choices if isinstance(c, str)] if isinstance(choices, list) else []
    problems += checks.media_problems(text, body, inline, path, root)
    if problems or meta is None:
        return None, problems
    return Question(meta=meta, body=body, path=path), []


def _explain(error: ValidationError, data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str, str]]:
    """Pydantic errors as (location, field, actionable message)."""
    kind = data.get("type")
    errors = [(item, tuple(item["loc"][1:] if item["loc"] and item["loc"][0] in META_MODELS else item["loc"]))
              for item in error.errors()]
    misspelled = {  # a typo'd key also makes its real key "missing": report the typo only
        closest(str(loc[0]), ALL_KEYS)
        for item, loc in errors
        if item["type"] == "extra_forbidden" and len(loc) == 1
    }
    explained: list[tuple[tuple[Any, ...], str, str]] = []
    for item, loc in errors:
        if item["type"] == "missing" and len(loc) == 1 and loc[0] in misspelled:
            continue
        kind_error = item["type"]
        if kind_error == "duplicate_choice":  # point at the repeated choice itself
            loc = (*loc, item["ctx"]["number"] - 1)
        field = ".".join(str(part) for part in loc) or "type"
        if kind_error == "union_tag_not_found":
            explained.append((("type",), "type", "missing required key 'type': use mcq, short or essay"))
        elif kind_error == "union_tag_invalid":
            hint = did_you_mean(str(kind), META_MODELS)
            explained.append(
                (("type",), "type", f"unknown type '{kind}'{hint}: use one of mcq, short, essay")
            )
        elif kind_error == "extra_forbidden":
            key = str(loc[-1])
            if len(loc) == 1 and key in ALL_KEYS:
                owners = ", ".join(name for name, model in META_MODELS.items() if key in model.model_fields)
                message = f"key '{key}' does not belong to a {kind} question (it is for: {owners})"
            else:
                allowed = META_MODELS[kind].model_fields if kind in META_MODELS else ALL_KEYS
                message = f"unknown key '{key}'{did_you_mean(key, allowed)}"
            explained.append((loc, field, message))
        elif kind_error == "missing":
            explained.append((loc[:-1] or loc, field, f"missing required key '{loc[-1]}'{_missing_hint(str(loc[-1]))}"))
        elif loc and loc[0] in _NUMBER_KEYS and len(loc) == 1 or loc[-1:] == ("score",):
            explained.append((loc, field, _number_message(str(loc[-1]), item)))
        else:
            message = item["msg"].removeprefix("Value error, ")
            if kind_error == "string_pattern_mismatch":
                message = _pattern_message(field, item.get("input"))
            elif kind_error == "string_type":
                message = _not_text_message(item.get("input"))
            explained.append((loc, field, message))
    return explained


_MISSING_HINTS = {
    "choices": ": list the choices (`choices:` then one `- …` line per choice)",
    "answer": ": the 1-based number of the correct choice",
    "answers": ": list every accepted answer, e.g. [교차 검증, Cross-validation]",
    "rubric": ": list the scoring points, e.g. - {point: \"…\", score: 3}",
    "topic": ": a leaf of topics.yaml such as model.training",
    "difficulty": ": 1 (쉬움) to 5 (어려움)",
    "points": ": a positive whole number",
}


_NUMBER_KEYS = ("answer", "points", "difficulty")
_NUMBER_FORMS = {
    "answer": "the number of the correct choice, counted from 1 (answer: 3)",
    "points": f"a number greater than 0 and at most {MAX_POINTS}, decimals allowed (points: 3 or 2.5)",
    "score": f"a number greater than 0 and at most {MAX_POINTS} (score: 4 or 2.5)",
    "difficulty": "a whole number from 1 (쉬움) to 5 (어려움)",
}


def _number_message(key: str, item: Any) -> str:
    """Plain messages for the number keys, with the usual slips named (③, 0, [2, 4], 3번)."""
    value, kind = item.get("input"), item["type"]
    if kind in ("points_decimals", "value_error"):
        return str(item["msg"]).removeprefix("Value error, ")
    if kind in ("less_than_equal", "less_than"):
        return f"{value} is too large: expected {_NUMBER_FORMS[key]}"
    text = str(value).strip() if isinstance(value, str) else ""
    if key == "answer":
        if text and text[0] in CIRCLED:
            return f"write the number {CIRCLED.index(text[0]) + 1}, not {text[0]}: answer: {CIRCLED.index(text[0]) + 1}"
        if isinstance(value, list):
            shown = ", ".join(map(str, value))
            return (f"an MCQ has exactly one correct answer, not [{shown}]: write one number (answer: "
                    f"{value[0] if value else 1}); for several correct statements ask for the set, with choices "
                    "such as 'ㄱ, ㄴ' in a <보기> question")
        if text.rstrip("번").strip().isdigit() and text != text.rstrip("번"):
            return f"write just the number: answer: {text.rstrip('번').strip()}"
        if text == "0" or kind == "greater_than_equal":
            return "answers count from 1: the first choice is answer: 1"
    if isinstance(value, (list, dict)):
        return f"expected {_NUMBER_FORMS[key]}, not a list or mapping"
    return f"'{value}' is not valid: expected {_NUMBER_FORMS[key]}"


def _missing_hint(key: str) -> str:
    return _MISSING_HINTS.get(key, "")


def _not_text_message(value: object) -> str:
    if isinstance(value, dict):
        return "expected text, but YAML read a 'key: value' mapping: put the text in quotes (\"…\")"
    if isinstance(value, list):
        shown = "[" + ", ".join(map(str, value)) + "]"
        return f"expected text, but YAML read the list {shown}: to mean the text, quote it: - \"{shown}\""
    return f"expected text, but YAML read {type(value).__name__} {value!r}: put it in quotes (\"{value}\")"


def _pattern_message(field: str, value: object) -> str:
    if field == "id" or field.startswith(("tags", "group")):
        return f"'{value}' is not a kebab-case slug: use lowercase ASCII letters, digits and '-' (e.g. cnn-pooling)"
    if field == "topic":
        return f"'{value}' is not a topic: write area.leaf as in topics.yaml (e.g. model.training)"
    if field.startswith("source"):
        return f"'{value}' is not FILE:LINE (e.g. 003_91ec5fb3c071f876.txt:20)"
    return f"'{value}' has the wrong form"


def _topic_message(topic: str, taxonomy: Taxonomy) -> str:
    area = topic.split(".", 1)[0]
    if area in taxonomy.areas:
        leaves = ", ".join(leaf for leaf in taxonomy.leaves if leaf.startswith(area + "."))
        return f"unknown topic '{topic}'{did_you_mean(topic, taxonomy.leaves)}; the leaves of '{area}' are: {leaves}"
    return f"unknown topic '{topic}'{did_you_mean(topic, taxonomy.leaves)}; see {TOPICS_FILE} for the leaves"


def read_yaml_file(path: Path) -> tuple[str, dict[str, Any]]:
    """Text and mapping of a YAML file (blueprints); raises UserError with file and line."""
    shown = display_path(path)
    if not path.is_file():
        raise UserError(f"file not found: {shown}")
    try:
        text = frontmatter.decode(path.read_bytes())
        data = frontmatter.parse_yaml(text, 1)
        duplicates = frontmatter.duplicate_keys(text, 1)
        if duplicates:
            raise UserError([Problem(shown, p.line, p.field, p.message) for p in duplicates])
        return text, data
    except FileProblem as problem:
        raise UserError([Problem(shown, problem.line, problem.field, problem.message)]) from None
    except yaml.YAMLError as error:  # pragma: no cover - parse_yaml converts these
        raise UserError(f"{shown}: {error}") from None
