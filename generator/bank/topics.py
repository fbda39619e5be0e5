"""``topics.yaml``: the bank's taxonomy of areas and leaf topics, with plain messages for every mistake."""

from __future__ import annotations

import re
from typing import Any

from generator.bank import frontmatter
from generator.bank.frontmatter import FileProblem
from generator.bank.model import Taxonomy
from generator.bank.schema import SLUG_PATTERN, Area
from generator.problems import closest, did_you_mean

_SLUG = re.compile(SLUG_PATTERN)
_AREA_KEYS = ("label", "leaves")
_SHAPE = ("write each area as '<area>:', then indented 'label: <한글 이름>' and 'leaves:', then one "
          "'<leaf>: <한글 이름>' line per leaf, indented further (see 'Topics' in docs/bank-format.md)")


class TaxonomyProblems(Exception):
    def __init__(self, problems: list[FileProblem]) -> None:
        super().__init__("\n".join(p.message for p in problems))
        self.problems = problems


def parse_taxonomy(text: str) -> Taxonomy:
    """The taxonomy in ``text``; raises FileProblem (YAML) or TaxonomyProblems (every mistake, with lines)."""
    data = _read(text)
    problems = frontmatter.duplicate_keys(text, 1)

    def line(*loc: str) -> int:
        return frontmatter.locate(text, 1, loc) or 1

    def slug_problem(slug: str, what: str, *loc: str) -> None:
        if not _SLUG.match(slug):
            problems.append(FileProblem(line(*loc), ".".join(loc), f"{what} '{slug}' is not a slug: use lowercase "
                                        "ASCII letters, digits and '-' (the Korean name goes in the label)"))

    areas: dict[str, Area] = {}
    for area, spec in data.items():
        slug_problem(area, "area", area)
        if not isinstance(spec, dict):
            problems.append(FileProblem(line(area), area, f"area '{area}' needs 'label:' and 'leaves:' under it; "
                                        + _SHAPE))
            continue
        misspelt = set()
        for key in spec:
            if key not in _AREA_KEYS:
                misspelt.add(closest(key, _AREA_KEYS))
                problems.append(FileProblem(line(area, key), f"{area}.{key}", f"unknown key '{key}'"
                                            f"{did_you_mean(key, _AREA_KEYS)}: an area has only label and leaves"))
        label, leaves = spec.get("label"), spec.get("leaves")
        if "leaves" in misspelt and leaves is None:
            continue  # reported as the typo
        if "label" in misspelt and label is None:
            pass
        elif not isinstance(label, str) or not label.strip():
            problems.append(FileProblem(line(area), f"{area}.label", f"area '{area}' needs a label: "
                                        "label: <한글 이름>"))
        if not isinstance(leaves, dict) or not leaves:
            where = line(area, "leaves") if "leaves" in spec else line(area)
            problems.append(FileProblem(where, f"{area}.leaves", _leaves_message(area, leaves)))
            continue
        for leaf, leaf_label in leaves.items():
            slug_problem(leaf, "leaf", area, "leaves", leaf)
            if not isinstance(leaf_label, str) or not leaf_label.strip():
                problems.append(FileProblem(line(area, "leaves", leaf), f"{area}.leaves.{leaf}",
                                            f"leaf '{leaf}' needs its Korean name: {leaf}: <한글 이름>"))
        if not problems:
            areas[area] = Area(label=label, leaves=leaves)  # type: ignore[arg-type]
    if problems:
        raise TaxonomyProblems(sorted(problems, key=lambda p: p.line))
    return Taxonomy(areas)


def _read(text: str) -> dict[str, Any]:
    try:
        data = frontmatter.parse_yaml(text, 1, scalars_as_text=True)
    except FileProblem as problem:
        if "front matter" in problem.message:  # empty or not a mapping
            raise FileProblem(problem.line, "topics", "topics.yaml must list areas; " + _SHAPE) from None
        raise FileProblem(problem.line, "topics", problem.message) from None
    return data


def _leaves_message(area: str, leaves: object) -> str:
    if isinstance(leaves, list):
        return (f"the leaves of '{area}' are a list; write one 'slug: 한글 이름' line per leaf "
                "(e.g. cleaning: 데이터 정제)")
    if leaves is None:
        return f"area '{area}' has no leaves: add 'leaves:' with one 'slug: 한글 이름' line per leaf"
    return f"area '{area}' has no leaves: write one 'slug: 한글 이름' line per leaf under 'leaves:'"
