"""Faults: a worker killed mid-submission, a locked or unreachable database, a server restart,
and floods of logins, verifications and answer saves. Nothing saved may be lost or half-done."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from app import create_app
from app.content import get_catalog
from app.extensions import db
from app.models import Answer, Attempt, LessonProgress
from app.quizzes import attempts as domain

from .conftest import PASSWORD, PROJECT_ROOT, _base_config

COURSE = "test-cursus"
CASE = f"/quiz/{COURSE}/testcasus"
LESSON = f"/leren/{COURSE}/eerste-les"
FIRST_STAGE = {"signalen-eerste-consult": ["begeleider-praat"], "alleen-spreken": ["vraag-alleen"]}
SERVER_START_TIMEOUT = 30


# --- a real server process -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving tests.faultserver:app on the test database, in its own process group."""

    def __init__(self, database_url: str, tmp_path: Path, kill_marker: Path | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = {
            key: str(value) if isinstance(value, Path) else value
            for key, value in _base_config(database_url, tmp_path).items()
        }
        self.env = {**os.environ, "SIGNAAL_FAULT_CONFIG": json.dumps(config)}
        if kill_marker is not None:
            self.env["SIGNAAL_FAULT_KILL_MARKER"] = str(kill_marker)
        self.log = tmp_path / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(gunicorn), "--workers", "1", "--no-control-socket", "--bind",
                 f"127.0.0.1:{self.port}", "tests.faultserver:app"],
                cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.wait_ready()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log.read_text()
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the server did not come up:\n{self.log.read_text()}")

    def kill(self) -> None:
        """Pull the plug: SIGKILL the arbiter and its workers, no clean shutdown."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@contextlib.contextmanager
def serving(database_url: str, tmp_path: Path, **kwargs: Any) -> Iterator[Server]:
    server = Server(database_url, tmp_path, **kwargs)
    server.start()
    try:
        yield server
    finally:
        server.kill()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Visitor:
    """A browser against the real server: cookies kept, redirects shown, not followed."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )

    def request(
        self, path: str, data: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.server.url + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def login(self, email: str) -> None:
        status, _, _ = self.request("/account/inloggen", {"email": email, "password": PASSWORD})
        assert status == 302


# --- helpers ---------------------------------------------------------------------------------


def ready_to_submit(app: Flask, user_id: int) -> int:
    """An attempt at the test case with every stage opened and answered; its number."""
    with app.app_context():
        quiz = get_catalog().quiz(COURSE, "testcasus")
        attempt = domain.start_attempt(user_id, quiz)
        for index, stage in enumerate(quiz.stages):
            if index:
                domain.reveal_next_stage(attempt, quiz)
            for question in stage.questions:
                response = (
                    "Lastig." if question.type == "reflection"
                    else [o.id for o in question.options if o.correct or question.type == "ordering"]
                )  # fmt: skip
                domain.save_answer(attempt, quiz, question.id, response)
        db.session.commit()
        return attempt.number


def attempt_rows(app: Flask, user_id: int) -> list[tuple[Attempt, list[Answer]]]:
    with app.app_context():
        db.session.expire_all()
        attempts = db.session.scalars(select(Attempt).where(Attempt.user_id == user_id)).all()
        rows = [(a, list(a.answers)) for a in attempts]
        db.session.expunge_all()
        return rows


def stage_form(answers: dict[str, list[str]], attempt: int = 1, stage: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {"attempt": str(attempt), "stage": str(stage), "question": list(answers)}
    data.update({f"answer-{qid}": value for qid, value in answers.items()})
    return data


def checked_options(html: str) -> set[str]:
    """The option ids the quiz page shows as chosen."""
    return set(re.findall(r'value="([^"]+)" checked', html))


# --- a worker killed in the middle of a submission ------------------------------------------


def test_worker_killed_between_grading_and_commit_leaves_the_attempt_unsubmitted(
    app: Flask, make_user, database_url: str, tmp_path: Path
) -> None:
    learner = make_user()
    number = ready_to_submit(app, learner.id)
    marker = tmp_path / "kill-next-submission"
    marker.touch()
    with serving(database_url, tmp_path, kill_marker=marker) as server:
        visitor = Visitor(server)
        visitor.login(learner.email)
        with pytest.raises(OSError):  # the connection dies with the worker: no answer at all
            visitor.request(f"{CASE}/inleveren", {"attempt": str(number)})
        assert not marker.exists(), "the worker was not killed mid-submission"

        [(attempt, answers)] = attempt_rows(app, learner.id)
        assert attempt.submitted_at is None and attempt.score is None and attempt.passed is None
        assert len(answers) == 6 and all(answer.score is None for answer in answers)

        server.wait_ready()  # gunicorn has started a fresh worker
        status, _, headers = visitor.request(f"{CASE}/inleveren", {"attempt": str(number)})
        assert status == 302 and headers["Location"].endswith(f"{CASE}/poging/{number}")
        [(graded, answers)] = attempt_rows(app, learner.id)
        assert graded.submitted_at is not None and graded.score == 1.0 and graded.passed
        assert all(a.score == 1.0 for a in answers if a.question_id != "reflectie-eigen-gevoel")

        status, _, _ = visitor.request(f"{CASE}/inleveren", {"attempt": str(number)})
        assert status == 302
        status, page, _ = visitor.request(f"{CASE}/poging/{number}")
        assert status == 200 and "100%" in page
    [(again, _)] = attempt_rows(app, learner.id)
    assert again.submitted_at == graded.submitted_at  # graded once, not twice


# --- a restart keeps everything saved --------------------------------------------------------


def test_server_killed_and_restarted_keeps_saved_answers_and_progress(
    app: Flask, make_user, database_url: str, tmp_path: Path
) -> None:
    learner = make_user()
    server = Server(database_url, tmp_path)
    server.start()
    try:
        visitor = Visitor(server)
        visitor.login(learner.email)
        assert visitor.request(LESSON)[0] == 200
        assert visitor.request(f"{LESSON}/afronden", {})[0] == 302
        assert visitor.request(f"{CASE}/starten", {})[0] == 302
        # The form post for one question, the autosave (JSON) for the other.
        status, _, _ = visitor.request(
            f"{CASE}/opslaan",
            stage_form({"signalen-eerste-consult": ["begeleider-praat", "blauwe-plekken"]}),
        )
        assert status == 302
        status, body, _ = visitor.request(
            f"{CASE}/opslaan",
            stage_form({"alleen-spreken": ["vraag-alleen"]}),
            headers={"Accept": "application/json"},
        )
        assert status == 200 and json.loads(body)["saved"] is True
    finally:
        server.kill()  # no graceful shutdown: what was acknowledged must already be on disk

    with serving(database_url, tmp_path) as restarted:
        visitor.server = restarted  # the same browser, session cookie and all
        status, page, _ = visitor.request(CASE)
        assert status == 200
        assert checked_options(page) == {"begeleider-praat", "blauwe-plekken", "vraag-alleen"}
        status, page, _ = visitor.request(f"/leren/{COURSE}")
        assert status == 200 and "1 van 2 lessen afgerond" in page
    with app.app_context():
        progress = db.session.scalars(
            select(LessonProgress).where(LessonProgress.user_id == learner.id)
        ).one()
        assert progress.lesson_slug == "eerste-les" and progress.completed_at is not None


# --- the database locked or unreachable ------------------------------------------------------


@pytest.fixture
def config_overrides(database_url: str) -> dict[str, Any]:
    if database_url.startswith("postgresql"):
        # Give up on a held lock after 200 ms instead of waiting (PostgreSQL's lock_timeout).
        return {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c lock_timeout=200"}}}
    return {}


@contextlib.contextmanager
def database_locked(app: Flask, database_url: str) -> Iterator[None]:
    """Another process holds the write lock (SQLite) or an exclusive table lock (PostgreSQL)."""
    if database_url.startswith("sqlite"):
        with app.app_context():
            # Wait 200 ms for a lock instead of app/web.py's 5 s (runs after its connect hook).
            @event.listens_for(db.engine, "connect")
            def short_busy_timeout(dbapi_connection: Any, record: Any) -> None:
                dbapi_connection.execute("PRAGMA busy_timeout=200")

            db.engine.dispose()
            engine = db.engine
        blocker = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
            # The engine may serve later tests (tests/conftest.py: the shared app).
            event.remove(engine, "connect", short_busy_timeout)
    else:
        import psycopg

        plain = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain) as blocker:
            blocker.execute("LOCK TABLE answer, attempt IN ACCESS EXCLUSIVE MODE")
            yield
            blocker.rollback()


def test_locked_database_shows_a_dutch_try_again_page_and_loses_nothing(
    app: Flask, client, auth, make_user, database_url: str
) -> None:
    learner = make_user()
    auth.login(learner)
    client.post(f"{CASE}/starten")
    saved = client.post(f"{CASE}/opslaan", data=stage_form({"alleen-spreken": ["vraag-alleen"]}))
    assert saved.status_code == 302

    with database_locked(app, database_url):
        started = time.monotonic()
        page = client.post(
            f"{CASE}/opslaan", data=stage_form({"signalen-eerste-consult": ["blauwe-plekken"]})
        )
        autosave = client.post(
            f"{CASE}/opslaan",
            data=stage_form({"signalen-eerste-consult": ["blauwe-plekken"]}),
            headers={"Accept": "application/json"},
        )
        waited = time.monotonic() - started

    text = page.get_data(as_text=True)
    assert page.status_code == 503
    assert "Tijdelijk niet beschikbaar" in text and "probeer het" in text and "opnieuw" in text
    assert "Traceback" not in text and "OperationalError" not in text and "locked" not in text
    assert autosave.status_code == 503 and "opnieuw" in autosave.get_json()["message"]
    assert waited < 4  # a short wait, then the page: the learner is not left hanging

    # After recovery: the earlier answer is still there and the retried save goes through.
    again = client.post(
        f"{CASE}/opslaan", data=stage_form({"signalen-eerste-consult": ["blauwe-plekken"]})
    )
    assert again.status_code == 302
    assert checked_options(client.get(CASE).get_data(as_text=True)) == {
        "vraag-alleen",
        "blauwe-plekken",
    }


def test_unreachable_database_shows_the_try_again_page_not_a_stack_trace(
    app: Flask, client, auth, make_user, tmp_path: Path
) -> None:
    learner = make_user()
    auth.login(learner)
    # The same app and secret key, but the database server is gone (nothing listens there).
    config = {**_base_config("postgresql+psycopg://postgres@127.0.0.1:9/gone", tmp_path)}
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"connect_timeout": 2}}
    down = create_app(config)
    cookie = client.get_cookie("session")
    assert cookie is not None
    visitor = down.test_client()
    visitor.set_cookie("session", cookie.value)
    for path in (LESSON, CASE, f"/leren/{COURSE}"):
        response = visitor.get(path)
        text = response.get_data(as_text=True)
        assert response.status_code == 503, path
        assert "probeer het" in text and "Traceback" not in text
    assert visitor.get("/healthz").get_json() == {"status": "degraded", "database": "unavailable"}


def _end_connections(app: Flask) -> None:
    """The database ends every connection to it but one of its own, as a restart would: the
    pool's and the one read pages hold."""
    with app.app_context():
        db.session.remove()
        with db.engine.connect() as other:
            other.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            other.commit()
            other.invalidate()  # not back into the pool: only ended ones are there


def test_connections_lost_at_rest_are_replaced_before_use(
    app: Flask, client, auth, make_user, database_url: str, monkeypatch
) -> None:
    """Connections are pinged before use after a rest (app.pool): a page after the database
    dropped them works; one within the moment after may ask to try again, the next works."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a SQLite file has no server to lose connections to")
    pages = (LESSON, f"/leren/{COURSE}")  # a read page (its own connection) and a pooled one
    auth.login(make_user())
    assert [client.get(page).status_code for page in pages] == [200, 200]
    try:
        _end_connections(app)
        monkeypatch.setattr("app.pool.PING_AFTER_IDLE_SECONDS", 0.0)  # every use has rested
        assert [client.get(page).status_code for page in pages * 2] == [200] * 4
        monkeypatch.setattr("app.pool.PING_AFTER_IDLE_SECONDS", 3600.0)  # none has
        _end_connections(app)
        first = [client.get(page) for page in pages]
        assert {r.status_code for r in first} <= {200, 503}
        assert not any("Traceback" in r.get_data(as_text=True) for r in first)
        assert [client.get(page).status_code for page in pages] == [200, 200]
    finally:
        with app.app_context():
            db.engine.dispose()  # no ended connection left for the tests after this one


# --- floods are limited, per client --------------------------------------------------------


@pytest.fixture
def behind_proxy(app: Flask) -> Flask:
    assert app.config["TRUSTED_PROXIES"] == 1
    return app


def from_ip(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


class TestFloods:
    @pytest.fixture
    def config_overrides(self) -> dict[str, Any]:
        # A lower save limit than the default 120 a minute keeps the flood short.
        return {"TRUSTED_PROXIES": 1, "QUIZ_SAVE_RATE_LIMIT": "20 per minute"}

    def test_login_flood_is_stopped_while_another_client_logs_in(
        self, app: Flask, make_user, behind_proxy: Flask
    ) -> None:
        target, other = make_user(), make_user()
        attacker, neighbour = app.test_client(), app.test_client()
        statuses = [
            attacker.post(
                "/account/inloggen",
                data={"email": target.email, "password": f"fout-{n}"},
                headers=from_ip("203.0.113.9"),
            ).status_code
            for n in range(12)
        ]
        assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
        blocked = attacker.post(
            "/account/inloggen",
            data={"email": other.email, "password": PASSWORD},
            headers=from_ip("203.0.113.9"),
        )
        assert blocked.status_code == 429 and "Te veel pogingen" in blocked.get_data(as_text=True)
        welcome = neighbour.post(
            "/account/inloggen",
            data={"email": other.email, "password": PASSWORD},
            headers=from_ip("198.51.100.20"),
        )
        assert welcome.status_code == 302

    @pytest.mark.parametrize(
        "path", ["/verify/ABCD-EFGH-JKMN", "/api/v1/certificates/ABCD-EFGH-JKMN"]
    )
    def test_verification_flood_is_stopped_while_another_client_verifies(
        self, app: Flask, behind_proxy: Flask, path: str
    ) -> None:
        crawler, checker = app.test_client(), app.test_client()
        limit = int(app.config["VERIFY_RATE_LIMIT"].split()[0])
        statuses = {
            crawler.get(path, headers=from_ip("203.0.113.9")).status_code for _ in range(limit)
        }
        assert 429 not in statuses
        flooded = crawler.get(path, headers=from_ip("203.0.113.9"))
        assert flooded.status_code == 429
        assert checker.get(path, headers=from_ip("198.51.100.20")).status_code != 429

    def test_answer_save_flood_is_stopped_for_that_learner_only(
        self, app: Flask, make_user, behind_proxy: Flask
    ) -> None:
        flooder, other = make_user(), make_user()
        clients = {}
        for user, address in ((flooder, "203.0.113.9"), (other, "198.51.100.20")):
            browser = app.test_client()
            browser.post("/account/inloggen", data={"email": user.email, "password": PASSWORD},
                         headers=from_ip(address))  # fmt: skip
            browser.post(f"{CASE}/starten", headers=from_ip(address))
            clients[user.id] = browser
        autosave = {"Accept": "application/json"}
        data = stage_form(FIRST_STAGE)
        statuses = [
            clients[flooder.id]
            .post(f"{CASE}/opslaan", data=data, headers={**autosave, **from_ip("203.0.113.9")})
            .status_code
            for _ in range(21)
        ]
        assert statuses[:20] == [200] * 20 and statuses[20] == 429
        flooded = clients[flooder.id].post(
            f"{CASE}/opslaan", data=data, headers={**autosave, **from_ip("198.51.100.20")}
        )
        assert flooded.status_code == 429  # per learner: another address does not help
        assert "Wacht" in flooded.get_json()["message"]
        other_save = clients[other.id].post(
            f"{CASE}/opslaan", data=data, headers={**autosave, **from_ip("198.51.100.20")}
        )
        assert other_save.status_code == 200 and other_save.get_json()["saved"] is True


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
def test_rate_limits_in_redis_are_shared_by_servers_on_several_machines(
    database_url: str, tmp_path: Path, app: Flask, make_user
) -> None:
    redis_url = os.environ["TEST_REDIS_URL"].rsplit("/", 1)[0] + "/15"
    shared = {
        "TRUSTED_PROXIES": 1,
        "RATELIMIT_STORAGE_URI": redis_url,
        # A fresh namespace per run, so counts from an earlier run cannot leak in.
        "RATELIMIT_KEY_PREFIX": f"signaal-test-{uuid.uuid4().hex}",
    }
    first, second = (
        create_app({**_base_config(database_url, tmp_path), **shared}) for _ in range(2)
    )
    target, other = make_user(), make_user()
    for n in range(10):
        server = first if n % 2 else second  # a load balancer alternating between machines
        response = server.test_client().post(
            "/account/inloggen",
            data={"email": target.email, "password": "fout"},
            headers=from_ip("203.0.113.9"),
        )
        assert response.status_code == 200
    for server in (first, second):
        flooded = server.test_client().post(
            "/account/inloggen",
            data={"email": target.email, "password": "fout"},
            headers=from_ip("203.0.113.9"),
        )
        assert flooded.status_code == 429
    welcome = second.test_client().post(
        "/account/inloggen",
        data={"email": other.email, "password": PASSWORD},
        headers=from_ip("198.51.100.20"),
    )
    assert welcome.status_code == 302
    for server in (first, second):
        with server.app_context():
            db.engine.dispose()
