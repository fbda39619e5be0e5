"""``mockexam init DIR``: a small, commented bank that validates and builds as it is."""

from __future__ import annotations

from pathlib import Path

from generator.bank.loader import BLUEPRINTS_DIR, QUESTIONS_DIR, TOPICS_FILE
from generator.problems import UserError, display_path

TOPICS = """\
# 주제 분류 (taxonomy) of this bank. Format:
#
#   <area>:                 # area slug: lowercase ASCII letters, digits and '-' (e.g. database)
#     label: <한글 이름>     # printed in reports and `mockexam stats`
#     leaves:               # one line per leaf topic: <leaf slug>: <한글 이름>
#       <leaf>: <한글 이름>
#
# A question's `topic:` is area.leaf (e.g. database.sql); a blueprint's `topics:` may name areas or
# leaves. Rename and add freely, but keep slugs stable once questions use them.
database:
  label: 데이터베이스
  leaves:
    sql: SQL 활용
    modeling: 데이터 모델링
software:
  label: 소프트웨어 설계
  leaves:
    requirements: 요구사항 확인
    testing: 소프트웨어 테스트
"""

MCQ = """\
---
id: sql-group-by-having          # unique and stable: never change it once exams were built
type: mcq                        # mcq | short | essay
topic: database.sql              # a leaf of topics.yaml (area.leaf)
difficulty: 2                    # 1 쉬움, 2 조금 쉬움, 3 보통, 4 조금 어려움, 5 어려움
points: 2.5                      # decimals are fine: 40 × 2.5 = 100
tags: [sql, 집계]
choices:                         # 2–5 choices; quote a choice that starts with ` [ { * & ! | > ' " % @
  - WHERE
  - HAVING
  - ORDER BY
  - DISTINCT
answer: 2                        # the number of the correct choice: 1 is the first
---
다음 SQL 문의 빈칸 ㉠에 들어갈 키워드로 옳은 것은?

```sql
SELECT 학과, COUNT(*) AS 학생수
FROM 학생
GROUP BY 학과
㉠ COUNT(*) >= 30;
```

## 해설
그룹으로 묶은 결과에 조건을 거는 절은 HAVING이다. WHERE는 그룹으로 묶기 전의 행을 거른다.
따라서 정답은 ②이다.
"""

SHORT = """\
---
id: testing-boundary-value
type: short
topic: software.testing
difficulty: 2
points: 5
answers: [경계값 분석, 경곗값 분석, Boundary Value Analysis, BVA]   # every accepted spelling
---
입력 조건의 경계에 있는 값과 그 바로 안팎의 값을 테스트 데이터로 고르는 블랙박스 테스트 기법을 쓰시오.

## 해설
오류는 입력 범위의 경계에서 자주 생기므로, 경계값과 그 인접 값을 시험한다.
"""

ESSAY = """\
---
id: requirements-functional-vs-nonfunctional
type: essay
topic: software.requirements
difficulty: 3
points: 10
rubric:                          # scoring points; the scores add up to points
  - {point: "기능 요구사항의 뜻과 예", score: 4}
  - {point: "비기능 요구사항의 뜻과 예", score: 4}
  - {point: "둘의 차이를 한 문장으로 정리", score: 2}
---
기능 요구사항과 비기능 요구사항의 차이를 예를 들어 서술하시오.

## 모범답안
기능 요구사항은 시스템이 **무엇을** 하는지(예: 회원 가입, 주문 조회)를 정한다.
비기능 요구사항은 시스템이 **얼마나 잘** 하는지(예: 응답 시간 2초 이내, 가용성 99.9 %)를 정한다.
"""

BLUEPRINT = """\
# Exam specification (blueprint); see the docs/blueprints.md of mockexam for every key.
title: 예시 모의고사                  # printed in the title block
session: 제1회
subject: 정보처리기사 필기 (예시)
duration_minutes: 30
forms: [A]                           # parallel forms, e.g. [A, B]
seed: 1                              # same bank + blueprint + seed = same exam
sections:                            # one per question type, in this order
  - {type: mcq, count: 1}            # add `points: 2.5` to override each question's points
  - {type: short, count: 1}
  - {type: essay, count: 1}
# topics: {database: 0.5, software: 0.5}   # shares of areas or leaves (add up to 1)
"""

FILES: dict[str, str] = {
    TOPICS_FILE: TOPICS,
    f"{QUESTIONS_DIR}/database/sql-group-by-having.md": MCQ,
    f"{QUESTIONS_DIR}/software/testing-boundary-value.md": SHORT,
    f"{QUESTIONS_DIR}/software/requirements-functional-vs-nonfunctional.md": ESSAY,
    f"{BLUEPRINTS_DIR}/sample.yaml": BLUEPRINT,
}


def init_bank(root: Path) -> list[Path]:
    """Write the starter bank into ``root``; refuses (writing nothing) if any of its files exists."""
    if root.exists() and not root.is_dir():
        raise UserError(f"{display_path(root)} is a file; give a folder for the new bank")
    taken = [name for name in (TOPICS_FILE, QUESTIONS_DIR, BLUEPRINTS_DIR) if (root / name).exists()]
    if taken:
        raise UserError(f"{display_path(root)} already holds {', '.join(taken)}; not overwriting anything "
                        "(choose an empty or new folder)")
    written = []
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:  # "x": never replace a file
            handle.write(text)
        written.append(path)
    return written
