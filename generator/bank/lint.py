"""Advice beyond validity: near-duplicates, missing 해설, give-away choices, answer spread, glyphs."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from generator import disk_cache
from generator.bank import frontmatter
from generator.bank.glossary import glossary_problems
from generator.bank.leaks import answer_leaks
from generator.bank.lint_cues import giveaway_cues
from generator.bank.model import Bank, Question
from generator.bank.query import searchable_text
from generator.bank.schema import CIRCLED, McqMeta, ShortMeta
from generator.paths import FONTS_DIR
from generator.problems import Problem, display_path
from generator.render.code import BOOKLET_CODE, MIN_SCALE, overlong_lines
from generator.render.mathtext import hangul_left_in_math

NEAR_DUPLICATE_SIMILARITY = 0.5
CHOICE_LENGTH_RATIO = 2.5  # longest / shortest choice
ANSWER_SHARE_RANGE = (0.15, 0.25)
PINNED_SHARE_MAX = 0.3  # of the pinned MCQs' answers on one position
PINNED_NOTE_FROM = 10  # pinned MCQs before their spread is worth a note
_MARKUP = re.compile(r"[\s`*_#>|$\\{}\[\]()~\-.,:;!?\"'“”‘’·/]+")
_NUMBERED_CHOICE = re.compile(r"(?<![\d.])[1-5]\s*번(?!째)")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.DOTALL)


@dataclass(frozen=True)
class LintReport:
    warnings: list[Problem]  # per file, with line
    notes: list[str]  # about the bank as a whole

    @property
    def count(self) -> int:
        return len(self.warnings) + len(self.notes)


def lint(bank: Bank, similarity: float = NEAR_DUPLICATE_SIMILARITY) -> LintReport:
    warnings: list[Problem] = []
    warnings += near_duplicates(bank.questions, similarity)
    for question in bank.questions:
        warnings += _question_warnings(question)
    warnings += unprintable_characters(bank.questions)
    warnings += answer_leaks(bank.questions)
    cue_warnings, cue_notes = giveaway_cues(bank.questions)
    warnings += cue_warnings + glossary_problems(bank.root, bank.questions)
    warnings += code_line_warnings(bank.questions)
    from generator.grade.stats_lint import observed_warnings  # advice from graded exams, if any

    warnings += observed_warnings(bank)
    notes = answer_spread(bank.questions) + cue_notes
    return LintReport(sorted(warnings), notes)


def lint_questions(bank: Bank, ids: Iterable[str], similarity: float = NEAR_DUPLICATE_SIMILARITY) -> list[Problem]:
    """The per-question warnings of ``ids`` (e.g. an exam's selection), near-duplicates among them included."""
    chosen = [bank.by_id[qid] for qid in ids if qid in bank.by_id]
    warnings = near_duplicates(chosen, similarity)
    for question in chosen:
        warnings += _question_warnings(question)
    warnings += unprintable_characters(chosen)
    return sorted(warnings)


def _line_of(question: Question, key: str) -> int:
    """File line of a front-matter key or (for '## ' titles) a body section."""
    text = question.path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    if key.startswith("## "):
        for number, line in enumerate(text.split("\n"), 1):
            if line.replace(" ", "") == key.replace(" ", ""):
                return number
        return 1
    return frontmatter.top_level_key_lines(text, 1).get(key, 1)


def _warn(question: Question, key: str, field: str, message: str) -> Problem:
    return Problem(display_path(question.path), _line_of(question, key), field, message)


def _question_warnings(question: Question) -> list[Problem]:
    found = []
    meta = question.meta
    if question.path.stem != question.id:
        found.append(_warn(question, "id", "id", f"file name differs from id: rename the file to {question.id}.md"))
    if isinstance(meta, McqMeta):
        if question.body.explanation is None:
            found.append(_warn(question, "answer", "해설", "MCQ without '## 해설': explain why the answer is right"))
        found += _choice_length_warnings(question, meta)
        if meta.shuffle_choices and _NUMBERED_CHOICE.search(question.body.explanation or ""):
            found.append(_warn(question, "## 해설", "해설",
                               "refers to a choice as 'N번': write ①–⑤ instead, which follow the shuffled choices"))
    if isinstance(meta, ShortMeta) and question.body.explanation is None:
        found.append(_warn(question, "answers", "해설", "short answer without '## 해설'"))
    return found


def _choice_length_warnings(question: Question, meta: McqMeta) -> list[Problem]:
    lengths = [len(_MARKUP.sub("", choice)) or 1 for choice in meta.choices]
    if len(set(lengths)) == 1 or max(lengths) < 8:  # short labels (ㄱ, ㄴ / numbers) are fine
        return []
    correct = lengths[meta.answer - 1]
    others = [n for i, n in enumerate(lengths) if i != meta.answer - 1]
    if correct > 1.5 * max(others):
        return [_warn(question, "choices", "choices", "the correct choice is by far the longest: a give-away")]
    if max(lengths) > CHOICE_LENGTH_RATIO * min(lengths):
        return [
            _warn(
                question,
                "choices",
                "choices",
                f"choice lengths are very unequal ({min(lengths)}–{max(lengths)} characters): "
                "make the distractors as long and specific as the answer",
            )
        ]
    return []


def _shingles(text: str, size: int = 2) -> set[str]:
    flat = _MARKUP.sub("", text).casefold()
    return {flat[i : i + size] for i in range(max(1, len(flat) - size + 1))}


def _comparable_text(question: Question) -> str:
    meta = question.meta
    extra = list(getattr(meta, "choices", ())) + list(getattr(meta, "answers", ()))
    return "\n".join([question.body.stem, *extra])


def similar_pairs(questions: Iterable[Question], threshold: float) -> list[tuple[Question, Question, float]]:
    """Pairs of questions whose TF-IDF cosine over character bigrams reaches ``threshold``."""
    items = list(questions)
    shingles = [_shingles(_comparable_text(q)) for q in items]
    frequency = Counter(s for sh in shingles for s in sh)
    idf = {s: math.log((1 + len(items)) / (1 + df)) + 1 for s, df in frequency.items()}  # smoothed
    common = max(50, len(items) // 20)  # n-grams in more questions than this carry no identity
    vectors = [{s: idf[s] for s in sh if frequency[s] <= common} for sh in shingles]
    norms = [math.sqrt(sum(w * w for w in v.values())) or 1.0 for v in vectors]
    postings: dict[str, list[int]] = defaultdict(list)
    for index, vector in enumerate(vectors):
        for s in vector:
            postings[s].append(index)
    pairs = []
    for index, vector in enumerate(vectors):
        dots: dict[int, float] = defaultdict(float)
        for s, weight in vector.items():
            for other in postings[s]:
                if other > index:
                    dots[other] += weight * weight
        for other, dot in dots.items():
            score = dot / (norms[index] * norms[other])
            if score >= threshold:
                pairs.append((items[index], items[other], score))
    return pairs


def near_duplicates(questions: Iterable[Question], threshold: float) -> list[Problem]:
    """Near-duplicate pairs not explained by a shared ``group``."""
    found = []
    for first, second, score in similar_pairs(questions, threshold):
        if first.group is not None and first.group == second.group:
            continue
        found.append(
            _warn(
                second,
                "id",
                "duplicate",
                f"near-duplicate of {first.id} ({display_path(first.path)}, similarity {score:.2f}): "
                "merge them, reword one, or give both the same group",
            )
        )
    return found


def answer_spread(questions: Iterable[Question]) -> list[str]:
    """Notes when MCQ answer positions are unevenly spread over the bank, or over its pinned MCQs."""
    mcqs = [q.meta for q in questions if isinstance(q.meta, McqMeta)]
    notes = []
    low, high = ANSWER_SHARE_RANGE
    width = max((len(meta.choices) for meta in mcqs), default=5)
    spread = _share_text(Counter(meta.answer for meta in mcqs), width)
    # compare each position with its fair share: a question with k choices gives 1/k to each of its k
    # positions (4-choice banks have no ⑤); the 15–25 % range is the 5-choice form of that
    fair: dict[int, float] = defaultdict(float)
    for meta in mcqs:
        for position in range(1, len(meta.choices) + 1):
            fair[position] += 1 / len(meta.choices)
    if spread and not all(low * 5 <= spread[1][p] * len(mcqs) / fair[p] <= high * 5 for p in fair):
        aim = f"{low:.0%}–{high:.0%} each" if len(fair) == 5 else \
            f"{low * 5 / len(fair):.0%}–{high * 5 / len(fair):.0%} each"
        notes.append(f"MCQ answer positions are unevenly spread ({spread[0]}); aim for {aim}")
    pinned = _share_text(Counter(meta.answer for meta in mcqs if not meta.shuffle_choices), width)
    if pinned and sum(1 for meta in mcqs if not meta.shuffle_choices) >= PINNED_NOTE_FROM \
            and max(pinned[1].values()) > PINNED_SHARE_MAX:
        notes.append(f"answers of MCQs with shuffle_choices: false pile up ({pinned[0]}): forms cannot move them, "
                     "so exams drawing several of them get an uneven key; vary where the correct value sits")
    return notes


def _share_text(positions: Counter[int], width: int = 5) -> tuple[str, dict[int, float]] | None:
    total = sum(positions.values())
    if total == 0:
        return None
    shares = {p: positions[p] / total for p in range(1, width + 1)}  # ⑤ only when some question has it
    return ", ".join(f"{CIRCLED[p - 1]} {positions[p]} ({share:.0%})" for p, share in shares.items()), shares


@lru_cache(maxsize=1)
def printable_characters(fonts_dir: Path = FONTS_DIR) -> frozenset[int]:
    """Code points covered by the bundled fonts (empty when none are bundled); cached on disk per font files,
    since reading the fonts' character maps takes longer than the rest of a selection's lint."""
    fonts = sorted(fonts_dir.glob("*.[ot]tf"))
    key = tuple((font.name, font.stat().st_size, font.stat().st_mtime_ns) for font in fonts)
    cached = disk_cache.read("font-coverage", *key)
    if cached is not None:
        try:
            return frozenset(_expand_ranges(cached))
        except ValueError:
            pass
    from fontTools.ttLib import TTFont  # WeasyPrint's dependency; imported lazily: it is slow

    covered: set[int] = set()
    for font in fonts:
        covered.update(TTFont(font, lazy=True).getBestCmap())
    disk_cache.write(_ranges(covered), "font-coverage", *key)
    return frozenset(covered)


def _ranges(points: set[int]) -> str:
    """Code points as ``start-end`` hexadecimal ranges."""
    runs: list[list[int]] = []
    for point in sorted(points):
        if runs and runs[-1][1] == point - 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    return ",".join(f"{a:x}-{b:x}" for a, b in runs)


def _expand_ranges(text: str) -> list[int]:
    points: list[int] = []
    for run in filter(None, text.split(",")):
        start, end = run.split("-")
        points.extend(range(int(start, 16), int(end, 16) + 1))
    return points


def unprintable_characters(questions: Sequence[Question]) -> list[Problem]:
    """Characters the text fonts lack, and Hangul inside formulas (the math font has none)."""
    found = []
    for question in questions:
        formulas = [m.group(0) for m in _MATH.finditer(searchable_text(question))]
        korean = [formula for formula in formulas if hangul_left_in_math(formula.strip("$"))]
        if korean:
            found.append(_warn(question, "id", "math", f"Hangul inside math cannot be printed: {korean[0][:40]}; "
                               "write the Korean words outside $…$ or in a \\text{…} at the formula's top level"))
    covered = printable_characters()
    if not covered:
        return found
    for question in questions:
        text = _MATH.sub("", searchable_text(question))  # math is drawn by the math renderer
        missing = sorted({ch for ch in text if ord(ch) not in covered and not ch.isspace()})
        if missing:
            shown = " ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing[:5])
            found.append(_warn(question, "id", "glyphs", f"the bundled fonts cannot print: {shown}"))
    return found


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)")


def code_line_warnings(questions: Sequence[Question]) -> list[Problem]:
    """Code lines in a stem too long for the booklet column even at the smallest code font.

    The booklet prints them broken before a token, with a ↪ mark on the continuation line
    (generator/render/code.py); breaking them by hand reads better.
    """
    found = []
    limit = BOOKLET_CODE.columns(MIN_SCALE)
    for question in questions:
        text = question.path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        lines = text.split("\n")
        start = _body_start(lines)
        fence: str | None = None
        is_code = False
        for number, line in enumerate(lines[start:], start + 1):
            if fence is None:
                if line.startswith("## "):
                    break  # the stem ends at the first section (해설, 모범답안)
                match = _FENCE.match(line)
                if match:
                    fence, is_code = match.group(1), match.group(2) not in ("보기", "<보기>")
                continue
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
                continue
            if not is_code:
                continue
            for _, width in overlong_lines(line):
                found.append(Problem(display_path(question.path), number, "code",
                                     f"code line is {width} columns wide; the booklet fits {limit} and breaks "
                                     "it with a ↪ mark: break the line yourself"))
    return found


def _body_start(lines: list[str]) -> int:
    """Index of the first body line (after the front matter)."""
    if lines and lines[0].strip() == "---":
        for index, line in enumerate(lines[1:], 1):
            if line.strip() == "---":
                return index + 1
    return 0
