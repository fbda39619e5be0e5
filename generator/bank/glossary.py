"""The bank's glossary (``glossary.yaml`` beside ``questions/``): one term per concept, enforced by lint.

Each entry names the preferred term and the spellings to avoid::

    - use: 미세 조정
      avoid: [미세조정]
      note: fine-tuning

A violation is an ``avoid`` spelling anywhere in a question file except the ``answers:`` of a
short answer (accepted answers list variants on purpose). Spellings are matched literally; an
``avoid`` spelling that contains the preferred term (e.g. ``차등`` inside ``차등 프라이버시``) is
matched only where the preferred term does not cover it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import yaml

from generator.bank import frontmatter
from generator.bank.model import Question
from generator.problems import Problem, display_path

GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True)
class Term:
    use: str
    avoid: tuple[str, ...]
    note: str = ""


def load_glossary(bank_root: Path) -> tuple[list[Term], list[Problem]]:
    """The glossary's terms, or problems naming the glossary file's line."""
    path = bank_root / GLOSSARY_FILE
    if not path.is_file():
        return [], []
    shown = display_path(path)
    try:
        node = yaml.compose(frontmatter.decode(path.read_bytes()), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        return [], [Problem(shown, (mark.line + 1) if mark else 1, "glossary", f"invalid YAML: {error.problem}")]
    if node is None:
        return [], []
    if not isinstance(node, yaml.SequenceNode):
        return [], [Problem(shown, 1, "glossary", "write a list of entries '- use: TERM' with 'avoid: [...]'")]
    terms, problems = [], []
    for item in node.value:
        line = item.start_mark.line + 1
        data = yaml.safe_load(yaml.serialize(item)) if isinstance(item, yaml.MappingNode) else None
        use = data.get("use") if isinstance(data, dict) else None
        avoid = data.get("avoid") if isinstance(data, dict) else None
        if isinstance(avoid, str):
            avoid = [avoid]
        if not isinstance(use, str) or not use.strip() or not isinstance(avoid, list) or not avoid \
                or not all(isinstance(a, str) and a.strip() for a in avoid):
            problems.append(Problem(shown, line, "glossary",
                                    "each entry needs 'use: TERM' and 'avoid: [SPELLING, ...]' (non-empty text)"))
            continue
        note = data.get("note") if isinstance(data, dict) else None
        terms.append(Term(use, tuple(avoid), str(note or "")))
    return terms, problems


def _hits(line: str, term: Term, avoid: str) -> bool:
    if avoid not in term.use:
        return avoid in line
    covered: set[int] = set()
    start = line.find(term.use)
    while start >= 0:
        at = start + term.use.find(avoid)
        covered.add(at)
        start = line.find(term.use, start + 1)
    start = line.find(avoid)
    while start >= 0:
        if start not in covered:
            return True
        start = line.find(avoid, start + 1)
    return False


def violations(questions: Sequence[Question], terms: Sequence[Term]) -> list[Problem]:
    """Every avoided spelling in the bank's question files, with its file line."""
    found = []
    for question in questions:
        text = frontmatter.decode(question.path.read_bytes())
        in_answers = False
        for number, line in enumerate(text.split("\n"), 1):
            if number > 1 and line.strip() == "---":
                in_answers = False
            if frontmatter.top_level_key_lines(line, 1):
                in_answers = line.startswith("answers:")
            if in_answers:
                continue
            for term in terms:
                for avoid in term.avoid:
                    if _hits(line, term, avoid):
                        found.append(Problem(display_path(question.path), number, "glossary",
                                             f"'{avoid}': the bank writes '{term.use}' (bank/{GLOSSARY_FILE})"))
    return found


def glossary_problems(bank_root: Path, questions: Sequence[Question]) -> list[Problem]:
    """Lint: glossary file errors, then violations."""
    terms, problems = load_glossary(bank_root)
    return problems + violations(questions, terms)
