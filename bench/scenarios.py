"""The load scenarios: log learners in over HTTP and build the requests wrk replays."""

from __future__ import annotations

import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .browser import USER_AGENT, Browser, form_on
from .data import Seeded
from .load import Request

FORM = "application/x-www-form-urlencoded"


@dataclass
class Visitor:
    """A logged-in learner: their id, session cookie and CSRF token."""

    user_id: int
    browser: Browser
    csrf_token: str = ""

    @property
    def cookie(self) -> str:
        return self.browser.cookie_header()

    def headers(self, **more: str) -> dict[str, str]:
        """What this visitor's browser sends with a request: its cookie and user agent."""
        return {"Cookie": self.cookie, "User-Agent": USER_AGENT, **more}


def log_in(base_url: str, seeded: Seeded, count: int) -> list[Visitor]:
    """Log `count` seeded learners in through the login form, a few at a time."""
    chosen = seeded.learners[:count]
    if len(chosen) < count:
        raise RuntimeError(f"flask seed made {len(chosen)} learners, the run needs {count}")

    def one(learner: tuple[int, str]) -> Visitor:
        browser = Browser(base_url)
        browser.login(learner[1], seeded.learner_password)
        return Visitor(learner[0], browser)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, chosen))


def log_in_trainer(base_url: str, seeded: Seeded) -> Browser:
    browser = Browser(base_url)
    browser.login(seeded.trainer_email, seeded.trainer_password)
    return browser


def lesson_requests(
    visitors: list[Visitor], course_slug: str, lesson_slugs: list[str]
) -> list[Request]:
    """Every visitor reads every lesson, interleaved so neighbours differ in learner and lesson."""
    return [
        Request("GET", f"/leren/{course_slug}/{lesson}", visitor.headers())
        for lesson in lesson_slugs
        for visitor in visitors
    ]


def refresh_sessions(visitors: list[Visitor], path: str) -> None:
    """Let each visitor load a page, as a reading learner does: a session seen more than a
    minute ago gets a new cookie (`seen_at`), which wrk, replaying cookies, would never take
    up: every request would then re-sign it."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda visitor: visitor.browser.get(path), visitors))


def save_requests(visitors: list[Visitor], course_slug: str, quiz_slug: str) -> list[Request]:
    """Each visitor's autosave of the current stage, built from the quiz page's own form.

    Every visitor has two versions that alternate (the list holds all A's, then all B's), so
    each save changes the stored answers as a learner's click would. The `version-*` fields
    are left out (wrk replays each request many times).
    """
    path = f"/quiz/{course_slug}/{quiz_slug}"

    def one(visitor: Visitor) -> list[Request]:
        page = visitor.browser.get(path)
        if page.status != 200:
            raise RuntimeError(f"quizpagina {path}: HTTP {page.status}")
        form = form_on(page.text, css_class="quiz-form")
        visitor.csrf_token = form.value("csrf_token") or ""
        headers = visitor.headers(**{"Content-Type": FORM, "Accept": "application/json"})
        return [
            Request(
                "POST",
                form.action,
                headers,
                urllib.parse.urlencode(form.filled_unversioned(choice)),
            )
            for choice in (0, 1)
        ]

    with ThreadPoolExecutor(max_workers=4) as pool:
        pairs = list(pool.map(one, visitors))
    return [pair[0] for pair in pairs] + [pair[1] for pair in pairs]


def heartbeat_requests(
    visitors: list[Visitor], course_slug: str, lesson_slugs: list[str]
) -> list[Request]:
    """The study-time heartbeat each visitor's lesson page sends (after `save_requests`, which
    fetched the visitors' CSRF tokens)."""
    return [
        Request(
            "POST",
            f"/leren/{course_slug}/actief",
            visitor.headers(**{"Content-Type": FORM, "X-CSRFToken": visitor.csrf_token}),
            urllib.parse.urlencode({"kind": "lesson", "page": lesson}),
        )
        for lesson in lesson_slugs
        for visitor in visitors
    ]


def submit_requests(
    visitors: dict[int, Visitor], course_slug: str, attempts: list[tuple[int, str, int]]
) -> list[Request]:
    """One submission per prepared attempt (the form the last stage's 'Inleveren' posts)."""
    return [
        Request(
            "POST",
            f"/quiz/{course_slug}/{quiz_slug}/inleveren",
            visitors[user_id].headers(**{"Content-Type": FORM}),
            urllib.parse.urlencode(
                {"csrf_token": visitors[user_id].csrf_token, "attempt": str(number)}
            ),
        )
        for user_id, quiz_slug, number in attempts
    ]


def page_request(browser: Browser, path: str) -> list[Request]:
    return [Request("GET", path, {"Cookie": browser.cookie_header(), "User-Agent": USER_AGENT})]
