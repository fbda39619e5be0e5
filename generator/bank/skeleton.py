"""Commented skeleton files for ``mockexam new``."""

from __future__ import annotations

import re
from pathlib import Path

from generator.bank.loader import QUESTIONS_DIR, question_files
from generator.bank.schema import QuestionType

PLACEHOLDER = "TODO"
_ID_LINE = re.compile(r"^id:\s*['\"]?([a-z0-9-]+)", re.MULTILINE)

_COMMON = """\
---
id: {id}            # unique and stable: never reuse or change it once exams were built
type: {type}
topic: {topic}      # a leaf of topics.yaml (area.leaf)
difficulty: 3       # 1 쉬움, 2 조금 쉬움, 3 보통, 4 조금 어려움, 5 어려움
points: {points}
tags: []            # e.g. [cnn, pooling]
# group: my-concept  # questions asking the same thing share a group (never two in one exam)
# source: 003_91ec5fb3c071f876.txt:20   # seed FILE:LINE, when derived from a seed
"""

_TYPE_PART = {
    QuestionType.MCQ: """\
choices:            # 2-5 choices; inline Markdown and $math$ allowed
  - {todo} 첫 번째 선택지
  - {todo} 두 번째 선택지
  - {todo} 세 번째 선택지
  - {todo} 네 번째 선택지
  - {todo} 다섯 번째 선택지
answer: 1           # 1-based number of the correct choice
# shuffle_choices: false   # keep this order on every form (ㄱ/ㄴ/ㄷ sets, ordered numbers)
---
{todo} 문제를 쓰세요. (예: …에 대한 설명으로 옳은 것은?)

## 해설
{todo} 정답인 이유와 오답 선택지가 틀린 이유를 쓰세요.
""",
    QuestionType.SHORT: """\
answers:            # every accepted answer: Korean, English, abbreviation
  - {todo}
---
{todo} 다음 설명에 해당하는 용어를 쓰시오.

## 해설
{todo} 해설을 쓰세요.
""",
    QuestionType.ESSAY: """\
rubric:             # scoring points; scores add up to points
  - {{point: "{todo} 채점 요소 1", score: 4}}
  - {{point: "{todo} 채점 요소 2", score: 3}}
  - {{point: "{todo} 채점 요소 3", score: 3}}
---
{todo} 서술형 문제를 쓰세요. (예: …을 설명하시오.)

## 모범답안
{todo} 모범답안을 쓰세요. 소제목은 ###부터 씁니다.
""",
}

DEFAULT_POINTS = {QuestionType.MCQ: 3, QuestionType.SHORT: 4, QuestionType.ESSAY: 10}


def existing_ids(root: Path) -> set[str]:
    """Ids used in the bank, read cheaply (works while other files are still invalid)."""
    ids = set()
    for path in question_files(root):
        ids.add(path.stem)
        match = _ID_LINE.search(path.read_text(encoding="utf-8", errors="replace"))
        if match:
            ids.add(match.group(1))
    return ids


def fresh_id(topic: str, kind: QuestionType, taken: set[str]) -> str:
    """``<leaf>-<type>-NNN`` with the smallest number not taken."""
    leaf = topic.split(".")[-1]
    number = 1
    while f"{leaf}-{kind.value}-{number:03d}" in taken:
        number += 1
    return f"{leaf}-{kind.value}-{number:03d}"


def skeleton(question_id: str, kind: QuestionType, topic: str) -> str:
    """The text of a new, valid question file with comments and TODO markers."""
    head = _COMMON.format(id=question_id, type=kind.value, topic=topic, points=DEFAULT_POINTS[kind])
    return head + _TYPE_PART[kind].format(todo=PLACEHOLDER)


def skeleton_path(root: Path, topic: str, question_id: str) -> Path:
    return root / QUESTIONS_DIR / topic.split(".")[0] / f"{question_id}.md"
