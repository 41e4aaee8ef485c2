"""Live sessions: a case played in a toetsgroep, led by an EKC, answered on phones, reported."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Attempt, AuditEvent, Certificate, CohortMember, LiveAnswer, User
from app.trainer import cohorts

from .conftest import client_for

CASE = "test-cursus/testcasus"


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "ekc": make_user(
            role="trainer",
            first_name="Eva",
            surname="Kwaliteit",
            profession="gp",
            big_number="11122233344",
        ),
        "anna": make_user(first_name="Femke", surname="Aalders", big_number="12345678901"),
        "bram": make_user(first_name="Bram", surname="Bosman", big_number="10987654321"),
        "cas": make_user(first_name="Cas", surname="Claessen", big_number="55566677788"),
    }


def start(client: FlaskClient, **extra: str) -> tuple[int, str]:
    response = client.post("/live/leiden", data={"case": CASE, "cohort": "", **extra})
    assert response.status_code == 302
    session_id = int(response.location.rsplit("/", 1)[1])
    page = client.get(response.location).get_data(as_text=True)
    code = re.search(r'class="live-code-inline">([A-Z0-9]{3}-[A-Z0-9]{3})<', page).group(1)
    return session_id, code


def step(client: FlaskClient, session_id: int, name: str) -> None:
    response = client.post(f"/live/sessie/{session_id}/stap", data={"step": name})
    assert response.status_code == 302
    with client.session_transaction() as cookie:
        refused = [m for category, m in cookie.get("_flashes", []) if category == "error"]
    assert not refused, refused


def join(client: FlaskClient, code: str) -> None:
    assert client.post(f"/live/{code}/meedoen").status_code == 302


def answer(client: FlaskClient, code: str, stage: int, **answers: list[str]) -> str:
    data: dict = {"stage": str(stage)}
    data.update({f"answer-{q}": options for q, options in answers.items()})
    response = client.post(f"/live/{code}/antwoord", data=data, follow_redirects=True)
    return response.get_data(as_text=True)


def test_a_session_from_start_to_report(app: Flask, people: dict[str, User]) -> None:
    ekc, anna, bram = (client_for(app, people[n]) for n in ("ekc", "anna", "bram"))
    session_id, code = start(ekc)
    lobby = ekc.get(f"/live/sessie/{session_id}/scherm").get_data(as_text=True)
    assert code in lobby and "<svg" in lobby and "/live" in lobby

    # Join by code: typed in, then one button.
    typed = anna.post("/live", data={"code": code.lower().replace("-", " ")})
    assert typed.location.endswith(f"/live/{code}")
    assert "Doe mee" in anna.get(f"/live/{code}").get_data(as_text=True)
    join(anna, code)
    join(bram, code)
    assert "Je doet mee" in anna.get(f"/live/{code}").get_data(as_text=True)
    assert "2 deelnemers" in ekc.get(f"/live/sessie/{session_id}").get_data(as_text=True)

    step(ekc, session_id, "next")
    shown = anna.get(f"/live/{code}").get_data(as_text=True)
    assert "Het eerste consult" in shown and 'type="radio"' not in shown
    step(ekc, session_id, "open")
    page = anna.get(f"/live/{code}").get_data(as_text=True)
    assert (
        'name="answer-alleen-spreken"' in page and 'name="answer-signalen-eerste-consult"' in page
    )
    assert "Je antwoord is ontvangen" in answer(
        anna,
        code,
        0,
        **{
            "alleen-spreken": ["vraag-alleen"],
            "signalen-eerste-consult": ["begeleider-praat", "blauwe-plekken"],
        },
    )
    answer(
        bram,
        code,
        0,
        **{"alleen-spreken": ["confronteer"], "signalen-eerste-consult": ["begeleider-praat"]},
    )
    # Changing one's answer while open replaces it.
    answer(bram, code, 0, **{"alleen-spreken": ["vraag-alleen"]})
    # The counts stay hidden until the EKC reveals them.
    assert "live-count" not in anna.get(f"/live/{code}").get_data(as_text=True)
    step(ekc, session_id, "close")
    closed = answer(anna, code, 0, **{"alleen-spreken": ["politie-bellen"]})
    assert "gesloten" in closed
    step(ekc, session_id, "reveal")
    revealed = anna.get(f"/live/{code}").get_data(as_text=True)
    assert "2 deelnemers hebben geantwoord" in revealed and "live-count" in revealed
    assert "live-feedback" not in revealed
    step(ekc, session_id, "feedback")
    feedback = anna.get(f"/live/{code}").get_data(as_text=True)
    assert "Alleen spreken is de basis" in feedback and "juist" in feedback
    ekc.post(
        f"/live/sessie/{session_id}/notitie",
        data={"stage": "eerste-consult", "text": "Groep twijfelde over confronteren."},
    )
    step(ekc, session_id, "next")
    assert "Anna komt alleen terug" in bram.get(f"/live/{code}").get_data(as_text=True)
    step(ekc, session_id, "end")
    assert "afgelopen" in anna.get(f"/live/{code}").get_data(as_text=True)

    pdf = ekc.get(f"/live/sessie/{session_id}/verslag.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert f"EKC: {people['ekc'].formal_name}" in text
    for person in ("anna", "bram"):
        assert people[person].surname in text and people[person].big_number in text
    assert people["cas"].surname not in text
    # Every font is embedded (DejaVu), none left to the reader's machine.
    for page in PdfReader(io.BytesIO(pdf.data)).pages:
        for font in page["/Resources"]["/Font"].values():
            assert "/FontDescriptor" in font.get_object(), font.get_object()["/BaseFont"]
    assert "Groep twijfelde over confronteren." in text
    assert "Anna komt alleen terug" in text
    csv = ekc.get(f"/live/sessie/{session_id}/presentielijst.csv")
    assert csv.data.startswith("\ufeff".encode())
    rows = csv.data.decode("utf-8-sig").splitlines()
    assert rows[0] == "BIG-nummer;Naam;Beroep"
    assert sorted(r.split(";")[0] for r in rows[1:]) == ["10987654321", "12345678901"]
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("live.%"))
        ).all()
    assert sorted(actions) == ["live.attendance", "live.end", "live.report", "live.start"]


def report_lines(pdf: bytes) -> list[str]:
    """The report's text as extracted by pypdf, one table cell or wrapped line per line."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def count_in_report(lines: list[str], question: str, option: str) -> int:
    """The count printed beside an option, within the question's table."""
    after = lines[lines.index(question) :]
    start = next(i for i, line in enumerate(after) if line.startswith(option[:40]))
    return int(next(line for line in after[start:] if line.isdigit()))


def test_the_report_counts_exactly_the_answers_given(app: Flask, people: dict[str, User]) -> None:
    ekc = client_for(app, people["ekc"])
    session_id, code = start(ekc)
    phones = {n: client_for(app, people[n]) for n in ("anna", "bram", "cas")}
    for phone in phones.values():
        join(phone, code)
    step(ekc, session_id, "next")
    step(ekc, session_id, "open")
    first = {"anna": "vraag-alleen", "bram": "vraag-alleen", "cas": "politie-bellen"}
    for name, option in first.items():
        answer(phones[name], code, 0, **{"alleen-spreken": [option]})
    signals = {"anna": ["begeleider-praat", "blauwe-plekken"], "cas": ["begeleider-praat"]}
    for name, options in signals.items():
        answer(phones[name], code, 0, **{"signalen-eerste-consult": options})
    step(ekc, session_id, "close")
    step(ekc, session_id, "end")
    lines = report_lines(ekc.get(f"/live/sessie/{session_id}/verslag.pdf").data)
    assert "Deelnemers (3)" in lines
    first_step, signs = (
        "Wat doe je nu als eerste?",
        "Welke signalen van mensenhandel zie je in dit consult?",
    )
    expected = {
        (first_step, "Je vraagt de begeleider even in de wachtkamer"): 2,
        (first_step, "Je vraagt de begeleider rechtstreeks"): 0,
        (first_step, "Je belt meteen de politie."): 1,
        (signs, "De begeleider beantwoordt de vragen"): 2,
        (signs, "Blauwe plekken op beide bovenarmen."): 1,
        (signs, "De buikpijn zelf."): 0,
        (signs, "Haar leeftijd van 22 jaar."): 0,
    }
    for (question, option), count in expected.items():
        assert count_in_report(lines, question, option) == count, option
    assert lines[lines.index(first_step) + 1] == "Beantwoord door 3"
    assert lines[lines.index(signs) + 1] == "Beantwoord door 2"


def test_participants_see_no_names_no_other_answers_and_cannot_lead(
    app: Flask, people: dict[str, User]
) -> None:
    ekc, anna, bram = (client_for(app, people[n]) for n in ("ekc", "anna", "bram"))
    session_id, code = start(ekc)
    join(anna, code)
    join(bram, code)
    step(ekc, session_id, "next")
    step(ekc, session_id, "open")
    answer(anna, code, 0, **{"alleen-spreken": ["politie-bellen"]})
    bram_page = bram.get(f"/live/{code}").get_data(as_text=True)
    assert "jouw keuze" not in bram_page and "checked" not in bram_page
    step(ekc, session_id, "close")
    step(ekc, session_id, "reveal")
    for client, who in ((bram, "bram"), (ekc, "ekc")):
        pages = [client.get(f"/live/{code}", follow_redirects=True).get_data(as_text=True)]
        if who == "ekc":
            pages.append(client.get(f"/live/sessie/{session_id}/scherm").get_data(as_text=True))
        for page in pages:
            assert people["anna"].surname not in page and people["anna"].first_name not in page
            assert "jouw keuze" not in page
    assert "jouw keuze" in anna.get(f"/live/{code}").get_data(as_text=True)
    # A participant cannot take the EKC's steps, write notes or download the report.
    for url in (f"/live/sessie/{session_id}/stap", f"/live/sessie/{session_id}/notitie"):
        assert (
            anna.post(
                url, data={"step": "next", "stage": "eerste-consult", "text": "x"}
            ).status_code
            == 403
        )
    for url in (
        f"/live/sessie/{session_id}",
        f"/live/sessie/{session_id}/verslag.pdf",
        f"/live/sessie/{session_id}/presentielijst.csv",
    ):
        assert anna.get(url).status_code == 403
    status = anna.get(f"/live/{code}/status").get_json()
    assert set(status) == {"version", "etag"}
    assert "revealed" not in str(status)


def test_another_trainer_cannot_lead_or_read_the_session(
    app: Flask, people: dict[str, User], make_user: Callable[..., User]
) -> None:
    ekc = client_for(app, people["ekc"])
    session_id, code = start(ekc)
    rival = client_for(app, make_user(role="trainer", profession="other", big_number=None))
    for url in ("", "/scherm", "/verslag.pdf", "/presentielijst.csv"):
        assert rival.get(f"/live/sessie/{session_id}{url}").status_code == 404
    assert rival.post(f"/live/sessie/{session_id}/stap", data={"step": "next"}).status_code == 404
    assert rival.get(f"/live/{code}/status").status_code == 404


def test_nobody_joins_a_finished_session(app: Flask, people: dict[str, User]) -> None:
    ekc, anna = client_for(app, people["ekc"]), client_for(app, people["anna"])
    session_id, code = start(ekc)
    step(ekc, session_id, "end")
    assert "afgelopen" in anna.get(f"/live/{code}").get_data(as_text=True)
    page = anna.post(f"/live/{code}/meedoen", follow_redirects=True).get_data(as_text=True)
    assert "afgelopen" in page and "Doe mee</button>" not in page
    assert anna.get(f"/live/{code}/status").status_code == 404
    assert "2 deelnemers" not in ekc.get(f"/live/sessie/{session_id}").get_data(as_text=True)
    assert "0 deelnemers" in ekc.get(f"/live/sessie/{session_id}").get_data(as_text=True)


def test_a_session_for_a_cohort_admits_only_its_members(
    app: Flask, people: dict[str, User]
) -> None:
    with app.app_context():
        trainer = db.session.get(User, people["ekc"].id)
        group = cohorts.create_cohort(trainer, "Toetsgroep Noord", "test-cursus")
        db.session.add(CohortMember(cohort_id=group.id, user_id=people["anna"].id))
        db.session.commit()
        group_id = group.id
    ekc, anna, bram = (client_for(app, people[n]) for n in ("ekc", "anna", "bram"))
    session_id, code = start(ekc, cohort=str(group_id))
    join(anna, code)
    join(bram, code)
    assert "1 deelnemer" in ekc.get(f"/live/sessie/{session_id}").get_data(as_text=True)
    assert "alleen voor de leden" in bram.get(f"/live/{code}").get_data(as_text=True)


def test_live_answers_are_no_attempts_and_earn_no_certificate(
    app: Flask, people: dict[str, User]
) -> None:
    ekc, anna = client_for(app, people["ekc"]), client_for(app, people["anna"])
    session_id, code = start(ekc)
    join(anna, code)
    for name in ("next", "open"):
        step(ekc, session_id, name)
    answer(
        anna,
        code,
        0,
        **{
            "alleen-spreken": ["vraag-alleen"],
            "signalen-eerste-consult": ["begeleider-praat", "blauwe-plekken"],
        },
    )
    step(ekc, session_id, "end")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 2
        for model in (Attempt, Answer, Certificate):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_the_status_answers_304_while_nothing_changed(app: Flask, people: dict[str, User]) -> None:
    ekc, anna, bram = (client_for(app, people[n]) for n in ("ekc", "anna", "bram"))
    session_id, code = start(ekc)
    join(anna, code)
    first = anna.get(f"/live/{code}/status")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    unchanged = anna.get(f"/live/{code}/status", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    # Another participant joining or answering does not wake the phones, only the EKC's screens.
    ekc_etag = ekc.get(f"/live/{code}/status").headers["ETag"]
    join(bram, code)
    assert anna.get(f"/live/{code}/status", headers={"If-None-Match": etag}).status_code == 304
    assert ekc.get(f"/live/{code}/status", headers={"If-None-Match": ekc_etag}).status_code == 200
    step(ekc, session_id, "next")
    changed = anna.get(f"/live/{code}/status", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_steps_out_of_order_are_refused(app: Flask, people: dict[str, User]) -> None:
    ekc = client_for(app, people["ekc"])
    session_id, code = start(ekc)
    ekc.post(f"/live/sessie/{session_id}/stap", data={"step": "reveal"})
    page = ekc.get(f"/live/sessie/{session_id}").get_data(as_text=True)
    assert "Deze stap kan nu niet" in page
    assert "Wachten op deelnemers" in page
