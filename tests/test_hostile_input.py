"""Hostile input: malformed and oversized input at the content parser, every form, the addresses
and the JSON API. Never a 500 (the test client re-raises any unhandled exception, so one fails
the test outright), clear errors, and nothing written where the input is refused.

Hypothesis runs a bounded number of examples per test (a few seconds each); the app and its
database live for the whole test, so the checks compare the database before and after each
request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.certificates import numbers
from app.content import ContentError, get_catalog, load_catalog
from app.extensions import db
from app.models import (
    ROLES,
    Answer,
    Attempt,
    Certificate,
    CohortMember,
    User,
)
from app.quizzes.attempts import REFLECTION_MAX, normalise_response
from app.trainer import cohorts

from .conftest import FIXTURE_CONTENT, PASSWORD

# Hundreds of requests per test would trip the rate limits, which have their own tests.
pytestmark = pytest.mark.no_rate_limits

COURSE = "test-cursus"
CASE = f"/quiz/{COURSE}/testcasus"

BOUNDED = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- strategies ------------------------------------------------------------------------------

#: Anything a browser can send as UTF-8 (lone surrogates cannot be encoded at all).
CHARACTERS = st.characters(blacklist_categories=("Cs",))
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "' OR '1'='1' --",
    '"; DROP TABLE "user"; --',
    "<script>alert(1)</script>",
    "%",
    "_",
    "%_%",
    "\\",
    "../../etc/passwd",
    "9" * 40,
    "9" * 5000,
    "-1",
    "0",
    "²",
    "١٢٣",
    "😀" * 30,
    "\u202egnp.exe",
    "\r\n" * 50,
    "x" * 100_000,
    "SIG-0000-0000-0",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
]
TEXT = st.one_of(st.text(CHARACTERS, max_size=40), st.sampled_from(NASTY), st.integers().map(str))
#: A field sent once, or several times (a list where the form expects one value).
VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3))


def form_data(*fields: str) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the form's fields with hostile values, plus a few unexpected ones."""
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(fields, VALUE))
    extra = st.dictionaries(st.text(CHARACTERS, min_size=1, max_size=12), TEXT, max_size=2)
    return st.tuples(known, extra).map(lambda pair: {**pair[1], **pair[0]})


# --- the world and the checks ----------------------------------------------------------------


@dataclass
class World:
    learner: User
    trainer: User
    admin: User
    cohort_id: int
    certificate: str


@pytest.fixture
def world(app: Flask, make_user: Callable[..., User]) -> World:
    learner = make_user(surname="Doelwit")
    trainer = make_user(role="trainer", profession="other", big_number=None)
    admin = make_user(role="admin", profession="other", big_number=None)
    with app.app_context():
        cohort = cohorts.create_cohort(db.session.get(User, trainer.id), "Groep", COURSE)
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=learner.id))
        pdf = b"%PDF-1.7 uitgegeven"
        certificate = Certificate(
            number=numbers.new_number(),
            user_id=learner.id,
            kind="accreditation",
            course_slug=COURSE,
            course_version="2026.1",
            course_hash="0" * 64,
            course_title="Testcursus",
            initials="A.B.",
            surname="Doelwit",
            profession="gp",
            big_number=learner.big_number,
            completed_on=dt.date(2026, 3, 10),
            study_load_minutes=30,
            accreditation_body="ABC1",
            accreditation_status="applied",
            period_start=dt.date(2026, 1, 1),
            layout_version="test-v1",
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
        db.session.add(certificate)
        db.session.commit()
        return World(learner, trainer, admin, cohort.id, certificate.number)


def db_state(app: Flask) -> str:
    """A digest of every row of every table (a refused login writes nothing either)."""
    digest = hashlib.sha256()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = list(table.columns)
            rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            digest.update(f"{table.name}:{[tuple(r) for r in rows]!r}".encode())
    return digest.hexdigest()


def log_in(client: FlaskClient, user: User | None) -> None:
    client.post("/account/uitloggen")
    if user is not None:
        response = client.post(
            "/account/inloggen", data={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 302


def assert_clear_answer(response: Any) -> None:
    """No server error; an error page says in words what went wrong."""
    assert response.status_code < 500, response.status_code
    if response.status_code >= 400 and response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        assert "<h1>" in page and "Er ging iets mis" not in page


# --- the content parser ----------------------------------------------------------------------

PROBLEM = re.compile(r"^(courses|quizzes)/[^\n]*?:\d+: \S")
CONTENT_FILES = sorted(
    p.relative_to(FIXTURE_CONTENT).as_posix() for p in FIXTURE_CONTENT.rglob("*") if p.is_file()
)


def load_mutated(mutate: Callable[[Path], None]) -> None:
    """Copy the fixture content, mutate it, load it: a catalog, or file:line problems."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(FIXTURE_CONTENT, root, dirs_exist_ok=True)
        mutate(root)
        try:
            load_catalog(root / "courses", root / "quizzes")
        except ContentError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert PROBLEM.match(problem), problem


@BOUNDED
@given(path=st.sampled_from(CONTENT_FILES), data=st.binary(max_size=3000))
def test_random_bytes_in_any_content_file_are_reported_by_file_and_line(
    path: str, data: bytes
) -> None:
    load_mutated(lambda root: (root / path).write_bytes(data))


@BOUNDED
@given(path=st.sampled_from(CONTENT_FILES), data=st.data())
def test_lines_deleted_duplicated_or_garbled_are_reported_by_file_and_line(
    path: str, data: st.DataObject
) -> None:
    def mutate(root: Path) -> None:
        target = root / path
        lines = target.read_text(encoding="utf-8").splitlines()
        for _ in range(data.draw(st.integers(1, 4))):
            if not lines:
                break
            index = data.draw(st.integers(0, len(lines) - 1))
            action = data.draw(st.sampled_from(["delete", "duplicate", "garble", "truncate"]))
            if action == "delete":
                del lines[index]
            elif action == "duplicate":
                lines.insert(index, lines[index])
            elif action == "garble":
                lines[index] = data.draw(st.one_of(st.text(CHARACTERS, max_size=60), TEXT))
            else:
                lines[index] = lines[index][: data.draw(st.integers(0, len(lines[index])))]
        target.write_text("\n".join(lines), encoding="utf-8")

    load_mutated(mutate)


#: TOML values of every type, to put where another type belongs.
TOML_VALUES = st.sampled_from(
    [
        '""',
        '"x"',
        '"' + "x" * 20_000 + '"',
        '"\\u0000"',
        '"Alles-Kapot"',
        "0",
        "-1",
        "99999999999999999",
        "1e309",
        "nan",
        "true",
        "[]",
        "[1, 2]",
        '["a", 1]',
        "[[]]",
        "{}",
        "{ a = 1 }",
        '{ slug = "x" }',
        "1979-05-27",
        "1979-05-27T07:32:00Z",
        "07:32:00",
    ]
)
_ASSIGNMENT = re.compile(r"^(\s*[A-Za-z0-9_\"'.-]+\s*=\s*)(.+)$")


@BOUNDED
@given(
    path=st.sampled_from([p for p in CONTENT_FILES if p.endswith((".toml", ".md"))]),
    data=st.data(),
)
def test_values_of_the_wrong_type_are_reported_by_file_and_line(
    path: str, data: st.DataObject
) -> None:
    def mutate(root: Path) -> None:
        target = root / path
        lines = target.read_text(encoding="utf-8").splitlines()
        assignments = [i for i, line in enumerate(lines) if _ASSIGNMENT.match(line)]
        for _ in range(data.draw(st.integers(1, 3))):
            index = data.draw(st.sampled_from(assignments))
            key = _ASSIGNMENT.match(lines[index]).group(1)  # type: ignore[union-attr]
            lines[index] = key + data.draw(TOML_VALUES)
        target.write_text("\n".join(lines), encoding="utf-8")

    load_mutated(mutate)


@BOUNDED
@given(
    names=st.lists(
        st.one_of(
            st.text(
                st.characters(whitelist_categories=("Ll", "Nd", "Pd")), min_size=1, max_size=12
            ),
            st.sampled_from(["99-x.md", "01-eerste-les.md", "x.toml", "ab.md", "00-.md"]),
        ),
        min_size=1,
        max_size=3,
    ),
    where=st.sampled_from(["courses", "courses/test-cursus", "quizzes", "quizzes/test-cursus"]),
    content=st.binary(max_size=200),
)
def test_unexpected_files_and_folders_are_reported_by_file_and_line(
    names: list[str], where: str, content: bytes
) -> None:
    def mutate(root: Path) -> None:
        for name in names:
            if name.startswith("."):
                continue
            target = root / where / name
            if target.exists():
                continue
            if "." in name:
                target.write_bytes(content)
            else:
                target.mkdir()

    load_mutated(mutate)


# --- forms -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormCase:
    who: str  # "anonymous", "learner", "trainer" or "admin"
    url: str  # may hold {cohort} and {certificate}
    fields: tuple[str, ...]
    #: Whether this input may write (a success); anything else must leave the database alone.
    may_write: Callable[[Any, dict[str, Any]], bool] = lambda response, data: (
        response.status_code == 302
    )
    method: str = "POST"


def _single(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    return value if isinstance(value, str) else None


PROFILE_FIELDS = ("initials", "first_name", "tussenvoegsel", "surname", "profession", "big_number")
FORMS = {
    "registration": FormCase(
        "anonymous",
        "/account/registreren",
        ("email", "password", "confirm", *PROFILE_FIELDS),
    ),
    "login": FormCase("anonymous", "/account/inloggen", ("email", "password")),
    "login code": FormCase("anonymous", "/account/inloggen/code", ("code",)),
    "reset request": FormCase(
        "anonymous", "/account/wachtwoord-vergeten", ("email",), lambda r, d: False
    ),
    "reset with a forged token": FormCase(
        "anonymous",
        "/account/wachtwoord-herstellen/vervalst.token",
        ("password", "confirm"),
        lambda r, d: False,
    ),
    "profile": FormCase("learner", "/account/profiel", PROFILE_FIELDS),
    "password change": FormCase(
        "learner", "/account/wachtwoord", ("current", "password", "confirm"), lambda r, d: False
    ),
    "account deletion": FormCase(
        "learner", "/account/verwijderen", ("password", "confirm"), lambda r, d: False
    ),
    "two-factor setup": FormCase("trainer", "/account/tweestapsverificatie", ("code",)),
    "certificate confirmation": FormCase(
        "learner",
        f"/certificaat/{COURSE}",
        ("confirm", "shown_name", "shown_big_number"),
        lambda r, d: False,
    ),
    "evaluation": FormCase(
        "learner",
        f"/certificaat/{COURSE}/evaluatie",
        ("relevance", "content_quality", "didactics", "study_time", "comments"),
    ),
    "join code": FormCase("learner", "/groep/aansluiten", ("code",), lambda r, d: False),
    "join link": FormCase("learner", "/groep/aansluiten/ABCD-2345", ("code",), lambda r, d: False),
    "invitation": FormCase(
        "learner", "/groep/uitnodiging/geen-echte-uitnodiging", ("submit",), lambda r, d: False
    ),
    "leave cohort": FormCase("learner", "/groep/999999/verlaten", ("submit",), lambda r, d: False),
    "new cohort": FormCase("trainer", "/groepen/nieuw", ("name", "course", "join_until")),
    "join settings": FormCase(
        "trainer",
        "/groepen/{cohort}/beheer",
        ("instellingen-join_open", "instellingen-join_until"),
    ),
    "invitations": FormCase("trainer", "/groepen/{cohort}/uitnodigen", ("uitnodigen-emails",)),
    "revocation": FormCase("admin", "/beheer/certificaten/{certificate}/intrekken", ("reason",)),
    "register export": FormCase(
        "admin",
        "/beheer/export",
        ("course", "date_from", "date_until", "only_new"),
        lambda r, d: r.status_code == 200 and r.mimetype == "text/csv",
    ),
    "role change": FormCase(
        "admin",
        "/beheer/gebruikers/{learner}/rol",
        ("role",),
        lambda r, d: _single(d, "role") in ROLES,
    ),
}


def who(world: World, name: str) -> User | None:
    return None if name == "anonymous" else getattr(world, name)


def url_of(case: FormCase, world: World) -> str:
    return case.url.format(
        cohort=world.cohort_id, certificate=world.certificate, learner=world.learner.id
    )


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_form_refuses_hostile_input_without_a_500_or_a_write(
    app: Flask, client: FlaskClient, world: World, name: str
) -> None:
    case = FORMS[name]
    log_in(client, who(world, case.who))
    url = url_of(case, world)

    @BOUNDED
    @given(data=form_data(*case.fields))
    def post(data: dict[str, Any]) -> None:
        before = db_state(app)
        response = client.open(url, method=case.method, data=data)
        assert_clear_answer(response)
        if not case.may_write(response, data):
            assert db_state(app) == before, f"{name}: refused input changed the database"

    post()


def test_a_nul_character_anywhere_gets_a_clear_400_on_every_database(
    app: Flask, client: FlaskClient, world: World
) -> None:
    before = db_state(app)
    for response in (
        client.post("/account/inloggen", data={"email": "a\x00@example.nl", "password": "x"}),
        client.get("/verify", query_string={"number": "SIG\x00"}),
        client.get("/groep/uitnodiging/abc%00def"),
    ):
        assert response.status_code == 400
        assert "Ongeldig verzoek" in response.get_data(as_text=True)
    response = client.get("/api/v1/certificates/SIG%00")
    assert response.status_code == 400 and response.json["error"] == "Ongeldig verzoek"
    log_in(client, world.learner)
    response = client.post(
        "/account/profiel",
        data={
            "initials": "A.\x00",
            "first_name": "Anna",
            "surname": "Berg",
            "profession": "other",
            "big_number": "",
        },
    )
    assert response.status_code == 400
    assert db_state(app) == before


# --- addresses and query strings -------------------------------------------------------------

SEGMENT = st.one_of(
    st.text(CHARACTERS, min_size=1, max_size=30),
    st.sampled_from([n for n in NASTY if n and len(n) < 200]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from([str(2**31 - 1), str(2**31), str(2**63), str(2**64)]),
)
QUERY = st.dictionaries(
    st.sampled_from(
        ["pagina", "q", "status", "role", "zoek", "filter", "sort", "volgorde", "cursus", "next"]
    ),
    TEXT,
    max_size=4,
)


def get_rules(app: Flask) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != "static"
    )


@pytest.mark.parametrize("who_name", ["learner", "admin"])
def test_random_values_in_every_address_and_query_never_give_a_500(
    app: Flask, client: FlaskClient, world: World, who_name: str
) -> None:
    log_in(client, who(world, who_name))
    rules = get_rules(app)

    @settings(BOUNDED, max_examples=120)
    @given(rule=st.sampled_from(rules), data=st.data(), query=QUERY)
    def visit(rule: str, data: st.DataObject, query: dict[str, str]) -> None:
        url = re.sub(r"<[^>]+>", lambda m: quote(data.draw(SEGMENT), safe=""), rule)
        response = client.get(url, query_string=query)
        assert_clear_answer(response)
        response.close()

    visit()


def test_huge_ids_and_pages_are_404_or_the_last_page_not_a_500(
    client: FlaskClient, world: World
) -> None:
    log_in(client, world.admin)
    for url in (
        f"/groepen/{2**64}",
        f"/groepen/{world.cohort_id}/deelnemers/{2**63}",
        f"/quiz/{COURSE}/testcasus/poging/{2**40}",
    ):
        assert client.get(url).status_code == 404, url
    for url in ("/beheer/certificaten", "/beheer/gebruikers", "/beheer/auditlog"):
        response = client.get(url, query_string={"pagina": str(2**64)})
        assert response.status_code == 200, url


# --- the quiz's answer form ------------------------------------------------------------------

QUESTION_IDS = [
    "signalen-eerste-consult",
    "alleen-spreken",
    "gespreksvolgorde",
    "reflectie-eigen-gevoel",
    "volgende-stap",
    "wat-vastleggen",
]


def _option_ids(app: Flask) -> list[str]:
    with app.app_context():
        quiz = get_catalog().quiz(COURSE, "testcasus")
        return [o.id for q in quiz.questions for o in q.options]


def quiz_form(option_ids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    option = st.one_of(st.sampled_from(option_ids), TEXT)
    answers = st.dictionaries(
        st.sampled_from(QUESTION_IDS).map(lambda q: f"answer-{q}"),
        st.one_of(
            option,
            st.lists(option, max_size=6),
            st.sampled_from(["x" * (REFLECTION_MAX + 1), "y" * 100_000]),
        ),
        max_size=4,
    )
    extras = st.dictionaries(
        st.sampled_from(
            [
                "order-gespreksvolgorde",
                "shared-reflectie-eigen-gevoel",
                "position-gespreksvolgorde-open-vragen",
                "position-gespreksvolgorde-vastleggen",
            ]
        ),
        st.one_of(TEXT, st.lists(st.sampled_from(option_ids), max_size=4).map(",".join)),
        max_size=3,
    )
    return st.fixed_dictionaries(
        {"question": st.lists(st.one_of(st.sampled_from(QUESTION_IDS), TEXT), max_size=6)},
        optional={
            "attempt": st.one_of(st.just("1"), TEXT),
            "stage": st.one_of(st.sampled_from(["0", "1", "2"]), TEXT),
        },
    ).flatmap(
        lambda base: st.tuples(answers, extras).map(lambda pair: {**base, **pair[0], **pair[1]})
    )


def assert_stored_answers_are_valid(app: Flask) -> None:
    """Whatever was posted, every stored answer is one the quiz allows, in an open stage."""
    with app.app_context():
        quiz = get_catalog().quiz(COURSE, "testcasus")
        [attempt] = db.session.scalars(select(Attempt)).all()
        assert attempt.submitted_at is None
        for answer in db.session.scalars(select(Answer)):
            question = quiz.question(answer.question_id)
            assert question is not None
            assert quiz.stage_of(question.id) < attempt.stages_revealed
            assert normalise_response(question, answer.response) == answer.response
            assert not answer.shared or question.type == "reflection"


@pytest.mark.parametrize("stage", [0, 1])
def test_the_quiz_form_stores_only_valid_answers_whatever_is_posted(
    app: Flask, client: FlaskClient, world: World, stage: int
) -> None:
    log_in(client, world.learner)
    assert client.post(f"{CASE}/starten").status_code == 302
    if stage:
        client.post(f"{CASE}/volgende", data={"attempt": "1", "stage": "0", "bevestigd": "1"})
    options = _option_ids(app)

    @BOUNDED
    @given(data=quiz_form(options), as_json=st.booleans())
    def save(data: dict[str, Any], as_json: bool) -> None:
        headers = {"Accept": "application/json"} if as_json else {}
        response = client.post(f"{CASE}/opslaan", data=data, headers=headers)
        assert_clear_answer(response)
        if as_json and response.status_code in (200, 409):
            body = response.get_json()
            assert isinstance(body["saved"], bool)
            assert all(isinstance(e, str) and e for e in body["errors"])
        assert_stored_answers_are_valid(app)

    save()


def test_a_too_long_reflection_is_refused_with_its_length_and_not_stored(
    app: Flask, client: FlaskClient, world: World
) -> None:
    log_in(client, world.learner)
    client.post(f"{CASE}/starten")
    client.post(f"{CASE}/volgende", data={"attempt": "1", "stage": "0", "bevestigd": "1"})
    response = client.post(
        f"{CASE}/opslaan",
        data={
            "attempt": "1",
            "stage": "1",
            "question": "reflectie-eigen-gevoel",
            "answer-reflectie-eigen-gevoel": "x" * (REFLECTION_MAX + 1),
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409
    assert f"{REFLECTION_MAX + 1} tekens" in response.json["errors"][0]
    with app.app_context():
        assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_a_single_choice_question_posted_twice_keeps_one_known_option(
    app: Flask, client: FlaskClient, world: World
) -> None:
    log_in(client, world.learner)
    client.post(f"{CASE}/starten")
    response = client.post(
        f"{CASE}/opslaan",
        data={
            "attempt": "1",
            "stage": "0",
            "question": "alleen-spreken",
            "answer-alleen-spreken": ["vraag-alleen", "confronteer"],
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalars(select(Answer.response)).all() == [["vraag-alleen"]]


def test_an_unknown_option_is_refused_with_a_sentence_and_not_stored(
    app: Flask, client: FlaskClient, world: World
) -> None:
    log_in(client, world.learner)
    client.post(f"{CASE}/starten")
    response = client.post(
        f"{CASE}/opslaan",
        data={
            "attempt": "1",
            "stage": "0",
            "question": "signalen-eerste-consult",
            "answer-signalen-eerste-consult": ["buikpijn", "' OR 1=1 --"],
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409
    assert "keuze die bij deze vraag niet bestaat" in response.json["errors"][0]
    with app.app_context():
        assert db.session.scalar(select(func.count(Answer.id))) == 0


# --- verification: numbers, the JSON API and uploaded PDFs -----------------------------------

WELL_FORMED = st.text(st.sampled_from(numbers.ALPHABET), min_size=8, max_size=8).map(
    lambda data: numbers.format_number(data + numbers.ALPHABET[numbers.check_value(data) % 32])
)


@BOUNDED
@given(
    number=st.one_of(SEGMENT, WELL_FORMED),
    accept=st.sampled_from(["*/*", "text/html", "application/json", "x/y;q=oops"]),
)
def test_the_api_answers_any_number_with_json_and_never_writes(
    app: Flask, client: FlaskClient, world: World, number: str, accept: str
) -> None:
    before = db_state(app)
    response = client.get(
        f"/api/v1/certificates/{quote(number, safe='')}", headers={"Accept": accept}
    )
    assert response.status_code in (200, 301, 308, 400, 404), response.status_code
    body = response.get_json() if response.status_code in (200, 400, 404) else {}
    if "status" in body:
        assert body["status"] in ("valid", "revoked", "unknown", "mistyped")
        assert (body["certificate"] is None) == (response.status_code == 404)
    elif response.status_code >= 400:
        # Not an address of the API at all (say, a "/" in the number): the JSON error.
        assert body["error"] and body["message"]
    assert db_state(app) == before


@BOUNDED
@given(number=st.one_of(SEGMENT, WELL_FORMED))
def test_the_lookup_form_and_page_answer_any_number(
    app: Flask, client: FlaskClient, world: World, number: str
) -> None:
    before = db_state(app)
    assert_clear_answer(client.get("/verify", query_string={"number": number}))
    assert_clear_answer(client.get(f"/verify/{quote(number, safe='')}"))
    assert db_state(app) == before


def files_under(*folders: Path) -> set[Path]:
    return {p for folder in folders if folder.exists() for p in folder.rglob("*")}


@pytest.fixture
def private_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point tempfile at an empty folder of our own, so any file an upload leaves shows up."""
    folder = tmp_path / "uploads-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@BOUNDED
@given(
    data=st.one_of(
        st.binary(max_size=4000),
        st.binary(max_size=4000).map(lambda b: b"%PDF-1.7\n" + b),
        st.sampled_from([b"", b"%PDF-", b"%PDF-1.7 uitgegeven", b"\x00" * 1000]),
    ),
    filename=st.one_of(
        st.text(CHARACTERS, max_size=40), st.sampled_from(["../../x.pdf", "a\x00.pdf", ""])
    ),
)
def test_uploaded_files_are_compared_in_memory_and_never_stored(
    app: Flask, client: FlaskClient, world: World, private_tmp: Path, data: bytes, filename: str
) -> None:
    instance = Path(app.instance_path)
    files_before = files_under(instance, private_tmp)
    before = db_state(app)
    response = client.post(
        f"/verify/{world.certificate}", data={"pdf": (io.BytesIO(data), filename)}
    )
    assert_clear_answer(response)
    assert response.status_code in (200, 400)
    assert db_state(app) == before
    assert files_under(instance, private_tmp) == files_before


@pytest.mark.parametrize(
    ("size", "message"),
    [
        (2 * 1024 * 1024 + 1, "groter dan 2 MB"),  # over the upload limit
        (3 * 1024 * 1024, "een PDF tot 2 MB laten controleren"),  # refused before reading
        (6 * 1024 * 1024, "een PDF tot 2 MB laten controleren"),  # over MAX_CONTENT_LENGTH
    ],
)
def test_an_oversized_upload_gets_413_with_a_friendly_page_and_is_not_stored(
    app: Flask, client: FlaskClient, world: World, private_tmp: Path, size: int, message: str
) -> None:
    instance = Path(app.instance_path)
    files_before = files_under(instance, private_tmp)
    before = db_state(app)
    # Encoded here, in memory: the test client would spool a big body to a file it never closes.
    boundary, body = encode_multipart(
        {"pdf": FileStorage(io.BytesIO(b"%PDF-1.7\n" + b"0" * size), "groot.pdf")}
    )
    response = client.post(
        f"/verify/{world.certificate}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert message in response.get_data(as_text=True)
    assert db_state(app) == before
    assert files_under(instance, private_tmp) == files_before


@pytest.mark.parametrize("place", ["²", "9" * 5000, "-1", "0", "99"])
def test_odd_places_in_the_ordering_menus_never_give_a_500(
    app: Flask, client: FlaskClient, world: World, place: str
) -> None:
    log_in(client, world.learner)
    client.post(f"{CASE}/starten")
    client.post(f"{CASE}/volgende", data={"attempt": "1", "stage": "0", "bevestigd": "1"})
    response = client.post(
        f"{CASE}/opslaan",
        data={
            "attempt": "1",
            "stage": "1",
            "question": "gespreksvolgorde",
            "position-gespreksvolgorde-vastleggen": place,
        },
    )
    assert response.status_code == 302
    assert_stored_answers_are_valid(app)


@settings(BOUNDED, max_examples=60)
@given(
    target=st.one_of(
        st.text(CHARACTERS, max_size=40),
        st.sampled_from(
            [
                "//evil.example",
                "/\\evil.example",
                "\\\\evil.example",
                "https://evil.example/",
                "/\t/evil.example",
                "javascript:alert(1)",
                "/%2F%2Fevil.example",
                "///evil.example",
                "http:evil.example",
            ]
        ),
        st.text(CHARACTERS, max_size=20).map(lambda t: "/" + t),
    )
)
def test_the_next_address_after_login_never_leads_to_another_site(
    app: Flask, client: FlaskClient, world: World, target: str
) -> None:
    client.post("/account/uitloggen")
    response = client.post(
        "/account/inloggen",
        query_string={"next": target},
        data={"email": world.learner.email, "password": PASSWORD},
    )
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        resolved = urljoin("https://signaal.example.nl/account/inloggen", response.location)
        assert urlsplit(resolved).netloc == "signaal.example.nl", response.location
