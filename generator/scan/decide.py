"""From bubble measurements to answers: marked / blank / several / doubtful.

A bubble is *marked* when at least ``MARKED`` of its unprinted inside is ink, *blank* when at most ``BLANK``
is and its mean darkness is within ``BLANK_FILL`` of the blank template; anything between is *doubtful*
(check marks, half fills, smudged erasures) and goes to review instead of being guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.scan.measure import Reading

MARKED = 0.45
BLANK = 0.08
BLANK_FILL = 0.12

DOUBT = "?"


def state(reading: Reading) -> str:
    """'marked', 'blank' or 'doubtful'."""
    if reading.ink >= MARKED:
        return "marked"
    if reading.ink <= BLANK and reading.fill <= BLANK_FILL:
        return "blank"
    return "doubtful"


@dataclass(frozen=True)
class Decision:
    """One field of one page: an answer, a score, an id digit or the form."""

    field: str  # answer | score | student_id | form
    key: str  # question number, id digit place, or ""
    value: str  # as written to responses.csv: "3", "2|4", "", "?", a score "4.5", an id digit
    doubtful: bool
    readings: tuple[Reading, ...]
    note: str = ""


def _choice_value(readings: list[Reading]) -> tuple[str, bool, str]:
    states = [state(r) for r in readings]
    if "doubtful" in states:
        return DOUBT, True, "불분명한 표기"
    marked = [r.bubble.value for r, s in zip(readings, states) if s == "marked"]
    return "|".join(marked), False, ("여러 개 표기" if len(marked) > 1 else "")


def _score_value(readings: list[Reading]) -> tuple[str, bool, str]:
    states = [state(r) for r in readings]
    if "doubtful" in states:
        return DOUBT, True, "불분명한 표기"
    groups: dict[str, list[float]] = {}
    for reading, s in zip(readings, states):
        if s == "marked":
            groups.setdefault(reading.bubble.group, []).append(float(reading.bubble.value))
    if not groups:
        return "", False, ""
    if any(len(values) > 1 for values in groups.values()):
        return DOUBT, True, "한 자리에 점수 여러 개 표기"
    score = sum(values[0] for values in groups.values())
    top = max(r.bubble.max for r in readings)
    if top and score > top:
        return DOUBT, True, f"점수 {score:g}점이 배점 {top:g}점보다 큼"
    return f"{score:g}", False, ""


def decide(readings: list[Reading]) -> list[Decision]:
    """Decisions per question, id digit and form, in layout order."""
    groups: dict[tuple[str, str], list[Reading]] = {}
    for reading in readings:
        groups.setdefault((reading.bubble.field, reading.bubble.key), []).append(reading)
    decisions = []
    for (field, key), members in groups.items():
        if field == "score":
            value, doubtful, note = _score_value(members)
        else:
            value, doubtful, note = _choice_value(members)
            if field in ("student_id", "form") and "|" in value:
                value, doubtful, note = DOUBT, True, "여러 개 표기"
        decisions.append(Decision(field, key, value, doubtful, tuple(members), note))
    return decisions


def student_id(decisions: list[Decision]) -> tuple[str, bool]:
    """The 수험번호 from its digit columns: unclear or skipped digits become '?'; trailing blanks are allowed."""
    digits = sorted((int(d.key), d.value) for d in decisions if d.field == "student_id")
    values = [value for _, value in digits]
    while values and values[-1] == "":
        values.pop()
    text = "".join(value or DOUBT for value in values)
    return text, DOUBT in text or not text
