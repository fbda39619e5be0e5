"""Shared fixtures: small banks written into temporary folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner, Result

from generator.cli import cli

PROJECT = Path(__file__).resolve().parent.parent
TOPICS = PROJECT / "bank" / "topics.yaml"

MCQ = """\
---
id: {id}
type: mcq
topic: {topic}
difficulty: {difficulty}
points: 3
choices:
  - 첫 번째 선택지 {id}
  - 두 번째 선택지 {id}
  - 세 번째 선택지 {id}
  - 네 번째 선택지 {id}
  - 다섯 번째 선택지 {id}
answer: {answer}
---
{id} 문항에 대한 설명으로 옳은 것은?

## 해설
정답은 {answer}번이다.
"""

SHORT = """\
---
id: {id}
type: short
topic: {topic}
difficulty: {difficulty}
points: 4
answers: [교차 검증, Cross-validation]
---
{id}: 데이터를 여러 폴드로 나누어 번갈아 검증하는 방법을 쓰시오.
"""

ESSAY = """\
---
id: {id}
type: essay
topic: {topic}
difficulty: {difficulty}
points: 10
rubric:
  - {{point: "원리 설명", score: 6}}
  - {{point: "장단점", score: 4}}
---
{id}: 배치 정규화의 원리를 서술하시오.

## 모범답안
미니배치의 평균과 분산으로 정규화한다.
"""

TEMPLATES = {"mcq": MCQ, "short": SHORT, "essay": ESSAY}


class BankBuilder:
    """Writes question files into a temporary bank folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "questions").mkdir(parents=True)
        shutil.copy(TOPICS, root / "topics.yaml")

    def write(self, name: str, text: str | bytes, area: str = "model") -> Path:
        path = self.root / "questions" / area / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def add(self, kind: str, qid: str, topic: str = "model.training", difficulty: int = 3, answer: int = 1,
            extra: str = "") -> Path:
        text = TEMPLATES[kind].format(id=qid, topic=topic, difficulty=difficulty, answer=answer)
        if extra:
            text = text.replace(f"difficulty: {difficulty}\n", f"difficulty: {difficulty}\n{extra}", 1)
        return self.write(f"{qid}.md", text, topic.split(".")[0])


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or fill the user's render cache."""
    os.environ["MOCKEXAM_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def bank(tmp_path: Path) -> BankBuilder:
    return BankBuilder(tmp_path / "bank")


@pytest.fixture
def run() -> Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (installed by setup.sh) for every browser test; skipped where it is missing."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
