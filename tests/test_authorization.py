"""Authorization matrix: every route of the URL map for six kinds of visitor, with the status each
must get, nothing written by a refused request, and nobody's personal data in a page that is not
theirs to see. A route missing from MATRIX fails `test_every_route_is_in_the_matrix`: add it.

The world: trainer T follows cohort A, with learner L as member; trainer T2 follows cohort B,
with learner L2. L has two submitted attempts (one reflection shared with the trainer, one not),
a certificate, an evaluation and an open invitation to cohort B.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.accounts import service
from app.boosters.schedule import opt_out_token
from app.certificates import numbers
from app.content import get_catalog
from app.extensions import db
from app.live import sessions as live_sessions
from app.models import (
    Answer,
    Attempt,
    Booking,
    Certificate,
    CohortInvite,
    CohortMember,
    Evaluation,
    LessonProgress,
    User,
    utcnow,
)
from app.trainer import cohorts
from tests.factories import build_attempt

from .conftest import PASSWORD

# Statuses here are about who may do what; rate limits have their own tests.
pytestmark = pytest.mark.no_rate_limits

COURSE = "test-cursus"
CASE = "testcasus"
ROLES = ("anonymous", "learner", "other_learner", "other_trainer", "trainer", "admin")

#: Expected outcomes besides plain status codes.
LOGIN = "login"  # 302 to the login page
REDIRECT = "redirect"  # 302 anywhere else
#: Outcomes that refuse the visitor: such a request must not change the database.
REFUSED = {LOGIN, 403, 404, 405}

#: What only L may ever see, what L's trainers and admins may see too, and likewise for L2.
UNSHARED_REFLECTION = "Ik twijfelde of ik de begeleider durfde weg te sturen"
SHARED_REFLECTION = "Het gesprek over veiligheid vond ik het moeilijkst"
L_PDF = b"%PDF-1.7 certificaat-bytes-van-de-deelnemer"
L_PERSONAL = ("griselda.vandenbroucke@example.nl", "Griselda", "98765432109")
L2_PERSONAL = ("otto.overkamp@example.nl", "Ottokar", "12312312312")


@dataclass
class World:
    users: dict[str, User]
    cohort: int
    other_cohort: int
    join_code: str
    certificate_number: str
    confirm_token: str
    reset_token: str
    invite_token: str
    booking_id: int
    live_session: int
    live_code: str
    opt_out_token: str
    course: str = COURSE
    lesson: str = "eerste-les"
    quiz: str = CASE
    attempt_number: int = 1
    chart: str = "trechter"
    dossier_kind: str = "pdf"
    static_file: str = "css/signaal.css"

    @property
    def learner_id(self) -> int:
        return self.users["learner"].id


def _answer(question: str, response: Any, readable: str, **fields: Any) -> Answer:
    stage = "tweede-consult" if question == "reflectie-eigen-gevoel" else "eerste-consult"
    return Answer(
        stage_id=stage,
        question_id=question,
        response=response,
        readable=readable,
        **fields,
    )


def _attempt(user_id: int, number: int, reflection: str, shared: bool) -> Attempt:
    attempt = build_attempt(
        user_id, CASE, number=number, at=utcnow() - dt.timedelta(minutes=number)
    )
    attempt.answers.append(
        _answer("alleen-spreken", ["vraag-alleen"], "Je vraagt de begeleider...", score=1.0)
    )
    attempt.answers.append(
        _answer("reflectie-eigen-gevoel", reflection, reflection, score=None, shared=shared)
    )
    return attempt


def _certificate(user: User) -> Certificate:
    course = get_catalog().course(COURSE)
    return Certificate(
        number=numbers.new_number(),
        user_id=user.id,
        kind="accreditation",
        course_slug=COURSE,
        course_version=course.version,
        course_hash="0" * 64,
        course_title=course.title,
        initials=user.initials,
        tussenvoegsel=user.tussenvoegsel,
        surname=user.surname,
        profession=user.profession,
        big_number=user.big_number,
        completed_on=dt.date(2026, 3, 10),
        study_load_minutes=30,
        accreditation_body="ABC1",
        accreditation_status="applied",
        points=2,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2027, 12, 31),
        layout_version="test-v1",
        pdf=L_PDF,
        sha256=hashlib.sha256(L_PDF).hexdigest(),
    )


@pytest.fixture
def world(app: Flask, make_user: Callable[..., User]) -> World:
    users = {
        "learner": make_user(
            email=L_PERSONAL[0],
            first_name=L_PERSONAL[1],
            big_number=L_PERSONAL[2],
            initials="G.",
            tussenvoegsel="",
            surname="Vandenbroucke",
        ),
        "other_learner": make_user(
            email=L2_PERSONAL[0], first_name=L2_PERSONAL[1], big_number=L2_PERSONAL[2]
        ),
        "other_trainer": make_user(
            role="trainer", first_name="Tineke", profession="other", big_number=None
        ),
        "trainer": make_user(
            role="trainer", first_name="Theo", profession="other", big_number=None
        ),
        "admin": make_user(role="admin", profession="other", big_number=None),
    }
    with app.app_context():
        trainer = db.session.get(User, users["trainer"].id)
        other_trainer = db.session.get(User, users["other_trainer"].id)
        learner = db.session.get(User, users["learner"].id)
        group = cohorts.create_cohort(trainer, "Groep Noord", COURSE)
        other_group = cohorts.create_cohort(other_trainer, "Groep Zuid", COURSE)
        db.session.add(CohortMember(cohort_id=group.id, user_id=learner.id))
        db.session.add(CohortMember(cohort_id=other_group.id, user_id=users["other_learner"].id))
        for lesson in get_catalog().course(COURSE).lessons:
            db.session.add(
                LessonProgress(
                    user_id=learner.id,
                    course_slug=COURSE,
                    lesson_slug=lesson.slug,
                    completed_at=utcnow(),
                    seconds_on_task=600,
                )
            )
        db.session.add(_attempt(learner.id, 1, UNSHARED_REFLECTION, shared=False))
        db.session.add(_attempt(learner.id, 2, SHARED_REFLECTION, shared=True))
        db.session.add(
            Evaluation(
                user_id=learner.id,
                course_slug=COURSE,
                course_version=get_catalog().course(COURSE).version,
                relevance=4,
                content_quality=4,
                didactics=4,
                study_time="about_right",
                comments="Goede casussen.",
            )
        )
        certificate = _certificate(learner)
        db.session.add(certificate)
        invite = CohortInvite(cohort_id=other_group.id, email=learner.email, token="uitnodiging-l")
        db.session.add(invite)
        db.session.flush()
        booking = Booking(
            certificate_id=certificate.id,
            course_slug=COURSE,
            state="rejected",
            big_number=certificate.big_number or "",
            error_number=100,
            error_message="Beroepsbeoefenaar op regel 1 bestaat niet in PE.",
        )
        db.session.add(booking)
        # T leads a live session with answering open; L has joined.
        live = live_sessions.start(trainer, get_catalog().quiz(COURSE, CASE))
        live_sessions.join(live, learner)
        live.phase = "open"
        db.session.commit()
        return World(
            users=users,
            cohort=group.id,
            other_cohort=other_group.id,
            join_code=cohorts.format_code(group.join_code),
            certificate_number=certificate.number,
            confirm_token=service.make_token(learner, "confirm"),
            reset_token=service.make_token(learner, "reset"),
            invite_token=invite.token,
            booking_id=booking.id,
            live_session=live.id,
            live_code=live_sessions.format_code(live.code),
            opt_out_token=opt_out_token(learner),
        )


# --- the matrix ------------------------------------------------------------------------------


def each(outcome: int | str) -> dict[str, int | str]:
    """The same for everybody (public pages)."""
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome: int | str = 200, anonymous: int | str = LOGIN) -> dict[str, int | str]:
    """Every logged-in user, whatever the role; visitors go to the login page."""
    return {**dict.fromkeys(ROLES, outcome), "anonymous": anonymous}


def learner_own(outcome: int | str = 200) -> dict[str, int | str]:
    """Only L (the owner of the object in the address); everybody else gets 404."""
    return {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN, "learner": outcome}


def staff(outcome: int | str = 200, other_trainer: int | str | None = None) -> dict[str, int | str]:
    """Trainers and admins; learners get 403."""
    return {
        "anonymous": LOGIN,
        "learner": 403,
        "other_learner": 403,
        "other_trainer": outcome if other_trainer is None else other_trainer,
        "trainer": outcome,
        "admin": outcome,
    }


def cohort_staff(outcome: int | str = 200) -> dict[str, int | str]:
    """Cohort A's trainer and admins; a trainer of another cohort gets 404 (not even 403)."""
    return staff(outcome, other_trainer=404)


def live_owner(outcome: int | str = 200) -> dict[str, int | str]:
    """Only T, who leads the live session; other trainers and admins get 404."""
    return {**staff(outcome, other_trainer=404), "admin": 404}


def admins(outcome: int | str = 200) -> dict[str, int | str]:
    return {**dict.fromkeys(ROLES, 403), "anonymous": LOGIN, "admin": outcome}


@dataclass(frozen=True)
class Case:
    expected: dict[str, int | str]
    #: Values for the address where the rule's argument name is ambiguous (number, token).
    params: dict[str, str] = field(default_factory=dict)
    #: The form to post: a valid one, so a missing check would show up as a write.
    data: Callable[[World], dict[str, Any]] | None = None
    query: dict[str, str] = field(default_factory=dict)


def _upload(world: World) -> dict[str, Any]:
    return {"pdf": (io.BytesIO(b"%PDF-1.4 niet het echte bestand"), "certificaat.pdf")}


PROFILE = {
    "initials": "X.",
    "first_name": "Xander",
    "surname": "Gewijzigd",
    "profession": "other",
    "big_number": "",
}
NEW_PASSWORD = {
    "current": PASSWORD,
    "password": "een-ander-lang-wachtwoord",
    "confirm": "een-ander-lang-wachtwoord",
}
ANSWERS = {
    "attempt": "1",
    "stage": "0",
    "question": "alleen-spreken",
    "answer-alleen-spreken": "vraag-alleen",
}
EVALUATION = {
    "relevance": "5",
    "content_quality": "5",
    "didactics": "5",
    "study_time": "about_right",
    "comments": "Prima.",
}
CERT = {"number": "certificate_number"}
ATTEMPT = {"number": "attempt_number"}
LIVE = {"code": "live_code"}

MATRIX: dict[str, Case] = {
    # learning
    "GET /": Case(each(200)),
    "GET /leren/<course_slug>": Case(signed_in(200)),
    "GET /leren/<course_slug>/<lesson_slug>": Case(signed_in(200)),
    "POST /leren/<course_slug>/<lesson_slug>/afronden": Case(signed_in(REDIRECT)),
    "POST /leren/<course_slug>/actief": Case(
        signed_in(204), data=lambda w: {"kind": "lesson", "page": "eerste-les"}
    ),
    # Logged out, a shared card link gets a page that says what it is and how to log in.
    "GET /leren/<course_slug>/signalenkaart": Case(signed_in(200, anonymous=200)),
    "GET /leren/<course_slug>/signalenkaart.pdf": Case(signed_in(200, anonymous=200)),
    # accounts
    "GET /account/registreren": Case({**each(REDIRECT), "anonymous": 200}),
    "POST /account/registreren": Case({**each(REDIRECT), "anonymous": 200}),
    "GET /account/inloggen": Case({**each(REDIRECT), "anonymous": 200}),
    "POST /account/inloggen": Case({**each(REDIRECT), "anonymous": 200}),
    "GET /account/inloggen/code": Case(each(LOGIN)),
    "POST /account/inloggen/code": Case(each(LOGIN), data=lambda w: {"code": "123456"}),
    # Logging out ends the session on the server (a write) and leads to the start page.
    "POST /account/uitloggen": Case(each(REDIRECT)),
    "GET /account/bevestigen/<token>": Case(each(REDIRECT), params={"token": "confirm_token"}),
    "POST /account/bevestiging-opnieuw": Case(signed_in(REDIRECT)),
    "GET /account/wachtwoord-vergeten": Case(each(200)),
    # The reset request answers everybody the same way and sends them to the login page.
    "POST /account/wachtwoord-vergeten": Case(
        each(LOGIN), data=lambda w: {"email": "niemand@example.nl"}
    ),
    "GET /account/wachtwoord-herstellen/<token>": Case(each(200), params={"token": "reset_token"}),
    "POST /account/wachtwoord-herstellen/<token>": Case(
        each(200), params={"token": "reset_token"}, data=lambda w: {"password": "kort"}
    ),
    "GET /account/wachtwoord": Case(signed_in(200)),
    "POST /account/wachtwoord": Case(signed_in(REDIRECT), data=lambda w: NEW_PASSWORD),
    "GET /account/profiel": Case(signed_in(200)),
    "POST /account/profiel": Case(signed_in(REDIRECT), data=lambda w: PROFILE),
    "GET /account/tweestapsverificatie": Case(staff(200)),
    "POST /account/tweestapsverificatie": Case(staff(200), data=lambda w: {"code": "000000"}),
    "GET /account/mijn-gegevens": Case(signed_in(200)),
    "GET /account/mijn-gegevens.json": Case(signed_in(200)),
    # Everyone deletes only their own account; the world's only admin may not (400).
    "POST /account/verwijderen": Case(
        {**signed_in(REDIRECT), "admin": 400},
        data=lambda w: {"password": PASSWORD, "confirm": "VERWIJDER"},
    ),
    # quizzes: attempts are addressed per learner, so another learner's number is not theirs
    "GET /quiz/<course_slug>/<quiz_slug>": Case(signed_in(200)),
    "POST /quiz/<course_slug>/<quiz_slug>/starten": Case(signed_in(REDIRECT)),
    "POST /quiz/<course_slug>/<quiz_slug>/opslaan": Case(
        learner_own(REDIRECT), data=lambda w: ANSWERS
    ),
    "POST /quiz/<course_slug>/<quiz_slug>/volgende": Case(
        learner_own(REDIRECT), data=lambda w: ANSWERS
    ),
    "POST /quiz/<course_slug>/<quiz_slug>/inleveren": Case(
        learner_own(REDIRECT), data=lambda w: ANSWERS
    ),
    "GET /quiz/<course_slug>/<quiz_slug>/poging/<int:number>": Case(
        learner_own(200), params=ATTEMPT
    ),
    # certificates
    "GET /certificaat/<course_slug>": Case(signed_in(200)),
    "POST /certificaat/<course_slug>": Case(signed_in(REDIRECT), data=lambda w: {"confirm": "y"}),
    "GET /certificaat/<course_slug>/<number>.pdf": Case(learner_own(200), params=CERT),
    "GET /certificaat/<course_slug>/evaluatie": Case(signed_in(200)),
    "POST /certificaat/<course_slug>/evaluatie": Case(
        {**signed_in(REDIRECT), "learner": 200}, data=lambda w: EVALUATION
    ),
    "GET /certificaat/<course_slug>/evaluaties": Case(staff(200)),
    # trainer pages (cohort A)
    "GET /groepen": Case(staff(200)),
    "GET /groepen/nieuw": Case(staff(200)),
    "POST /groepen/nieuw": Case(
        staff(REDIRECT), data=lambda w: {"name": "Nieuwe groep", "course": COURSE}
    ),
    "GET /groepen/<int:cohort_id>": Case(cohort_staff(200)),
    "GET /groepen/<int:cohort_id>/grafiek/<name>.svg": Case(cohort_staff(200)),
    "GET /groepen/<int:cohort_id>/deelnemers.csv": Case(cohort_staff(200)),
    "GET /groepen/<int:cohort_id>/herinnering": Case(cohort_staff(200)),
    # Back to the preview (a changed selection) or to the overview (queued): a redirect.
    "POST /groepen/<int:cohort_id>/herinnering": Case(
        cohort_staff(REDIRECT), data=lambda w: {"filter": "vast", "aantal": "0"}
    ),
    "GET /groepen/<int:cohort_id>/beheer": Case(cohort_staff(200)),
    "POST /groepen/<int:cohort_id>/beheer": Case(
        cohort_staff(REDIRECT), data=lambda w: {"instellingen-join_until": ""}
    ),
    "POST /groepen/<int:cohort_id>/nieuwe-code": Case(cohort_staff(REDIRECT)),
    "POST /groepen/<int:cohort_id>/uitnodigen": Case(
        cohort_staff(REDIRECT), data=lambda w: {"uitnodigen-emails": "nieuw@example.nl"}
    ),
    "GET /groepen/<int:cohort_id>/deelnemers/<int:user_id>": Case(
        cohort_staff(200), params={"user_id": "learner_id"}
    ),
    "POST /groepen/<int:cohort_id>/deelnemers/<int:user_id>/extra-poging/<quiz_slug>": Case(
        cohort_staff(REDIRECT), params={"user_id": "learner_id"}
    ),
    "GET /groepen/<int:cohort_id>/itemanalyse": Case(cohort_staff(200)),
    "GET /groepen/itemanalyse": Case(admins(200)),
    "GET /groepen/<int:cohort_id>/boosters": Case(cohort_staff(200)),
    # learners' cohort pages
    "GET /groep/aansluiten": Case(signed_in(200)),
    "POST /groep/aansluiten": Case(signed_in(REDIRECT), data=lambda w: {"code": w.join_code}),
    "GET /groep/aansluiten/<code>": Case(signed_in(200), params={"code": "join_code"}),
    "POST /groep/aansluiten/<code>": Case(
        signed_in(REDIRECT), params={"code": "join_code"}, data=lambda w: {"code": w.join_code}
    ),
    "GET /groep/uitnodiging/<token>": Case(signed_in(200), params={"token": "invite_token"}),
    "POST /groep/uitnodiging/<token>": Case(
        {**signed_in(200), "learner": REDIRECT}, params={"token": "invite_token"}
    ),
    "GET /groep/mijn-opleiders": Case(signed_in(200)),
    "POST /groep/<int:cohort_id>/verlaten": Case(signed_in(REDIRECT)),
    # live sessions
    "GET /live": Case(signed_in(200)),
    "POST /live": Case(signed_in(REDIRECT), data=lambda w: {"code": w.live_code}),
    "GET /live/leiden": Case(staff(200)),
    "POST /live/leiden": Case(
        staff(REDIRECT), data=lambda w: {"case": f"{COURSE}/{CASE}", "cohort": ""}
    ),
    "GET /live/<code>": Case({**signed_in(200), "trainer": REDIRECT}, params=LIVE),
    "POST /live/<code>/meedoen": Case(signed_in(REDIRECT), params=LIVE),
    "POST /live/<code>/antwoord": Case(
        {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN, "learner": REDIRECT},
        params=LIVE,
        data=lambda w: {"stage": "0", "answer-alleen-spreken": "vraag-alleen"},
    ),
    "GET /live/<code>/status": Case(
        {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN, "learner": 200, "trainer": 200},
        params=LIVE,
    ),
    "GET /live/sessie/<int:session_id>": Case(live_owner(200)),
    "GET /live/sessie/<int:session_id>/scherm": Case(live_owner(200)),
    "POST /live/sessie/<int:session_id>/stap": Case(
        live_owner(REDIRECT), data=lambda w: {"step": "close"}
    ),
    "POST /live/sessie/<int:session_id>/notitie": Case(
        live_owner(REDIRECT), data=lambda w: {"stage": "eerste-consult", "text": "Goed gesprek."}
    ),
    "GET /live/sessie/<int:session_id>/verslag.pdf": Case(live_owner(200)),
    "GET /live/sessie/<int:session_id>/presentielijst.csv": Case(live_owner(200)),
    # administration
    "GET /beheer": Case(admins(200)),
    "GET /beheer/gebruikers": Case(admins(200)),
    "GET /beheer/gebruikers/<int:user_id>": Case(admins(200), params={"user_id": "learner_id"}),
    "POST /beheer/gebruikers/<int:user_id>/rol": Case(
        admins(REDIRECT), params={"user_id": "learner_id"}, data=lambda w: {"role": "admin"}
    ),
    "GET /beheer/certificaten": Case(admins(200)),
    "GET /beheer/certificaten/<number>": Case(admins(200), params=CERT),
    "POST /beheer/certificaten/<number>/intrekken": Case(
        admins(REDIRECT), params=CERT, data=lambda w: {"reason": "Naam verkeerd gespeld"}
    ),
    "GET /beheer/auditlog": Case(admins(200)),
    "GET /beheer/mail": Case(admins(200)),
    "GET /beheer/evaluaties": Case(admins(200)),
    "GET /beheer/export": Case(admins(200)),
    "GET /beheer/gaia": Case(admins(200)),
    "POST /beheer/gaia/<int:booking_id>/opnieuw": Case(
        admins(REDIRECT), params={"booking_id": "booking_id"}
    ),
    "GET /beheer/gaia/<course_slug>/plaklijst.txt": Case(admins(200)),
    "GET /beheer/accreditatie/<course_slug>": Case(admins(200)),
    "GET /beheer/accreditatie/<course_slug>.<any(pdf, csv):kind>": Case(
        admins(200), params={"kind": "dossier_kind"}
    ),
    "POST /beheer/export": Case(
        admins(200),
        data=lambda w: {
            "course": COURSE,
            "date_from": "2026-01-01",
            "date_until": "2026-12-31",
            "only_new": "y",
        },
    ),
    # public
    "GET /cursus/<course_slug>": Case(each(200)),
    "GET /privacy": Case(each(200)),
    "GET /logo.png": Case(each(200)),
    "GET /contact": Case(each(200)),
    "GET /verify": Case(each(200)),
    "GET /verify/<number>": Case(each(200), params=CERT),
    "POST /verify/<number>": Case(each(200), params=CERT, data=_upload),
    "GET /api/v1/certificates/<number>": Case(each(200), params=CERT),
    "GET /healthz": Case(each(200)),
    # The unsubscribe link in a booster mail works for whoever holds it, without logging in.
    "GET /boosters/afmelden/<token>": Case(each(200), params={"token": "opt_out_token"}),
    "POST /boosters/afmelden/<token>": Case(each(200), params={"token": "opt_out_token"}),
    "GET /wat-nu": Case(each(200)),
    "GET /wat-nu/sw.js": Case(each(200)),
    "GET /wat-nu/manifest.webmanifest": Case(each(200)),
    "GET /static/<path:filename>": Case(each(200)),
}

#: Default world attribute for each argument name in the rules.
PARAMS = {
    "course_slug": "course",
    "lesson_slug": "lesson",
    "quiz_slug": "quiz",
    "cohort_id": "cohort",
    "name": "chart",
    "filename": "static_file",
    "session_id": "live_session",
}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def rule_keys(app: Flask) -> set[str]:
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods - IGNORED_METHODS
    }


def address(rule: str, case: Case, world: World) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(getattr(world, case.params.get(name) or PARAMS[name]))

    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", value, rule)


def outcome(response: Any) -> int | str:
    if response.status_code == 302:
        return LOGIN if response.location.startswith("/account/inloggen") else REDIRECT
    return response.status_code


def snapshot() -> str:
    """A digest of every row of every table: equal digests mean nothing was written."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest.update(f"{table.name}:{[tuple(row) for row in rows]!r}".encode())
    return digest.hexdigest()


def visible_to(role: str) -> set[str]:
    """Markers of personal data this role may find in a response."""
    learner = {*L_PERSONAL, SHARED_REFLECTION}
    other = set(L2_PERSONAL)
    return {
        "anonymous": set(),
        "learner": learner | {UNSHARED_REFLECTION, L_PDF.decode()},
        "other_learner": other,
        "other_trainer": other,
        "trainer": learner,
        "admin": learner | other,
    }[role]


ALL_MARKERS = {*L_PERSONAL, *L2_PERSONAL, SHARED_REFLECTION, UNSHARED_REFLECTION, L_PDF.decode()}


def log_in(client: FlaskClient, world: World, role: str) -> None:
    client.post("/account/uitloggen")
    if role != "anonymous":
        response = client.post(
            "/account/inloggen", data={"email": world.users[role].email, "password": PASSWORD}
        )
        assert response.status_code == 302, f"{role} could not log in"


def request(client: FlaskClient, key: str, case: Case, world: World) -> Any:
    method, rule = key.split(" ", 1)
    url = address(rule, case, world)
    if method == "GET":
        return client.get(url, query_string=case.query)
    data = case.data(world) if case.data else {}
    return client.open(url, method=method, data=data, query_string=case.query)


# --- tests -----------------------------------------------------------------------------------


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    routes = rule_keys(app)
    missing = sorted(routes - MATRIX.keys())
    assert not missing, f"Add these routes to MATRIX in {__name__}: {missing}"
    stale = sorted(MATRIX.keys() - routes)
    assert not stale, f"These MATRIX entries match no route any more: {stale}"
    for key, case in MATRIX.items():
        assert set(case.expected) == set(ROLES), key


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_route_answers_every_role_as_expected_and_leaks_nothing(
    app: Flask, client: FlaskClient, world: World, key: str
) -> None:
    case = MATRIX[key]
    problems = []
    for role in ROLES:
        log_in(client, world, role)
        with app.app_context():
            before = snapshot()
        response = request(client, key, case, world)
        got = outcome(response)
        expected = case.expected[role]
        if got != expected:
            problems.append(f"{role}: expected {expected}, got {got}")
        if expected in REFUSED:
            with app.app_context():
                if snapshot() != before:
                    problems.append(f"{role}: refused, yet the database changed")
        body = response.get_data()
        response.close()
        for marker in ALL_MARKERS - visible_to(role):
            if marker.encode() in body:
                problems.append(f"{role}: the response shows {marker!r}")
    assert not problems, f"{key}:\n  " + "\n  ".join(problems)


def test_post_only_routes_answer_get_with_405_and_a_friendly_page(
    app: Flask, client: FlaskClient, world: World
) -> None:
    log_in(client, world, "learner")
    adapter = app.url_map.bind("localhost")
    checked = 0
    for key, case in MATRIX.items():
        method, rule = key.split(" ", 1)
        url = address(rule, case, world)
        if method != "POST" or f"GET {rule}" in MATRIX:
            continue
        try:
            adapter.match(url, method="GET")
        except Exception as exc:  # noqa: BLE001 - werkzeug raises MethodNotAllowed here
            if getattr(exc, "code", None) != 405:
                continue
        else:
            continue
        response = client.get(url)
        assert response.status_code == 405, url
        assert "Niet toegestaan" in response.get_data(as_text=True)
        checked += 1
    assert checked >= 10


# --- direct-object references, one by one ----------------------------------------------------


def test_a_trainer_cannot_reach_a_learner_of_another_cohort_through_their_own(
    app: Flask, client: FlaskClient, world: World
) -> None:
    other = world.users["other_learner"]
    log_in(client, world, "trainer")
    for url in (
        f"/groepen/{world.cohort}/deelnemers/{other.id}",
        f"/groepen/{world.other_cohort}/deelnemers/{other.id}",
        f"/groepen/{world.other_cohort}/deelnemers.csv",
        f"/groepen/{world.other_cohort}/itemanalyse",
        f"/groepen/{world.cohort}/deelnemers/{world.users['trainer'].id}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert L2_PERSONAL[0].encode() not in response.data
    response = client.post(f"/groepen/{world.cohort}/deelnemers/{other.id}/extra-poging/{CASE}")
    assert response.status_code == 404


def test_the_cohort_trainer_sees_shared_reflections_but_never_unshared_ones(
    client: FlaskClient, world: World
) -> None:
    for role in ("trainer", "admin"):
        log_in(client, world, role)
        page = client.get(f"/groepen/{world.cohort}/deelnemers/{world.learner_id}").get_data(
            as_text=True
        )
        assert SHARED_REFLECTION in page
        assert UNSHARED_REFLECTION not in page
        csv_text = client.get(f"/groepen/{world.cohort}/deelnemers.csv").get_data(as_text=True)
        assert L_PERSONAL[0] in csv_text or "Vandenbroucke" in csv_text
        assert UNSHARED_REFLECTION not in csv_text and SHARED_REFLECTION not in csv_text


def test_another_learner_gets_404_for_the_attempt_result_and_the_certificate_pdf(
    client: FlaskClient, world: World
) -> None:
    log_in(client, world, "other_learner")
    for url in (
        f"/quiz/{COURSE}/{CASE}/poging/1",
        f"/quiz/{COURSE}/{CASE}/poging/2",
        f"/certificaat/{COURSE}/{world.certificate_number}.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert L_PDF not in response.data and UNSHARED_REFLECTION.encode() not in response.data
    log_in(client, world, "learner")
    response = client.get(f"/certificaat/{COURSE}/{world.certificate_number}.pdf")
    assert response.status_code == 200 and response.data == L_PDF
    assert response.headers["Cache-Control"] == "private, no-store"


def test_public_verification_shows_the_printed_name_but_not_the_big_number_or_email(
    client: FlaskClient, world: World
) -> None:
    for url in (
        f"/verify/{world.certificate_number}",
        f"/api/v1/certificates/{world.certificate_number}",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "Vandenbroucke" in body
        assert L_PERSONAL[2] not in body and L_PERSONAL[0] not in body


def test_evaluation_aggregates_for_trainers_name_nobody(client: FlaskClient, world: World) -> None:
    for role in ("other_trainer", "trainer"):
        log_in(client, world, role)
        page = client.get(f"/certificaat/{COURSE}/evaluaties").get_data(as_text=True)
        assert "Goede casussen." not in page  # comments are for admins only
        assert "Vandenbroucke" not in page and L_PERSONAL[0] not in page


def test_a_learner_cannot_make_themselves_admin_or_revoke_a_certificate(
    app: Flask, client: FlaskClient, world: World
) -> None:
    log_in(client, world, "learner")
    assert (
        client.post(
            f"/beheer/gebruikers/{world.learner_id}/rol", data={"role": "admin"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/beheer/certificaten/{world.certificate_number}/intrekken",
            data={"reason": "Weg ermee"},
        ).status_code
        == 403
    )
    with app.app_context():
        assert db.session.get(User, world.learner_id).role == "learner"
        assert db.session.scalars(select(Certificate.status)).all() == ["valid"]
