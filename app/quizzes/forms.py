"""Quiz forms: the CSRF-protected answer form and reading one stage's answers from it.

The questions come from the content files, so the answer fields are plain named inputs
(`answer-<question>`, `position-<question>-<option>`, `shared-<question>`, and
`version-<question>`: the version of the saved answer the page showed) read here, and the
form itself (`app.forms.EmptyForm`) only carries the CSRF token.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from werkzeug.datastructures import MultiDict

from ..content.model import Question
from .attempts import PostedAnswer


def apply_moves(current: list[str], positions: dict[str, int]) -> list[str]:
    """Move each option whose chosen place (1-based) differs from its place in `current` there.

    Without JavaScript a learner changes one or two position menus and leaves the others; moving
    the changed options (and shifting the rest) is what "put this one third" means.
    """
    moved = sorted(
        (place, current.index(option_id), option_id)
        for option_id, place in positions.items()
        if option_id in current and place != current.index(option_id) + 1
    )
    moved_ids = {option_id for _, _, option_id in moved}
    order = [option_id for option_id in current if option_id not in moved_ids]
    for place, _, option_id in moved:
        order.insert(min(max(place - 1, 0), len(order)), option_id)
    return order


def _ordering_response(question: Question, formdata: MultiDict, shown: list[str]) -> list[str]:
    known = [option.id for option in question.options]
    # The order the page showed: the positions chosen in the menus are relative to it.
    sent = [item for item in formdata.get(f"order-{question.id}", "").split(",") if item]
    current = sent if sorted(sent) == sorted(known) else shown
    positions: dict[str, int] = {}
    for option_id in known:
        value = formdata.get(f"position-{question.id}-{option_id}", "")
        # ASCII digits only, and short: int() refuses "²" and numbers of thousands of digits.
        if value.isascii() and value.isdigit() and len(value) <= 6:
            positions[option_id] = int(value)
    return apply_moves(current, positions)


def _version(formdata: MultiDict, question_id: str) -> int | None:
    value = formdata.get(f"version-{question_id}", "")
    # ASCII digits only, and short: int() refuses "²" and numbers of thousands of digits.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def stage_answers(
    questions: Iterable[Question], formdata: MultiDict, shown_orders: dict[str, list[str]]
) -> list[PostedAnswer]:
    """The answers the form holds for these questions (the stage's, as the attempt shows them).

    `shown_orders` gives, per ordering question, the order the server rendered (used when the
    form's own record of it is missing or damaged).
    """
    present = set(formdata.getlist("question"))
    answers = []
    for question in questions:
        if question.id not in present:
            continue
        name = f"answer-{question.id}"
        shared = False
        if question.type == "single":
            value = formdata.get(name) or None
            response: Any = [value] if value else None
        elif question.type == "multiple":
            response = formdata.getlist(name)
        elif question.type == "ordering":
            shown = shown_orders.get(question.id, [o.id for o in question.options])
            response = _ordering_response(question, formdata, shown)
        else:
            response = formdata.get(name, "")
            shared = formdata.get(f"shared-{question.id}") == "1"
        answers.append(PostedAnswer(question.id, response, shared, _version(formdata, question.id)))
    return answers
