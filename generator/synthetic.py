"""Synthetic banks for benchmarks and property tests: valid questions with seeded random metadata."""

from __future__ import annotations

import random
from pathlib import Path

from generator.bank.frontmatter import Body
from generator.bank.loader import QUESTIONS_DIR, TOPICS_FILE
from generator.bank.model import AnyMeta, Question
from generator.bank.schema import EssayMeta, McqMeta, QuestionType, ShortMeta
from generator.paths import PROJECT_ROOT

DEFAULT_TOPICS = PROJECT_ROOT / "bank" / TOPICS_FILE
TYPE_WEIGHTS = {QuestionType.MCQ: 0.7, QuestionType.SHORT: 0.2, QuestionType.ESSAY: 0.1}


def synthetic_question(index: int, kind: QuestionType, topic: str, difficulty: int, rng: random.Random,
                       group: str | None = None, shuffle_choices: bool = True, choices: int = 5) -> Question:
    """One valid in-memory question (no file); an MCQ has ``choices`` choices (2–5)."""
    qid = f"syn-{index:06d}"
    common = {"id": qid, "type": kind, "topic": topic, "difficulty": difficulty, "group": group}
    meta: AnyMeta
    if kind is QuestionType.MCQ:
        texts = [f"{qid} 선택지 {n} {'가나다라마'[n - 1]}" for n in range(1, choices + 1)]
        meta = McqMeta.model_validate({**common, "points": 3, "choices": texts, "answer": rng.randint(1, choices),
                                       "shuffle_choices": shuffle_choices})
    elif kind is QuestionType.SHORT:
        meta = ShortMeta.model_validate({**common, "points": 4, "answers": [f"정답{index}", f"answer-{index}"]})
    else:
        meta = EssayMeta.model_validate({**common, "points": 10, "rubric": [{"point": "핵심 개념", "score": 6},
                                                                           {"point": "예시", "score": 4}]})
    body = Body(stem=f"합성 문항 {index}: 다음 설명에 해당하는 것은?", explanation="해설입니다.",
                model_answer="모범답안입니다." if kind is QuestionType.ESSAY else None)
    return Question(meta=meta, body=body, path=Path(f"/synthetic/{qid}.md"))


def synthetic_questions(count: int, leaves: list[str], seed: int = 0, group_every: int = 0,
                        choices: int = 5) -> list[Question]:
    """``count`` questions spread at random over types, leaves and difficulties.

    With ``group_every`` = k, every k consecutive questions of a leaf share a concept group; MCQs have
    ``choices`` choices.
    """
    rng = random.Random(seed)
    kinds = list(TYPE_WEIGHTS)
    weights = list(TYPE_WEIGHTS.values())
    questions = []
    for index in range(count):
        kind = rng.choices(kinds, weights)[0]
        topic = rng.choice(leaves)
        group = f"g-{index // group_every}" if group_every else None
        questions.append(synthetic_question(index, kind, topic, rng.randint(1, 5), rng, group, choices=choices))
    return questions


def _file_text(question: Question) -> str:
    meta = question.meta
    lines = ["---", f"id: {meta.id}", f"type: {meta.type}", f"topic: {meta.topic}",
             f"difficulty: {meta.difficulty}", f"points: {meta.points}", "tags: [synthetic]"]
    if isinstance(meta, McqMeta):
        lines += ["choices:", *(f"  - {choice}" for choice in meta.choices), f"answer: {meta.answer}"]
    elif isinstance(meta, ShortMeta):
        lines += [f"answers: [{', '.join(meta.answers)}]"]
    elif isinstance(meta, EssayMeta):
        lines += ["rubric:", *(f'  - {{point: "{item.point}", score: {item.score}}}' for item in meta.rubric)]
    lines += ["---", question.body.stem, "", "## 해설", question.body.explanation or ""]
    if question.body.model_answer:
        lines += ["", "## 모범답안", question.body.model_answer]
    return "\n".join(lines) + "\n"


def write_synthetic_bank(root: Path, count: int, seed: int = 0) -> Path:
    """A bank folder of ``count`` valid question files, using the default taxonomy."""
    import yaml

    (root / QUESTIONS_DIR).mkdir(parents=True, exist_ok=True)
    topics_text = DEFAULT_TOPICS.read_text(encoding="utf-8")
    (root / TOPICS_FILE).write_text(topics_text, encoding="utf-8")
    areas = yaml.safe_load(topics_text)
    leaves = [f"{area}.{leaf}" for area, spec in areas.items() for leaf in spec["leaves"]]
    for question in synthetic_questions(count, leaves, seed):
        folder = root / QUESTIONS_DIR / question.area
        folder.mkdir(exist_ok=True)
        (folder / f"{question.id}.md").write_text(_file_text(question), encoding="utf-8")
    return root
