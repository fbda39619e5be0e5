"""Scoring rules on generated keys and responses (Hypothesis), and which key applies to a row."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.bank.schema import QuestionType
from generator.grade.keys import ExamKey, KeyItem, SheetKey, exam_key
from generator.grade.responses import ResponseRow
from generator.grade.scoring import Status, grade_rows, parse_marks


@st.composite
def sheets(draw):
    items = []
    for number in range(1, draw(st.integers(1, 8)) + 1):
        count = draw(st.integers(2, 5))
        order = tuple(draw(st.permutations(range(count))))
        items.append(KeyItem(number, f"q{number}", QuestionType.MCQ, float(draw(st.integers(1, 4))), order,
                             draw(st.integers(1, count))))
    return SheetKey("A", "A형", tuple(items))


@settings(max_examples=60, deadline=None)
@given(sheets(), st.data(), st.sampled_from([0.0, 0.25, 0.5]))
def test_total_is_points_of_exactly_keyed_marks_minus_penalties(sheet, data, penalty):
    key = ExamKey("e", "t", {"A": sheet}, wrong_penalty=penalty)
    cells, expected = {}, 0.0
    for item in sheet.items:
        marks = data.draw(st.sets(st.integers(1, item.choice_count), max_size=2))
        cells[item.number] = "|".join(map(str, sorted(marks)))
        if marks == {item.answer}:
            expected += item.points
        elif marks:
            expected -= penalty * item.points
    score = grade_rows([ResponseRow("r.csv", 2, "1", "", "A", "", cells)], key)[0]
    assert score.total == max(0.0, round(expected, 6))
    assert 0 <= score.total <= sum(i.points for i in sheet.items)
    for item in sheet.items:
        answer = score.answers[item.question_id]
        assert answer.correct == (parse_marks(cells[item.number]) == (item.answer,))
        if answer.status is Status.WRONG:  # the marked choice is recorded in bank order
            assert answer.chosen == item.choice_order[int(cells[item.number]) - 1]


def _manifest_form(name: str, answer: int, order: list[int]) -> dict:
    return {"name": name, "sections": [{"type": "mcq", "items": [
        {"number": 1, "id": "q1", "points": 2, "choice_order": order, "answer": answer}]}]}


def test_a_personal_copy_is_graded_with_its_own_key_and_forms_with_theirs():
    manifest = {"exam_id": "e", "blueprint": {"title": "t"},
                "forms": [_manifest_form("A", 1, [0, 1, 2, 3]), _manifest_form("B", 3, [2, 3, 0, 1])],
                "copies": [{**_manifest_form("x", 4, [1, 2, 3, 0]), "copy": "0007"}]}
    key = exam_key(manifest)
    rows = [ResponseRow("r.csv", 2, "1", "", "A", "", {1: "1"}), ResponseRow("r.csv", 3, "2", "", "B", "", {1: "3"}),
            ResponseRow("r.csv", 4, "7", "", "", "0007", {1: "4"})]
    assert [s.total for s in grade_rows(rows, key)] == [2, 2, 2]
    assert isinstance(key.sheet_key("", "0099"), str)  # an unknown copy is an error message
    assert key.sheet_key("a형", "") is key.forms["A"]
