"""Named copies: one per student of a roster, each printing a shared form or an order of its own. Pure."""

from __future__ import annotations

from itertools import cycle
from typing import Sequence

from generator.assemble.blueprint import Blueprint
from generator.assemble.exam import ExamCopy, ExamForm
from generator.assemble.forms import make_form
from generator.assemble.roster import Student
from generator.bank.model import Question

OWN_ORDER_LABEL = "개별형"


def student_form(blueprint: Blueprint, selected: Sequence[Sequence[Question]], seed: int, student_id: str) -> ExamForm:
    """A student's own question order (within sections) and choice order, keys balanced as for forms.

    Depends only on the seed and the 수험번호, so any worker (or a later re-render) makes the same copy.
    """
    form = make_form(f"#{student_id}", blueprint, selected, seed)
    return ExamForm(form.name, form.sections, OWN_ORDER_LABEL)


def make_copies(blueprint: Blueprint, forms: Sequence[ExamForm], students: Sequence[Student],
                selected: Sequence[Sequence[Question]], seed: int) -> tuple[ExamCopy, ...]:
    """One copy per student in roster order.

    Per form (the default): the roster's 문형 column decides, else forms alternate (홀수형, 짝수형, …) in roster
    order. Per student (``copies.order: student``): every copy is shuffled on its own.
    """
    by_name = {form.name: form for form in forms}
    alternate = cycle(forms)
    copies = []
    for number, student in enumerate(students, 1):
        if blueprint.copies.order == "student":
            form, own = student_form(blueprint, selected, seed, student.student_id), True
        else:
            form = by_name[student.form] if student.form else next(alternate)
            own = False
        copies.append(ExamCopy(number, student.student_id, student.name, form, student.klass, student.seat, own))
    return tuple(copies)
