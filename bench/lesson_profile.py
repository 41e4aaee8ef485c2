"""`python -m bench.lesson_profile`: where a signed-in lesson GET spends its time, in process.

Calls the WSGI apps directly (no server, no test client), so what is timed is the app itself:
the lesson page of a signed-in learner against the bare page (bench/baseline_app.py) in
interleaved rounds, then each piece of the lesson request on its own inside a request context,
and with `--cprofile` the functions a few thousand lesson requests spend their time in.
Figures are per request in ms; compare ratios, the machine may be busy. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.test import EnvironBuilder

from .baseline_app import create_baseline_app
from .baseline_app import create_schema as create_baseline_schema
from .browser import USER_AGENT
from .data import app_env, fresh_database, in_process_app, seed_in_process, seeded


def _environ(path: str, cookie: str = "") -> dict[str, Any]:
    headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})}
    builder = EnvironBuilder(
        path=path,
        headers=headers,
        base_url="http://127.0.0.1:8000",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


class _Caller:
    """One request through the app's WSGI callable, as gunicorn makes it; returns the status."""

    def __init__(self, app: Flask, environ: dict[str, Any]) -> None:
        self.app, self.environ = app, environ
        self.status = ""
        self.headers: list[tuple[str, str]] = []

    def _start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> None:
        self.status, self.headers = status, headers

    def __call__(self) -> int:
        body = self.app(dict(self.environ), self._start_response)
        for _ in body:
            pass
        getattr(body, "close", lambda: None)()
        return int(self.status[:3])


def per_call_ms(action: Callable[[], object], count: int, rounds: int) -> float:
    """Best of `rounds` means over `count` calls, in ms (the least disturbed round)."""
    best = []
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(count):
            action()
        best.append((time.perf_counter() - began) * 1000 / count)
    return min(best)


def log_in(app: Flask, email: str, password: str) -> str:
    """Sign in through the real form (CSRF included); the session cookie header."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    page = client.get("/account/inloggen").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"email": email, "password": password, "csrf_token": token.group(1) if token else ""}
    response = client.post("/account/inloggen", data=data)
    if response.status_code != 302:
        raise RuntimeError(f"login failed: HTTP {response.status_code}")
    cookie = client.get_cookie("session")
    if cookie is None:
        raise RuntimeError("login set no session cookie")
    return f"session={cookie.value}"


def pieces(
    app: Flask, lesson_path: str, cookie: str, count: int, rounds: int
) -> list[tuple[str, float]]:
    """The lesson request taken apart: each piece timed alone inside a request context, as
    this build does it (run in another checkout, it times that build's pieces)."""
    from flask import g, render_template, request, session
    from flask_babel import get_locale, refresh

    from app.content import get_catalog
    from app.extensions import db
    from app.learning import views
    from app.session_user import user_of_session

    figures: list[tuple[str, float]] = []

    def timed(name: str, action: Callable[[], object]) -> None:
        figures.append((name, per_call_ms(action, count, rounds)))

    def per_use(name: str, expression: str, uses: int = 30) -> None:
        """A template expression's cost: 30 uses, less 30 plain strings, per use."""
        env = app.jinja_env
        used = env.from_string(expression * uses)
        plain = env.from_string("{{ 'Naar de inhoud' }}" * uses)
        with_it = per_call_ms(used.render, count, rounds)
        without = per_call_ms(plain.render, count, rounds)
        figures.append((name, (with_it - without) / uses))

    builder = {
        "path": lesson_path,
        "headers": {"Cookie": cookie, "User-Agent": USER_AGENT},
        "base_url": "http://127.0.0.1:8000",
        "environ_base": {"REMOTE_ADDR": "127.0.0.1"},
    }
    with app.test_request_context(**builder):
        interface = app.session_interface
        opened = interface.open_session(app, request)
        assert opened is not None and "_user_id" in opened
        timed(
            "session cookie decode (remembered per cookie; itsdangerous and JSON the first time)",
            lambda: interface.open_session(app, request),
        )
        serializer = interface.get_signing_serializer(app)
        assert serializer is not None
        data = dict(opened)
        timed("session cookie encode (only when it changed)", lambda: serializer.dumps(data))
        session.update(opened)
        session_id = opened["_user_id"]

        def load_user() -> None:
            user_of_session(session_id)
            db.session.remove()

        timed("user load as the lesson's loader does it, with session teardown", load_user)
        user = user_of_session(session_id)
        g._login_user = user
        before = [f for f in app.before_request_funcs.get(None, [])]
        timed(
            "before_request hooks (CSRF check, session clock, NUL check, limiter)",
            lambda: [f() for f in before],
        )
        csrf_token = app.jinja_env.globals["csrf_token"]

        def csrf() -> None:
            g.pop("csrf_token", None)
            csrf_token()

        timed("CSRF token for the page (first call of a request)", csrf)
        csrf_token()

        def locale() -> None:
            refresh()
            get_locale()

        timed("babel: locale selection (once per request)", locale)
        per_use("babel: one _() in a template", "{{ _('Naar de inhoud') }}")
        per_use("url_for, one call in a template", "{{ url_for('learning.catalogue') }}")
        course = next(iter(get_catalog().courses.values()))
        lesson = course.lessons[-1]
        context = {**views._lesson_context(course, lesson), "completed_on": None}
        timed(
            "template render in full (lesson + layout; kept pages render it once per variant)",
            lambda: render_template("learning/lesson.html", **context),
        )
        try:
            from app.kept_pages import render_kept
        except ImportError:  # an older build, run in its checkout
            pass
        else:
            timed(
                "kept page: look-up and filling in (what a lesson request renders)",
                lambda: render_kept(
                    "learning/lesson.html",
                    lesson,
                    {"completed_on": None},
                    lambda: views._lesson_context(course, lesson),
                ),
            )
        after = [f for f in app.after_request_funcs.get(None, [])]

        def respond() -> None:
            response = app.response_class("x")
            for f in reversed(after):
                response = f(response)

        timed("after_request hooks (security headers, limiter, Flask-Login)", respond)
    return figures


def floors(
    env: dict[str, str], cookie: str, count: int, rounds: int, profile: int = 0
) -> list[tuple[str, float]]:
    """Whole requests through the app's stack that do less than the lesson page: what a page
    costs before its own work (a second app instance, with three bench-only routes)."""
    from flask import render_template
    from flask_login import login_required

    try:
        from app.web import unlimited
    except ImportError:  # an older build (`python -m bench.lesson_profile` run in its checkout)
        from app.extensions import limiter

        unlimited = limiter.exempt

    app = in_process_app(env)

    def empty() -> str:
        return "ok"

    app.add_url_rule("/_bench/empty", "bench_empty", empty)
    app.add_url_rule("/_bench/signed-in", "bench_signed_in", login_required(unlimited(empty)))
    body = "é" * 15_000  # 30 kB of UTF-8, as a lesson page
    app.add_url_rule("/_bench/body", "bench_body", lambda: body)
    try:
        from sqlalchemy import literal_column

        from app.session_user import read_with_user
    except ImportError:  # an older build, run in its checkout
        read_page = None
    else:
        read_with_user("bench_read", literal_column("1").label("bench_one"))
        read_page = login_required(unlimited(lambda course_slug, lesson_slug: body))
        app.add_url_rule("/_bench/read/<course_slug>/<lesson_slug>", "bench_read", read_page)
    layout = app.jinja_env.from_string(
        '{% extends "base.html" %}{% block content %}<p>ok</p>{% endblock %}'
    )
    app.add_url_rule(
        "/_bench/layout",
        "bench_layout",
        login_required(unlimited(lambda: render_template(layout))),
    )
    calls = []
    pages = [
        ("empty page, anonymous: Flask, Werkzeug and the app's hooks", "/_bench/empty", False),
        ("a 30 kB body, anonymous, with the session cookie", "/_bench/body", True),
        ("empty page behind @login_required (session, user load)", "/_bench/signed-in", True),
        ("the layout alone (base.html, empty content), signed in", "/_bench/layout", True),
    ]
    if read_page is not None:
        pages.insert(2, ("a 30 kB body, signed in, as a read page", "/_bench/read/x/y", True))
    for name, path, with_cookie in pages:
        call = _Caller(app, _environ(path, cookie if with_cookie else ""))
        if (status := call()) != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        calls.append((name, call))
    best = {name: float("inf") for name, _ in calls}
    for _ in range(rounds):  # interleaved, like the lesson and bare page
        for name, call in calls:
            best[name] = min(best[name], per_call_ms(call, count, 1))
    if profile:
        print(profile_lesson(calls[1][1], profile, 30))
    rows = list(best.items())
    return rows


def profile_lesson(call: Callable[[], object], count: int, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        call()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lesson_profile", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--requests", type=int, default=500, help="requests per timed round")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (best counts)")
    parser.add_argument("--cprofile", type=int, default=0, help="profile this many lesson GETs")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument(
        "--cprofile-floor", type=int, default=0, help="profile this many signed-in empty GETs"
    )
    a = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="signaal-lesson-profile-"))
    try:
        with fresh_database(a.db, workdir) as database_url:
            env = app_env(database_url, workdir)
            seed_in_process(env, [("seed", "--learners", "20", "--random-seed", "1")])
            app = in_process_app(env)
            data = seeded(app)
            cookie = log_in(app, data.learners[0][1], data.learner_password)
            from app.content import get_catalog

            with app.app_context():
                course = get_catalog().course(data.course_slug)
                lesson_path = f"/leren/{course.slug}/{course.lessons[-1].slug}"
            lesson = _Caller(app, _environ(lesson_path, cookie))
            if (status := lesson()) != 200:
                raise RuntimeError(f"{lesson_path}: HTTP {status}")
            # Seen at the driver: the lesson reads past SQLAlchemy's events (app.driver).
            from tests.statements import sent_statements

            with sent_statements(app) as sent:
                lesson()
            first_words = (" ".join(statement.split()[:2]) for statement in sent)
            print(f"statements per lesson GET: {', '.join(first_words)}")
            if any(name == "Set-Cookie" for name, _ in lesson.headers):
                print("! the lesson page re-signs the session cookie on every request")

            baseline_url = f"sqlite:///{workdir / 'baseline.sqlite3'}"
            create_baseline_schema(baseline_url)
            bare = _Caller(create_baseline_app(baseline_url), _environ("/page"))
            assert bare() == 200

            lesson_times, bare_times = [], []
            for _ in range(a.rounds):
                bare_times.append(per_call_ms(bare, a.requests, 1))
                lesson_times.append(per_call_ms(lesson, a.requests, 1))
            best_lesson, best_bare = min(lesson_times), min(bare_times)
            print(
                f"\n{a.db}: {a.rounds} interleaved rounds of {a.requests} requests, WSGI in process"
            )
            print(
                f"  bare page    best {best_bare:.3f} ms  median {statistics.median(bare_times):.3f} ms"
            )
            print(
                f"  lesson page  best {best_lesson:.3f} ms  median {statistics.median(lesson_times):.3f} ms"
            )
            print(f"  ratio (bare / lesson, best): {best_bare / best_lesson:.0%}")

            print("\nPieces of the lesson request (best round, ms per call):")
            for name, value in pieces(app, lesson_path, cookie, max(a.requests // 2, 50), a.rounds):
                print(f"  {value:7.3f}  {name}")
            print("\nFloors: whole requests that do less (best round, ms per request):")
            for name, value in floors(env, cookie, a.requests, a.rounds, a.cprofile_floor):
                print(f"  {value:7.3f}  {name}")
            if a.cprofile:
                print(profile_lesson(lesson, a.cprofile, a.top))
            from app.extensions import db

            with app.app_context():
                db.engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
