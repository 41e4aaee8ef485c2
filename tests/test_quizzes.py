"""Case quizzes: attempts and their limit, saving and locking stages, submission exactly once,
what the pages show (and hide) before and after submitting, and the status others read."""

from __future__ import annotations

import dataclasses
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from markupsafe import escape
from sqlalchemy import event, insert, select, update
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.content import get_catalog
from app.extensions import db
from app.models import Answer, Attempt, AttemptGrant, utcnow
from app.quizzes import attempts as domain
from app.quizzes.attempts import QuizError
from app.quizzes.forms import apply_moves
from app.quizzes.grading import grade, grade_question
from app.quizzes.stages import option_order

from .conftest import FIXTURE_CONTENT, PASSWORD
from .statements import sent_statements

COURSE = "test-cursus"
CASE = f"/quiz/{COURSE}/testcasus"
CHECK = f"/quiz/{COURSE}/check-eerste-les"

#: The right answers to the test case, per stage.
RIGHT = [
    {
        "signalen-eerste-consult": ["begeleider-praat", "blauwe-plekken"],
        "alleen-spreken": ["vraag-alleen"],
    },
    {
        "gespreksvolgorde": ["veiligheid-uitleggen", "open-vragen", "vastleggen"],
        "reflectie-eigen-gevoel": "Ik zou het moeilijk vinden om door te vragen.",
    },
    {
        "volgende-stap": ["stap-twee-advies"],
        "wat-vastleggen": ["letterlijke-uitspraken", "bevindingen"],
    },
]


def case_quiz(app: Flask):
    with app.app_context():
        return get_catalog().quiz(COURSE, "testcasus")


def form(stage: int, answers: dict[str, Any], attempt: int = 1, **extra: Any) -> dict[str, Any]:
    """The fields the stage's form posts: attempt, stage, the questions shown and the answers."""
    data: dict[str, Any] = {"attempt": str(attempt), "stage": str(stage)}
    data["question"] = list(answers)
    for question_id, response in answers.items():
        if question_id == "gespreksvolgorde":
            # The page's record of the order shown; no place changed in the menus.
            data[f"order-{question_id}"] = ",".join(response)
        else:
            data[f"answer-{question_id}"] = response
    data.update(extra)
    return data


@pytest.fixture
def learner(make_user, auth):
    user = make_user()
    auth.login(user)
    return user


def start(client, url: str = CASE):
    return client.post(f"{url}/starten")


def play_to_last_stage(client, attempt: int = 1, stages=RIGHT) -> None:
    """Start (or resume) and answer the stages before the last, opening each next one (and
    confirming that questions left open lock as they are)."""
    start(client)
    for index, answers in enumerate(stages[:-1]):
        data = form(index, answers, attempt, bevestigd="1")
        response = client.post(f"{CASE}/volgende", data=data)
        assert response.status_code == 302


def attempts_in_db(app: Flask) -> list[Attempt]:
    with app.app_context():
        return list(db.session.scalars(select(Attempt).order_by(Attempt.id)))


def answers_in_db(app: Flask) -> dict[str, Answer]:
    with app.app_context():
        return {a.question_id: a for a in db.session.scalars(select(Answer))}


def all_feedback_texts(app: Flask) -> list[str]:
    quiz = case_quiz(app)
    return [option.feedback for question in quiz.questions for option in question.options]


# --- the intro, starting and the attempt limit -----------------------------------------------


def test_quiz_page_requires_login(client):
    response = client.get(CASE)
    assert response.status_code == 302
    assert "/account/inloggen" in response.headers["Location"]


def test_intro_shows_mode_pass_mark_and_attempts(client, learner):
    html = client.get(CASE).get_data(as_text=True)
    assert "Anna, 22 jaar, met buikpijn" in html
    assert "Eindtoets" in html
    assert "70%" in html
    assert "0 van 3 gebruikt, nog 3 over" in html
    assert 'action="/quiz/test-cursus/testcasus/starten"' in html


def test_unknown_quiz_is_not_found(client, learner):
    assert client.get(f"/quiz/{COURSE}/bestaat-niet").status_code == 404
    assert client.get("/quiz/geen-cursus/testcasus").status_code == 404


def test_starting_twice_resumes_the_same_attempt(client, app, learner):
    start(client)
    start(client)
    [attempt] = attempts_in_db(app)
    assert (attempt.number, attempt.stages_revealed, attempt.pass_mark) == (1, 1, 70)
    assert attempt.quiz_version == case_quiz(app).content_hash


def test_attempt_limit_refuses_a_fourth_start_until_a_trainer_grants_one(client, app, learner):
    for number in (1, 2, 3):
        play_to_last_stage(client, number)
        client.post(f"{CASE}/inleveren", data=form(2, RIGHT[2], number))
    response = start(client)
    assert len(attempts_in_db(app)) == 3
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Je hebt al je pogingen voor deze toets gebruikt (3 van 3)" in html
    assert "Vraag je opleider om een extra poging" in html

    with app.app_context():
        domain.grant_attempt(learner.id, COURSE, "testcasus", granted_by=None)
        db.session.commit()
        assert domain.attempts_allowed(learner.id, COURSE, case_quiz(app)) == 4
    start(client)
    assert [a.number for a in attempts_in_db(app)] == [1, 2, 3, 4]
    assert start(client).status_code == 302
    assert len(attempts_in_db(app)) == 4


def test_parallel_starts_make_one_attempt(app, make_user):
    user = make_user()
    clients = [app.test_client() for _ in range(2)]
    for c in clients:
        c.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    run_together([lambda c=c: start(c) for c in clients])
    [attempt] = attempts_in_db(app)
    assert attempt.number == 1


def test_a_start_that_loses_the_race_resumes_the_winners_attempt(app, make_user, monkeypatch):
    user = make_user()
    quiz = case_quiz(app)
    with app.app_context():
        count_allowed = domain.attempts_allowed

        def parallel_request_starts_meanwhile(*args: Any) -> int:
            with db.engine.begin() as other:
                other.execute(
                    insert(Attempt).values(
                        user_id=user.id,
                        course_slug=COURSE,
                        quiz_slug="testcasus",
                        number=1,
                        quiz_version=quiz.content_hash,
                        pass_mark=70,
                        stages_revealed=1,
                        started_at=utcnow(),
                    )
                )
            return count_allowed(*args)

        monkeypatch.setattr(domain, "attempts_allowed", parallel_request_starts_meanwhile)
        attempt = domain.start_attempt(user.id, quiz)
        db.session.commit()
        assert attempt.number == 1
    [stored] = attempts_in_db(app)
    assert stored.id == attempt.id


# --- saving, resuming, locking ---------------------------------------------------------------


def test_saved_answers_are_checked_again_after_a_reload(client, app, learner):
    start(client)
    response = client.post(f"{CASE}/opslaan", data=form(0, RIGHT[0]))
    assert response.status_code == 302
    html = client.get(CASE).get_data(as_text=True)
    for option_id in ("begeleider-praat", "blauwe-plekken", "vraag-alleen"):
        assert re.search(rf'value="{option_id}" checked', html), option_id
    assert not re.search(r'value="buikpijn" checked', html)
    answers = answers_in_db(app)
    assert answers["signalen-eerste-consult"].readable == (
        "De begeleider beantwoordt de vragen die jij aan Anna stelt. | "
        "Blauwe plekken op beide bovenarmen."
    )
    assert answers["alleen-spreken"].response == ["vraag-alleen"]


def test_autosave_answers_json(client, app, learner):
    start(client)
    response = client.post(
        f"{CASE}/opslaan",
        data=form(0, {"alleen-spreken": "confronteer"}),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.get_json()["saved"] is True
    assert answers_in_db(app)["alleen-spreken"].response == ["confronteer"]


def test_autosave_reports_a_refused_answer(client, app, learner):
    start(client)
    response = client.post(
        f"{CASE}/opslaan",
        data=form(0, {"alleen-spreken": "verzonnen-optie"}),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["saved"] is False
    assert "niet bestaat" in body["errors"][0]
    assert "(Vraag: Wat doe je nu als eerste?)" in body["errors"][0]
    assert answers_in_db(app) == {}


def test_unchecking_every_box_clears_a_saved_multiple_answer(client, app, learner):
    start(client)
    client.post(f"{CASE}/opslaan", data=form(0, {"signalen-eerste-consult": ["buikpijn"]}))
    client.post(f"{CASE}/opslaan", data=form(0, {"signalen-eerste-consult": []}))
    assert answers_in_db(app)["signalen-eerste-consult"].response == []


JSON = {"Accept": "application/json"}
LONG_REFLECTION = "Ik vond het moeilijk om door te vragen. " * 40


def page_versions(html: str) -> dict[str, str]:
    """The answer versions a quiz page's form carries (`version-<question>` fields)."""
    return dict(re.findall(r'name="(version-[^"]+)" value="(\d+)"', html))


def reflection_form(text: str, shared: bool, versions: dict[str, str]) -> dict[str, Any]:
    extra = {"shared-reflectie-eigen-gevoel": "1"} if shared else {}
    return form(1, {"reflectie-eigen-gevoel": text}, **extra, **versions)


def two_tabs_on_the_reflection(client) -> dict[str, str]:
    """Open stage 2 with a short shared reflection; return the versions a tab loaded now has."""
    play_to_last_stage(client, stages=RIGHT[:2])
    client.post(f"{CASE}/opslaan", data=reflection_form("Kort.", True, {}))
    return page_versions(client.get(CASE).get_data(as_text=True))


def test_a_stale_tab_cannot_erase_a_newer_reflection_or_share_it_again(client, app, learner):
    stale = two_tabs_on_the_reflection(client)
    assert stale["version-reflectie-eigen-gevoel"] == "1"
    # Tab A, loaded at the same moment, writes a long reflection and stops sharing it.
    fresh = client.post(
        f"{CASE}/opslaan", data=reflection_form(LONG_REFLECTION, False, stale), headers=JSON
    )
    assert fresh.status_code == 200
    assert fresh.get_json()["versions"] == {"reflectie-eigen-gevoel": 2}
    # Tab B's autosave still holds the old page: the short text, shared.
    response = client.post(
        f"{CASE}/opslaan", data=reflection_form("Kort.", True, stale), headers=JSON
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["stale"] is True
    assert "in een ander tabblad of op een ander apparaat" in body["errors"][0]
    assert body["reload_url"].endswith("/quiz/test-cursus/testcasus#deel-2")
    # And without JavaScript, the same form posted: an empty textarea and 'shared' ticked.
    response = client.post(f"{CASE}/opslaan", data=reflection_form("", True, stale))
    saved = answers_in_db(app)["reflectie-eigen-gevoel"]
    assert (saved.response, saved.shared, saved.version) == (LONG_REFLECTION, False, 2)
    html = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "in een ander tabblad of op een ander apparaat" in html
    assert "Hieronder staan je nieuwste antwoorden" in html
    assert LONG_REFLECTION.strip() in html  # the page now shows the newest answer
    assert page_versions(html)["version-reflectie-eigen-gevoel"] == "2"


def test_a_save_based_on_the_latest_version_goes_through_and_a_resent_one_changes_nothing(
    client, app, learner
):
    versions = two_tabs_on_the_reflection(client)
    data = reflection_form("Langer nagedacht.", False, versions)
    first = client.post(f"{CASE}/opslaan", data=data, headers=JSON)
    body = first.get_json()
    assert (body["saved"], body["errors"]) == (True, [])
    assert body["versions"] == {"reflectie-eigen-gevoel": 2}
    # The same request again (a retry after a lost response) is the same save, not a conflict.
    again = client.post(f"{CASE}/opslaan", data=data, headers=JSON)
    assert again.status_code == 200
    assert again.get_json()["versions"] == {"reflectie-eigen-gevoel": 2}
    saved = answers_in_db(app)["reflectie-eigen-gevoel"]
    assert (saved.response, saved.shared, saved.version) == ("Langer nagedacht.", False, 2)


def test_a_stale_choice_is_refused_while_a_fresh_one_in_the_same_form_is_saved(
    client, app, learner
):
    start(client)
    client.post(f"{CASE}/opslaan", data=form(0, {"alleen-spreken": "vraag-alleen"}))
    stale = page_versions(client.get(CASE).get_data(as_text=True))
    assert stale == {"version-signalen-eerste-consult": "0", "version-alleen-spreken": "1"}
    client.post(f"{CASE}/opslaan", data=form(0, {"alleen-spreken": "politie-bellen"}, **stale))
    response = client.post(
        f"{CASE}/opslaan",
        data=form(
            0, {"alleen-spreken": "vraag-alleen", "signalen-eerste-consult": ["buikpijn"]}, **stale
        ),
        headers=JSON,
    )
    assert response.status_code == 409
    answers = answers_in_db(app)
    assert answers["alleen-spreken"].response == ["politie-bellen"]
    assert answers["signalen-eerste-consult"].response == ["buikpijn"]
    assert response.get_json()["versions"]["signalen-eerste-consult"] == 1


def save_statements(app: Flask, client, answers: dict[str, Any]) -> int:
    """How many statements one autosave of the first stage sends."""
    with sent_statements(app) as sent:
        response = client.post(f"{CASE}/opslaan", data=form(0, answers), headers=JSON)
    assert response.status_code == 200, response.get_json()
    return len(sent)


def test_a_save_sends_as_many_statements_for_two_changed_answers_as_for_one(client, app, learner):
    start(client)
    one_new = save_statements(app, client, {"alleen-spreken": ["vraag-alleen"]})
    both_changed_or_new = save_statements(
        app, client, {"alleen-spreken": ["politie-bellen"], "signalen-eerste-consult": ["buikpijn"]}
    )
    one_changed = save_statements(app, client, {"alleen-spreken": ["vraag-alleen"]})
    both_changed = save_statements(
        app,
        client,
        {"alleen-spreken": ["politie-bellen"], "signalen-eerste-consult": ["blauwe-plekken"]},
    )
    unchanged = save_statements(
        app,
        client,
        {"alleen-spreken": ["politie-bellen"], "signalen-eerste-consult": ["blauwe-plekken"]},
    )
    # One write for the new answers, one for the changed ones, none when nothing changed.
    assert one_new == one_changed == both_changed == unchanged + 1
    assert both_changed_or_new == unchanged + 2
    answers = answers_in_db(app)
    assert (answers["alleen-spreken"].response, answers["alleen-spreken"].version) == (
        ["politie-bellen"],
        4,
    )
    assert answers["signalen-eerste-consult"].version == 2


def two_tabs_with_one_answer_saved(app, make_user, monkeypatch) -> list[Any]:
    """Two signed-in tabs of one learner, a first answer saved; from now on a save takes its
    time between reading the answers and writing them, so two saves overlap."""
    user = make_user()
    clients = [app.test_client() for _ in range(2)]
    for c in clients:
        c.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    start(clients[0])
    clients[0].post(f"{CASE}/opslaan", data=form(0, {"alleen-spreken": "vraag-alleen"}))
    normalise = domain.normalise_response

    def slowly(*args: Any) -> Any:
        time.sleep(0.2)
        return normalise(*args)

    monkeypatch.setattr(domain, "normalise_response", slowly)
    return clients


def test_the_same_save_sent_twice_at_once_counts_once(app, make_user, monkeypatch):
    """A double-sent autosave (two tabs, a retry): the second waits for the first's lock, then
    reads what it wrote and changes nothing."""
    clients = two_tabs_with_one_answer_saved(app, make_user, monkeypatch)
    data = form(0, {"alleen-spreken": "politie-bellen"})
    with sent_statements(app) as sent:
        responses = run_together(
            [lambda c=c: c.post(f"{CASE}/opslaan", data=data, headers=JSON) for c in clients]
        )
    assert [r.status_code for r in responses] == [200, 200]
    assert [r.get_json()["versions"] for r in responses] == [{"alleen-spreken": 2}] * 2
    writes = [
        q for q in sent if q.lstrip().upper().startswith(("UPDATE ANSWER", "INSERT INTO ANSWER"))
    ]
    assert len(writes) == 1
    saved = answers_in_db(app)["alleen-spreken"]
    assert (saved.response, saved.version) == (["politie-bellen"], 2)


def test_a_save_whose_write_fails_keeps_nothing_and_the_next_save_works(
    client, app, learner, monkeypatch
):
    start(client)
    client.post(f"{CASE}/opslaan", data=form(0, {"alleen-spreken": "vraag-alleen"}))
    read = domain.lock_and_read_for_save

    def forgetting(*args: Any) -> Any:
        attempt, _ = read(*args)
        return attempt, {}  # as if nothing were saved: the save inserts a second answer

    monkeypatch.setattr(domain, "lock_and_read_for_save", forgetting)
    data = form(0, {"alleen-spreken": "politie-bellen", "signalen-eerste-consult": ["buikpijn"]})
    with pytest.raises(IntegrityError):
        client.post(f"{CASE}/opslaan", data=data, headers=JSON)
    answers = answers_in_db(app)
    assert set(answers) == {"alleen-spreken"}
    assert (answers["alleen-spreken"].response, answers["alleen-spreken"].version) == (
        ["vraag-alleen"],
        1,
    )
    monkeypatch.undo()
    again = client.post(f"{CASE}/opslaan", data=data, headers=JSON)
    assert again.status_code == 200
    assert again.get_json()["versions"] == {"alleen-spreken": 2, "signalen-eerste-consult": 1}


def test_of_two_tabs_saving_at_once_from_the_same_version_the_second_is_stale(
    app, make_user, monkeypatch
):
    clients = two_tabs_with_one_answer_saved(app, make_user, monkeypatch)
    loaded = page_versions(clients[0].get(CASE).get_data(as_text=True))
    assert loaded["version-alleen-spreken"] == "1"
    choices = ("politie-bellen", "confronteer")
    responses = run_together(
        [
            lambda c=c, choice=choice: c.post(
                f"{CASE}/opslaan", data=form(0, {"alleen-spreken": choice}, **loaded), headers=JSON
            )
            for c, choice in zip(clients, choices, strict=True)
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    [won] = [choice for choice, r in zip(choices, responses, strict=True) if r.status_code == 200]
    [lost] = [r.get_json() for r in responses if r.status_code == 409]
    assert lost["stale"] is True
    saved = answers_in_db(app)["alleen-spreken"]
    assert (saved.response, saved.version) == ([won], 2)


def test_next_stage_locks_earlier_answers(client, app, learner):
    play_to_last_stage(client, stages=RIGHT[:2])
    [attempt] = attempts_in_db(app)
    assert attempt.stages_revealed == 2
    # A stale tab still posting the first stage changes nothing.
    response = client.post(f"{CASE}/opslaan", data=form(0, {"alleen-spreken": "politie-bellen"}))
    assert response.status_code == 302
    assert answers_in_db(app)["alleen-spreken"].response == ["vraag-alleen"]
    html = client.get(CASE).get_data(as_text=True)
    assert "vastgezet" in html
    assert "Je vraagt de begeleider even in de wachtkamer te wachten" in html
    assert 'name="answer-alleen-spreken"' not in html  # read-only now
    assert "net als in een echt consult" in html


def test_locked_stage_refuses_changes_in_the_domain(app, make_user):
    user = make_user()
    quiz = case_quiz(app)
    with app.app_context():
        attempt = domain.start_attempt(user.id, quiz)
        domain.save_answer(attempt, quiz, "alleen-spreken", ["vraag-alleen"])
        domain.reveal_next_stage(attempt, quiz)
        with pytest.raises(QuizError, match="echt consult"):
            domain.save_answer(attempt, quiz, "alleen-spreken", ["politie-bellen"])
        with pytest.raises(QuizError, match="nog niet geopend"):
            domain.save_answer(attempt, quiz, "volgende-stap", ["afwachten"])
        domain.save_answer(attempt, quiz, "reflectie-eigen-gevoel", "Spannend.", shared=True)
        db.session.commit()
        assert domain.answers_by_question(attempt.id)["reflectie-eigen-gevoel"].shared is True


def test_double_click_on_next_opens_one_stage(client, app, learner):
    start(client)
    client.post(f"{CASE}/volgende", data=form(0, RIGHT[0]))
    client.post(f"{CASE}/volgende", data=form(0, RIGHT[0]))
    [attempt] = attempts_in_db(app)
    assert attempt.stages_revealed == 2


@pytest.mark.parametrize(
    ("question_id", "response", "message"),
    [
        ("alleen-spreken", ["bestaat-niet"], "niet bestaat"),
        ("alleen-spreken", ["vraag-alleen", "confronteer"], "precies één"),
        ("signalen-eerste-consult", {"x": 1}, "niet lezen"),
        ("gespreksvolgorde", ["open-vragen", "vastleggen"], "precies één plaats"),
        ("gespreksvolgorde", ["open-vragen", "open-vragen", "vastleggen"], "precies één plaats"),
        ("reflectie-eigen-gevoel", "x" * 5001, "hoogstens 5000"),
        ("reflectie-eigen-gevoel", ["tekst"], "als tekst"),
        ("bestaat-niet", ["x"], "bestaat niet"),
    ],
)
def test_save_answer_refuses_responses_that_do_not_fit_the_question(
    app, make_user, question_id, response, message
):
    user = make_user()
    quiz = case_quiz(app)
    with app.app_context():
        attempt = domain.start_attempt(user.id, quiz)
        stage = quiz.stage_of(question_id) if quiz.question(question_id) else 0
        attempt.stages_revealed = stage + 1  # the question's stage is the open one
        db.session.flush()
        with pytest.raises(QuizError, match=message):
            domain.save_answer(attempt, quiz, question_id, response)


def test_reflection_of_exactly_5000_characters_is_kept_with_windows_line_ends(app, make_user):
    user = make_user()
    quiz = case_quiz(app)
    text = ("a" * 99 + "\r\n") * 50  # 5050 characters, 5000 once line ends are normalised
    with app.app_context():
        attempt = domain.start_attempt(user.id, quiz)
        domain.reveal_next_stage(attempt, quiz)
        answer = domain.save_answer(attempt, quiz, "reflectie-eigen-gevoel", text)
        assert len(answer.response) == 5000
        assert "\r" not in answer.response


def test_ordering_moves_an_item_to_the_chosen_place():
    assert apply_moves(["a", "b", "c"], {"c": 1, "a": 1, "b": 2}) == ["c", "a", "b"]
    assert apply_moves(["a", "b", "c"], {"a": 3, "b": 2, "c": 3}) == ["b", "c", "a"]
    assert apply_moves(["a", "b", "c"], {"a": 2, "b": 1}) == ["b", "a", "c"]
    assert apply_moves(["a", "b", "c"], {}) == ["a", "b", "c"]
    assert apply_moves(["a", "b", "c"], {"a": 9}) == ["b", "c", "a"]


def test_ordering_without_javascript_uses_the_position_menus(client, app, learner):
    play_to_last_stage(client, stages=RIGHT[:2])
    html = client.get(CASE).get_data(as_text=True)
    shown = re.search(r'name="order-gespreksvolgorde" value="([^"]+)"', html).group(1).split(",")
    assert shown != RIGHT[1]["gespreksvolgorde"]  # never shown in the right order
    data = form(1, {})
    data.update(
        {
            "question": ["gespreksvolgorde"],
            "order-gespreksvolgorde": ",".join(shown),
            "position-gespreksvolgorde-vastleggen": "3",
            "position-gespreksvolgorde-veiligheid-uitleggen": "1",
            "position-gespreksvolgorde-open-vragen": str(shown.index("open-vragen") + 1),
        }
    )
    client.post(f"{CASE}/opslaan", data=data)
    saved = answers_in_db(app)["gespreksvolgorde"]
    assert saved.response[0] == "veiligheid-uitleggen"
    assert saved.response[-1] == "vastleggen"
    assert saved.readable.startswith("1. Uitleggen dat wat Anna vertelt in vertrouwen blijft")
    html = client.get(CASE).get_data(as_text=True)
    assert re.search(r'name="order-gespreksvolgorde" value="([^"]+)"', html).group(1) == ",".join(
        saved.response
    )


def test_option_order_is_stable_per_attempt_and_never_the_right_ordering(app):
    quiz = case_quiz(app)
    ordering = quiz.question("gespreksvolgorde")
    right = [o.id for o in ordering.options]
    for attempt_id in range(1, 60):
        first = [o.id for o in option_order(attempt_id, quiz, ordering)]
        assert first == [o.id for o in option_order(attempt_id, quiz, ordering)]
        assert first != right
        assert sorted(first) == sorted(right)


# --- what the pages show -------------------------------------------------------------------


def test_summative_pages_hold_no_key_and_no_feedback_before_submission(client, app, learner):
    feedback = all_feedback_texts(app)
    start(client)
    for index, answers in enumerate(RIGHT):
        client.post(f"{CASE}/opslaan", data=form(index, answers))
        html = unescape(client.get(CASE).get_data(as_text=True))
        assert "correct" not in html.lower()
        for text in feedback:
            assert text not in html
        if index < len(RIGHT) - 1:
            client.post(f"{CASE}/volgende", data=form(index, answers))
    client.post(f"{CASE}/inleveren", data=form(2, RIGHT[2]))
    html = unescape(client.get(f"{CASE}/poging/1").get_data(as_text=True))
    for text in feedback:
        assert text in html


def test_formative_check_shows_feedback_right_after_saving(client, app, learner):
    start(client, CHECK)
    response = client.post(
        f"{CHECK}/opslaan",
        data=form(0, {"signaal-begeleider": "nee-geen-signaal"}),
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Niet goed" in html
    assert "wie alle vragen beantwoordt, houdt de patiënt mogelijk in zijn macht" in html
    assert "Klopt: de patiënt kan niet vrijuit praten" in html  # the right option's why
    assert 'href="/leren/test-cursus/eerste-les"' in html
    # A question not yet answered shows no feedback.
    assert "Papieren die iemand anders bewaart" not in html


def test_full_attempt_is_graded_and_the_result_shows_answers_key_and_lessons(client, app, learner):
    play_to_last_stage(client)
    response = client.post(f"{CASE}/inleveren", data=form(2, RIGHT[2]))
    assert response.headers["Location"].endswith("/quiz/test-cursus/testcasus/poging/1")
    [attempt] = attempts_in_db(app)
    assert attempt.submitted_at is not None
    assert (attempt.score, attempt.passed) == (1.0, True)
    answers = answers_in_db(app)
    assert answers["wat-vastleggen"].score == 1.0
    assert answers["reflectie-eigen-gevoel"].score is None
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "100%" in html
    assert "Geslaagd" in html
    assert "Ik zou het moeilijk vinden om door te vragen." in html
    assert 'href="/leren/test-cursus/tweede-les"' in html
    assert "Opnieuw proberen" not in html


def test_partly_right_attempt_fails_and_offers_a_retake(client, app, learner):
    wrong_start = {
        "signalen-eerste-consult": ["begeleider-praat", "buikpijn"],  # (1 - 1) / 2 = 0
        "alleen-spreken": ["politie-bellen"],
    }
    play_to_last_stage(client, stages=[wrong_start, *RIGHT[1:]])
    # wat-vastleggen left unanswered: scores 0.
    client.post(f"{CASE}/inleveren", data=form(2, {"volgende-stap": ["stap-twee-advies"]}))
    [attempt] = attempts_in_db(app)
    assert attempt.score == pytest.approx(2 / 5)
    assert attempt.passed is False
    html = client.get(f"{CASE}/poging/1").get_data(as_text=True)
    assert "Niet geslaagd" in html
    assert "40%" in html
    assert "Opnieuw proberen (nog 2 pogingen)" in html


def keyed_option_texts(app: Flask) -> list[str]:
    """The text of every keyed option of the case (ordering: every step, in the right order)."""
    quiz = case_quiz(app)
    return [
        as_html(option.text)
        for question in quiz.questions
        for option in question.options
        if option.correct or question.type == "ordering"
    ]


def as_html(text: str) -> str:
    return str(escape(text))


def fail_attempt(client, number: int) -> None:
    wrong_start = {"alleen-spreken": ["politie-bellen"]}
    play_to_last_stage(client, attempt=number, stages=[wrong_start, {}, {}])
    client.post(f"{CASE}/inleveren", data=form(2, {}, number))


def test_failed_attempt_hides_the_key_while_attempts_remain(client, app, learner):
    fail_attempt(client, 1)
    html = client.get(f"{CASE}/poging/1").get_data(as_text=True)
    assert "Niet geslaagd" in html
    for text in keyed_option_texts(app) + all_feedback_texts(app):
        assert as_html(text) not in html
    # Per part the points, and where to read back; the wrong choice points at its lesson.
    assert "Je score per deel" in html
    assert "Het eerste consult" in html
    assert "0 van 2" in html
    assert 'href="/leren/test-cursus/eerste-les"' in html
    assert 'href="/leren/test-cursus/tweede-les"' in html


def test_key_stays_hidden_while_the_last_attempt_is_open(client, app, learner):
    fail_attempt(client, 1)
    fail_attempt(client, 2)
    start(client)  # the third and last attempt, now open
    html = client.get(f"{CASE}/poging/2").get_data(as_text=True)
    for text in keyed_option_texts(app):
        assert as_html(text) not in html


def test_key_shows_once_the_attempts_are_used_up(client, app, learner):
    for number in (1, 2, 3):
        fail_attempt(client, number)
    html = client.get(f"{CASE}/poging/1").get_data(as_text=True)
    for text in keyed_option_texts(app):
        assert as_html(text) in html
    assert "Je hebt al je pogingen gebruikt" in html


def test_key_hides_again_when_a_trainer_grants_an_attempt(client, app, learner):
    for number in (1, 2, 3):
        fail_attempt(client, number)
    with app.app_context():
        domain.grant_attempt(learner.id, COURSE, "testcasus", None)
        db.session.commit()
    html = client.get(f"{CASE}/poging/3").get_data(as_text=True)
    for text in keyed_option_texts(app):
        assert as_html(text) not in html


def test_key_shows_once_the_case_is_passed(client, app, learner):
    fail_attempt(client, 1)
    play_to_last_stage(client, attempt=2)
    client.post(f"{CASE}/inleveren", data=form(2, RIGHT[2], 2))
    html = client.get(f"{CASE}/poging/1").get_data(as_text=True)
    for text in keyed_option_texts(app):
        assert as_html(text) in html


def test_result_is_only_for_its_owner(client, app, learner, make_user, auth):
    play_to_last_stage(client)
    client.post(f"{CASE}/inleveren", data=form(2, RIGHT[2]))
    auth.logout()
    auth.login(make_user())
    assert client.get(f"{CASE}/poging/1").status_code == 404


def test_result_of_an_open_attempt_goes_back_to_the_quiz(client, learner):
    start(client)
    response = client.get(f"{CASE}/poging/1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(CASE)


def test_submitting_before_the_last_stage_is_refused(client, app, learner):
    start(client)
    response = client.post(f"{CASE}/inleveren", data=form(0, RIGHT[0]), follow_redirects=True)
    assert "Open eerst alle delen" in response.get_data(as_text=True)
    assert attempts_in_db(app)[0].submitted_at is None


# --- submitting exactly once -----------------------------------------------------------------


def run_together(jobs) -> list[Any]:
    """Run the callables in threads released at the same moment; re-raise their errors."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(index: int, job) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except BaseException as exc:  # noqa: BLE001 - handed to the test below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def count_gradings(monkeypatch):
    calls: list[int] = []
    original = domain.grading.grade

    def counting(*args: Any, **kwargs: Any):
        calls.append(1)
        # Grading slowly widens the window in which a parallel request could slip in.
        time.sleep(0.2)
        return original(*args, **kwargs)

    monkeypatch.setattr(domain.grading, "grade", counting)
    return calls


def test_a_resubmitted_form_is_the_same_submission(client, app, learner, count_gradings):
    play_to_last_stage(client)
    first = client.post(f"{CASE}/inleveren", data=form(2, RIGHT[2]))
    again = client.post(f"{CASE}/inleveren", data=form(2, {"volgende-stap": ["afwachten"]}))
    assert first.headers["Location"] == again.headers["Location"]
    [attempt] = attempts_in_db(app)
    assert attempt.score == 1.0
    assert answers_in_db(app)["volgende-stap"].response == ["stap-twee-advies"]
    assert len(count_gradings) == 1


@pytest.mark.parametrize(
    "answers_in_form", [True, False], ids=["with-answers", "answers-saved-before"]
)
def test_two_parallel_submissions_grade_one_attempt_once(
    app, make_user, count_gradings, answers_in_form
):
    user = make_user()
    clients = [app.test_client() for _ in range(2)]
    for c in clients:
        c.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    play_to_last_stage(clients[0])
    if not answers_in_form:
        # Nothing to save at submission: the requests meet only at the submission itself.
        clients[0].post(f"{CASE}/opslaan", data=form(2, RIGHT[2]))
    data = form(2, RIGHT[2] if answers_in_form else {})
    responses = run_together([lambda c=c: c.post(f"{CASE}/inleveren", data=data) for c in clients])
    assert [r.status_code for r in responses] == [302, 302]
    assert {r.headers["Location"] for r in responses} == {f"{CASE}/poging/1"}
    [attempt] = attempts_in_db(app)
    assert attempt.submitted_at is not None and attempt.score == 1.0
    assert all(
        a.score is not None
        for a in answers_in_db(app).values()
        if a.question_id != "reflectie-eigen-gevoel"
    )
    assert len(count_gradings) == 1


def test_domain_submit_twice_returns_the_stored_result(app, make_user):
    user = make_user()
    quiz = case_quiz(app)
    with app.app_context():
        attempt = domain.start_attempt(user.id, quiz)
        domain.save_answer(attempt, quiz, "alleen-spreken", ["vraag-alleen"])
        domain.reveal_next_stage(attempt, quiz)
        domain.reveal_next_stage(attempt, quiz)
        first = domain.submit(attempt.id, quiz)
        db.session.commit()
        second = domain.submit(attempt.id, quiz)
    assert first.graded_now and not second.graded_now
    assert (first.score, first.passed) == (second.score, second.passed) == (0.2, False)
    assert first.submitted_at == second.submitted_at


def test_submission_that_loses_a_race_keeps_the_winners_result(app, make_user, monkeypatch):
    user = make_user()
    quiz = case_quiz(app)
    with app.app_context():
        attempt = domain.start_attempt(user.id, quiz)
        domain.save_answer(attempt, quiz, "alleen-spreken", ["vraag-alleen"])
        domain.reveal_next_stage(attempt, quiz)
        domain.reveal_next_stage(attempt, quiz)
        db.session.commit()
        read_answers = domain.answers_by_question

        def parallel_request_submits_meanwhile(attempt_id: int):
            answers = read_answers(attempt_id)
            with db.engine.begin() as other:
                other.execute(
                    update(Attempt)
                    .where(Attempt.id == attempt_id)
                    .values(submitted_at=utcnow(), score=0.5, passed=False)
                )
            return answers

        monkeypatch.setattr(domain, "answers_by_question", parallel_request_submits_meanwhile)
        submission = domain.submit(attempt.id, quiz)
        db.session.commit()
        monkeypatch.undo()
        answers = domain.answers_by_question(attempt.id)
    assert (submission.graded_now, submission.score) == (False, 0.5)
    assert answers["alleen-spreken"].score is None


def test_a_crash_during_submission_leaves_nothing_half_graded(client, app, learner, monkeypatch):
    play_to_last_stage(client)
    client.post(f"{CASE}/opslaan", data=form(2, RIGHT[2]))

    def crash(**kwargs: Any):
        raise RuntimeError("stroomstoring")

    # Submission is built after the UPDATE and the answers' scores, before the commit.
    monkeypatch.setattr(domain, "Submission", crash)
    with pytest.raises(RuntimeError):
        client.post(f"{CASE}/inleveren", data=form(2, RIGHT[2]))
    [attempt] = attempts_in_db(app)
    assert attempt.submitted_at is None and attempt.score is None
    assert all(a.score is None for a in answers_in_db(app).values())

    monkeypatch.undo()
    client.post(f"{CASE}/inleveren", data=form(2, RIGHT[2]))
    [attempt] = attempts_in_db(app)
    assert attempt.score == 1.0
    assert answers_in_db(app)["alleen-spreken"].score == 1.0


# --- status for other modules ----------------------------------------------------------------


def test_quiz_status_counts_the_best_attempt_and_the_first_pass(client, app, learner):
    wrong_start = {"signalen-eerste-consult": ["buikpijn"], "alleen-spreken": ["politie-bellen"]}
    play_to_last_stage(client, 1, [wrong_start, *RIGHT[1:]])
    client.post(f"{CASE}/inleveren", data=form(2, RIGHT[2], 1))
    play_to_last_stage(client, 2)
    client.post(f"{CASE}/inleveren", data=form(2, RIGHT[2], 2))
    start(client)
    quiz = case_quiz(app)
    with app.app_context():
        course = get_catalog().course(COURSE)
        status = domain.quiz_status(learner.id, COURSE, quiz)
        second = domain.attempt_by_number(learner.id, COURSE, "testcasus", 2)
        assert domain.assessment_status(learner.id, course) == {"testcasus": status}
    assert status.best_score == 1.0
    assert status.passed is True
    assert status.passed_at == second.submitted_at
    assert (status.attempts_used, status.attempts_allowed, status.attempts_left) == (3, 3, 0)
    assert status.open_attempt is True


def test_status_before_any_attempt(app, make_user):
    user = make_user()
    with app.app_context():
        course = get_catalog().course(COURSE)
        status = domain.assessment_status(user.id, course)["testcasus"]
    assert status == domain.QuizStatus(
        best_score=None,
        passed=False,
        attempts_used=0,
        attempts_allowed=3,
        open_attempt=False,
        passed_at=None,
    )


def test_bulk_status_uses_a_fixed_number_of_queries(app, make_user):
    users = [make_user() for _ in range(6)]
    quiz = case_quiz(app)
    with app.app_context():
        for user in users[:4]:
            attempt = domain.start_attempt(user.id, quiz)
            domain.reveal_next_stage(attempt, quiz)
            domain.reveal_next_stage(attempt, quiz)
            domain.submit(attempt.id, quiz)
        domain.grant_attempt(users[0].id, COURSE, "testcasus", granted_by=None)
        db.session.commit()
        course = get_catalog().course(COURSE)

        def queries_for(user_ids: list[int]) -> tuple[int, dict]:
            statements: list[str] = []

            def count(*args: Any) -> None:
                statements.append(args[2])

            event.listen(db.engine, "before_cursor_execute", count)
            try:
                result = domain.assessment_status_for_users(user_ids, course)
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            return len(statements), result

        one, _ = queries_for([users[0].id])
        many, statuses = queries_for([u.id for u in users])
        assert db.session.scalar(select(AttemptGrant.id)) is not None
    assert one == many == 2
    assert set(statuses) == {u.id for u in users}
    assert statuses[users[0].id]["testcasus"].attempts_allowed == 4
    assert statuses[users[1].id]["testcasus"].attempts_used == 1
    assert statuses[users[5].id]["testcasus"].attempts_used == 0


# --- parallel variants -----------------------------------------------------------------------

#: A parallel variant of `alleen-spreken`, placed after the primary in the first stage.
VARIANT = """
[[stages.questions]]
id = "alleen-spreken-anders"
variant_of = "alleen-spreken"
type = "single"
prompt = "De begeleider wil bij het hele consult blijven. Wat doe je?"
lesson = "eerste-les"

[[stages.questions.options]]
id = "deel-alleen"
text = "Je legt uit dat je iedereen een deel van het consult alleen spreekt."
correct = true
feedback = "Een vaste werkwijze maakt alleen spreken gewoon en veilig."

[[stages.questions.options]]
id = "laat-blijven"
text = "Je laat de begeleider blijven omdat hij vertaalt."
correct = false
feedback = "Dan kan Anna niet vrijuit praten; gebruik een tolk."
"""


@pytest.fixture
def variant_content(tmp_path) -> Path:
    """The fixture content with one variant in the case's first stage."""
    root = tmp_path / "variant-content"
    shutil.copytree(FIXTURE_CONTENT, root)
    path = root / "quizzes" / COURSE / "testcasus.toml"
    text = path.read_text(encoding="utf-8")
    marker = '[[stages]]\nid = "tweede-consult"'
    path.write_text(text.replace(marker, VARIANT.lstrip() + "\n" + marker), encoding="utf-8")
    return root


@pytest.fixture
def variant_app(variant_content, database_url, tmp_path) -> Iterator[Flask]:
    from .conftest import _base_config

    config = _base_config(database_url, tmp_path)
    config.update(COURSES_DIR=variant_content / "courses", QUIZZES_DIR=variant_content / "quizzes")
    app = create_app(config)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def drawn_ids(app: Flask, number: int) -> list[str]:
    with app.app_context():
        attempt = db.session.scalars(select(Attempt).where(Attempt.number == number)).one()
        return list(attempt.question_ids)


def answer_stages(attempt: Attempt, quiz, stages: list[dict[str, Any]]) -> None:
    """Save each stage's answers, opening the next stage after each but the last."""
    for index, answers in enumerate(stages):
        for question_id, response in answers.items():
            domain.save_answer(attempt, quiz, question_id, response)
        if index < len(stages) - 1:
            domain.reveal_next_stage(attempt, quiz)


def test_draw_prefers_variants_not_had_before_and_repeats_per_seed(variant_app):
    quiz = case_quiz(variant_app)
    group = {"alleen-spreken", "alleen-spreken-anders"}
    for had in group:
        for seed in range(20):
            drawn = domain.draw_questions(quiz, Counter({had: 1}), str(seed))
            assert group & set(drawn) == group - {had}
            assert len(drawn) == len(quiz.primary_questions)  # one per group
    # With nothing (or everything) had, the seed decides, the same way every time.
    draws = {tuple(domain.draw_questions(quiz, Counter(), str(seed))) for seed in range(20)}
    assert {d[1] for d in draws} == group
    assert domain.draw_questions(quiz, Counter(), "7") == domain.draw_questions(
        quiz, Counter(), "7"
    )


def test_a_second_attempt_gets_the_other_variant(variant_app, make_user):
    client = variant_app.test_client()
    user = make_user()
    from .conftest import Auth

    Auth(client).login(user)
    start(client)
    first = drawn_ids(variant_app, 1)
    group = {"alleen-spreken", "alleen-spreken-anders"}
    [had] = group & set(first)
    page = client.get(CASE).get_data(as_text=True)
    shown_prompt = case_quiz(variant_app).question(had).prompt
    other = (group - {had}).pop()
    assert shown_prompt in page
    assert case_quiz(variant_app).question(other).prompt not in page
    # Answering the question the attempt did not draw is refused.
    with variant_app.app_context():
        attempt = domain.open_attempt(user.id, COURSE, "testcasus")
        with pytest.raises(QuizError):
            domain.save_answer(attempt, case_quiz(variant_app), other, ["deel-alleen"])
    client.post(f"{CASE}/volgende", data=form(0, {}, bevestigd="1"))
    client.post(f"{CASE}/volgende", data=form(1, {}, bevestigd="1"))
    client.post(f"{CASE}/inleveren", data=form(2, {}))
    start(client)
    second = drawn_ids(variant_app, 2)
    assert group & set(second) == {other}
    # Every other group has one question and is drawn again.
    assert set(first) - group == set(second) - group


def test_attempt_with_a_variant_grades_the_questions_it_drew(variant_app, make_user):
    user = make_user()
    with variant_app.app_context():
        quiz = case_quiz(variant_app)
        attempt = domain.start_attempt(user.id, quiz)
        attempt.question_ids = [
            "signalen-eerste-consult",
            "alleen-spreken-anders",
            "gespreksvolgorde",
            "reflectie-eigen-gevoel",
            "volgende-stap",
            "wat-vastleggen",
        ]
        first = {**RIGHT[0], "alleen-spreken-anders": ["deel-alleen"]}
        del first["alleen-spreken"]
        answer_stages(attempt, quiz, [first, *RIGHT[1:]])
        result = domain.submit(attempt.id, quiz)
        db.session.commit()
    assert result.score == pytest.approx(1.0)  # five groups, five points


def test_an_attempt_from_before_variants_shows_and_grades_the_primaries(variant_app, make_user):
    """Progress survives new content: the ids of unchanged questions are the same."""
    user = make_user()
    with variant_app.app_context():
        quiz = case_quiz(variant_app)
        attempt = domain.start_attempt(user.id, quiz)
        attempt.question_ids = None  # as stored before this column existed
        answer_stages(attempt, quiz, RIGHT)
        result = domain.submit(attempt.id, quiz)
        db.session.commit()
    assert result.score == pytest.approx(1.0)
    client = variant_app.test_client()
    from .conftest import Auth

    Auth(client).login(user)
    html = client.get(f"{CASE}/poging/1").get_data(as_text=True)
    assert "Geslaagd" in html
    assert "Wat doe je nu als eerste?" in html  # the primary the attempt showed
    assert "De begeleider wil bij het hele consult blijven" not in html


def test_questions_that_left_the_file_drop_out_of_the_attempt(app):
    quiz = case_quiz(app)
    attempt = Attempt(question_ids=["alleen-spreken", "weg-uit-het-bestand", "volgende-stap"])
    shown = domain.attempt_questions(attempt, quiz)
    assert [q.id for q in shown] == ["alleen-spreken", "volgende-stap"]
    result = grade(quiz, {"alleen-spreken": ["vraag-alleen"]}, questions=shown)
    assert result.score == pytest.approx(0.5)  # two questions left, one right


def test_shown_order_is_never_a_defensible_order_with_ties(app):
    ordering = dataclasses.replace(
        case_quiz(app).question("gespreksvolgorde"),
        options=tuple(
            dataclasses.replace(o, tie=o.id == "vastleggen")
            for o in case_quiz(app).question("gespreksvolgorde").options
        ),
    )
    for attempt_id in range(1, 60):
        shown = [o.id for o in option_order(attempt_id, case_quiz(app), ordering)]
        assert grade_question(ordering, shown) < 1.0


# --- the session ends mid-quiz ---------------------------------------------------------------


def test_an_autosave_after_the_session_ended_hears_so_with_the_way_back(client, auth, learner):
    play_to_last_stage(client, stages=RIGHT[:2])
    auth.logout()  # or the session timed out: the page in the browser does not know yet
    response = client.post(
        f"{CASE}/opslaan", data=reflection_form("Nog niet bewaard.", False, {}), headers=JSON
    )
    assert response.status_code == 401
    body = response.get_json()
    assert body["session_ended"] is True and body["saved"] is False
    assert "sessie is verlopen" in body["errors"][0]
    assert body["login_url"] == "/account/inloggen?next=/quiz/test-cursus/testcasus%23deel-2"


@pytest.mark.parametrize("action", ["opslaan", "volgende", "inleveren"])
def test_a_form_post_after_the_session_ended_comes_back_to_the_same_part_after_login(
    client, auth, learner, action
):
    play_to_last_stage(client, stages=RIGHT[:2])
    auth.logout()
    response = client.post(f"{CASE}/{action}", data=form(1, RIGHT[1]))
    login = response.headers["Location"]
    assert login.startswith("/account/inloggen?next=")
    assert action not in login  # a POST-only address would answer 405 after logging in
    page = client.get(login).get_data(as_text=True)
    assert "sessie is verlopen" in page
    back = client.post(login, data={"email": learner.email, "password": PASSWORD})
    assert back.headers["Location"] == "/quiz/test-cursus/testcasus#deel-2"
    html = client.get(back.headers["Location"]).get_data(as_text=True)
    assert 'name="stage" value="1"' in html  # the open part's form, ready to save again


# --- moving on, errors beside their questions, folded parts ----------------------------------


def test_next_part_with_open_questions_asks_first_without_javascript(client, app, learner):
    start(client)
    response = client.post(f"{CASE}/volgende", data=form(0, {"alleen-spreken": "vraag-alleen"}))
    assert attempts_in_db(app)[0].stages_revealed == 1  # nothing locked yet
    assert answers_in_db(app)["alleen-spreken"].response == ["vraag-alleen"]  # but saved
    assert response.headers["Location"].endswith("?bevestigen=volgende#bevestigen")
    html = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Nog 1 vraag open in dit deel" in html
    assert 'ligt deze vraag vast als "Niet beantwoord" en telt hij als fout' in html
    open_question = html[html.index('id="vraag-signalen-eerste-consult"') :]
    assert "Nog niet beantwoord." in open_question[: open_question.index("</fieldset>")]
    assert 'name="bevestigd" value="1"' in html
    # The learner confirms: the part locks with the open question as it is.
    client.post(f"{CASE}/volgende", data=form(0, {}, bevestigd="1"))
    assert attempts_in_db(app)[0].stages_revealed == 2
    assert "Niet beantwoord." in client.get(CASE).get_data(as_text=True)


def test_next_part_asks_nothing_when_every_question_is_answered(client, app, learner):
    start(client)
    response = client.post(f"{CASE}/volgende", data=form(0, RIGHT[0]))
    assert response.headers["Location"].endswith("#deel-2")
    assert attempts_in_db(app)[0].stages_revealed == 2


def test_the_page_tells_the_script_to_ask_before_open_questions_lock(client, learner):
    start(client)
    html = client.get(CASE).get_data(as_text=True)
    assert 'data-lock-confirm="2"' in html  # quiz.js asks "Toch naar deel 2?" with the count
    assert 'data-question="alleen-spreken" data-type="single"' in html
    assert "Je hebt in dit deel 0 van de 2 vragen beantwoord." in html
    script = (Path(__file__).parent.parent / "app/static/js/quiz.js").read_text()
    assert "window.confirm" in script and "bevestigd" in script


def test_checking_with_nothing_chosen_says_so_beside_each_question(client, app, learner):
    start(client, CHECK)
    data = {"attempt": "1", "stage": "0", "question": ["signaal-begeleider", "wat-opmerken"]}
    response = client.post(f"{CHECK}/opslaan", data=data)
    html = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    summary = html[html.index('class="error-summary"') :]
    assert 'href="#vraag-wat-opmerken"' in summary
    assert html.count("Kies eerst een antwoord; daarna zie je of het klopt.") == 4  # 2 + 2
    beside = html[html.index('id="vraag-signaal-begeleider"') :]
    assert 'id="fout-signaal-begeleider"' in beside[: beside.index("</fieldset>")]
    # Shown once: a reload does not repeat it.
    assert "Kies eerst een antwoord" not in client.get(CHECK).get_data(as_text=True)


def test_locked_parts_are_folded_and_the_open_part_is_not(client, learner):
    play_to_last_stage(client)
    html = client.get(CASE).get_data(as_text=True)
    assert '<details class="stage stage-locked" id="deel-1">' in html
    assert '<details class="stage stage-locked" id="deel-2">' in html
    assert '<section class="stage stage-current" id="deel-3"' in html
    assert "<details open" not in html


def test_the_result_leads_with_a_labelled_score_and_lists_each_step_once(client, app, learner):
    wrong_order = {
        **RIGHT[1],
        "gespreksvolgorde": ["vastleggen", "open-vragen", "veiligheid-uitleggen"],
    }
    play_to_last_stage(client, stages=[RIGHT[0], wrong_order, RIGHT[2]])
    client.post(f"{CASE}/inleveren", data=form(2, RIGHT[2]))
    html = unescape(client.get(f"{CASE}/poging/1").get_data(as_text=True))
    assert re.search(r"<dt>Je score</dt><dd[^>]*>\d+%</dd>", html)
    assert html.index("Je score") < html.index("Je score per deel") < html.index("Deel 1:")
    # Fully right questions are folded; the one to reread is open.
    assert '<details class="question review-question">' in html
    assert '<details class="question review-question" open>' in html
    step = case_quiz(app).question("gespreksvolgorde").options[0].text
    assert html.count(step) == 1
    assert "jij: plaats 3" in html


def csrf_token_on(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def start_through_the_forms(client, user) -> str:
    """Log in and start through the real forms; return the quiz page's CSRF token."""
    token = csrf_token_on(client.get("/account/inloggen").get_data(as_text=True))
    login = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/account/inloggen", data=login).status_code == 302
    token = csrf_token_on(client.get(CASE).get_data(as_text=True))
    assert client.post(f"{CASE}/starten", data={"csrf_token": token}).status_code == 302
    return csrf_token_on(client.get(CASE).get_data(as_text=True))


class TestWithCsrf:
    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    @pytest.fixture
    def started(self, client, make_user) -> str:
        return start_through_the_forms(client, make_user())

    def test_an_ended_session_is_told_as_such_not_as_an_expired_form(self, app, client, started):
        client.delete_cookie("session")  # the session ended: its CSRF token went with it
        data = form(0, {"alleen-spreken": "vraag-alleen"}, csrf_token=started)
        autosave = client.post(f"{CASE}/opslaan", data=data, headers=JSON)
        assert autosave.status_code == 401
        assert (
            client.post(f"{CASE}/volgende", data=data)
            .headers["Location"]
            .startswith("/account/inloggen?next=/quiz/test-cursus/testcasus")
        )
        assert answers_in_db(app) == {}

    def test_a_logged_in_save_without_the_token_is_still_refused(self, app, client, started):
        for action in ("opslaan", "volgende", "inleveren"):
            response = client.post(f"{CASE}/{action}", data=form(0, RIGHT[0]))
            assert response.status_code == 400
        assert answers_in_db(app) == {}
        saved = client.post(f"{CASE}/opslaan", data=form(0, RIGHT[0], csrf_token=started))
        assert saved.status_code == 302
        assert set(answers_in_db(app)) == set(RIGHT[0])

    def test_a_token_is_only_good_for_its_own_session_however_often_it_was_accepted(
        self, app, client, started, make_user
    ):
        for _ in range(2):  # the second save meets a token already found valid
            saved = client.post(
                f"{CASE}/opslaan", data=form(0, RIGHT[0], csrf_token=started), headers=JSON
            )
            assert saved.status_code == 200 and saved.get_json()["saved"] is True
        tampered = started[:-2] + ("AA" if not started.endswith("AA") else "BB")
        refused = client.post(f"{CASE}/opslaan", data=form(0, RIGHT[0], csrf_token=tampered))
        assert refused.status_code == 400

        other = app.test_client()
        own = start_through_the_forms(other, make_user())
        answers = {"alleen-spreken": "politie-bellen"}
        stolen = other.post(f"{CASE}/opslaan", data=form(0, answers, csrf_token=started))
        assert stolen.status_code == 400
        assert answers_in_db(app)["alleen-spreken"].response == ["vraag-alleen"]
        mine = other.post(f"{CASE}/opslaan", data=form(0, answers, csrf_token=own), headers=JSON)
        assert mine.status_code == 200
