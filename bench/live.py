"""A live session (issue #18): participants poll while the EKC steps through a case.

Every participant does what `live.js` does on a phone: once a second (skipping a tick while the
previous poll is still out) `GET /live/<code>/status` with `If-None-Match`; a 304 means
nothing changed, a 200 means the EKC took a step, and the phone then fetches its page again.
The update delay of a step is the time from the EKC sending the step to a participant holding
the page that shows it. The EKC's browser posts each step and loads the control page after it,
as the redirect makes it do.

Two phases of the same session: the pollers alone, then the pollers while wrk keeps the lesson
page busy, so the delay is known with idle and with saturated workers, and the lesson page's
rate during the session shows what the session costs the other learners.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask

from .browser import USER_AGENT, Browser, forms_on
from .load import Result
from .scenarios import Visitor

#: How often a phone polls (live.js: window.setInterval(poll, 1000)).
POLL_SECONDS = 1.0
#: Participants keep polling this long after the last step, so they can see it.
TAIL_SECONDS = 2.0
#: One request never waits longer than this (the run stays bounded).
TIMEOUT_SECONDS = 10.0


def start_session(
    app: Flask, trainer_email: str, participant_ids: list[int], quiz: tuple[str, str]
) -> tuple[int, str]:
    """A session of the case led by the trainer, with every participant joined; (id, code)."""
    from sqlalchemy import select

    from app.content import get_catalog
    from app.extensions import db
    from app.live import sessions
    from app.models import User

    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == trainer_email))
        session = sessions.start(owner, get_catalog().quiz(*quiz))
        for user in db.session.scalars(select(User).where(User.id.in_(participant_ids))):
            sessions.join(session, user)
        db.session.commit()
        return session.id, session.code


@dataclass
class Phase:
    """What the pollers and the EKC saw in one phase."""

    name: str
    seconds: float = 0.0
    #: (status, ms) per status request.
    polls: list[tuple[int, float]] = field(default_factory=list)
    #: Page fetches after a 200 (what a phone does to show the new stage).
    refreshes: int = 0
    errors: int = 0
    #: Per step, per participant: ms from the EKC sending the step to the page showing it.
    delays: list[float] = field(default_factory=list)
    #: (participant, step) pairs never seen before the phase ended.
    missed: int = 0
    steps: int = 0
    lesson: Result | None = None

    @property
    def not_modified_share(self) -> float:
        return sum(1 for status, _ in self.polls if status == 304) / max(1, len(self.polls))

    @property
    def poll_rate(self) -> float:
        return len(self.polls) / self.seconds if self.seconds else 0.0


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class _Phone:
    """One participant's polling loop on its own thread."""

    def __init__(
        self, base_url: str, visitor: Visitor, code: str, phase: Phase, lock: threading.Lock
    ) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.cookie = visitor.cookie
        self.code = code
        self.phase = phase
        self.lock = lock
        self.etag = ""
        #: version -> when this phone first held a page showing it (perf_counter).
        self.seen: dict[int, float] = {}

    def _get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_SECONDS)
        try:
            connection.request(
                "GET", path, headers={"Cookie": self.cookie, "User-Agent": USER_AGENT, **headers}
            )
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def poll_once(self) -> None:
        began = time.perf_counter()
        try:
            status, headers, body = self._get(
                f"/live/{self.code}/status",
                {"If-None-Match": self.etag, "Accept": "application/json"}
                if self.etag
                else {"Accept": "application/json"},
            )
        except OSError:
            with self.lock:
                self.phase.errors += 1
            return
        elapsed = (time.perf_counter() - began) * 1000
        refreshed = False
        if status == 200:
            self.etag = headers.get("ETag", self.etag)
            version = json.loads(body)["version"]
            try:
                page_status, _, _ = self._get(f"/live/{self.code}", {})
                refreshed = page_status == 200
            except OSError:
                page_status = 0
            if refreshed:
                self.seen.setdefault(version, time.perf_counter())
        with self.lock:
            self.phase.polls.append((status, elapsed))
            self.phase.refreshes += refreshed
            self.phase.errors += status not in (200, 304) or (status == 200 and not refreshed)

    def run(self, until: float) -> None:
        tick = time.perf_counter() + random.uniform(0, POLL_SECONDS)  # phones open at random
        while tick < until:
            time.sleep(max(0.0, tick - time.perf_counter()))
            self.poll_once()
            # setInterval keeps its beat; a tick that falls while a poll is out is skipped.
            now = time.perf_counter()
            tick += POLL_SECONDS * max(1, int((now - tick) // POLL_SECONDS) + 1)


class Ekc:
    """The EKC's browser: posts the first step its control page offers (never 'end')."""

    def __init__(self, trainer: Browser, session_id: int) -> None:
        self.browser = trainer
        self.path = f"/live/sessie/{session_id}"
        self.version = 0

    def offered(self) -> list[tuple[str, list[tuple[str, str]]]]:
        page = self.browser.get(self.path)
        if page.status != 200:
            raise RuntimeError(f"EKC-pagina {self.path}: HTTP {page.status}")
        steps = []
        for form in forms_on(page.text):
            if form.action.endswith("/stap"):
                fields = form.filled()
                steps.append((dict(fields).get("step", ""), fields))
        return steps

    def step(self) -> float | None:
        """Take a step; the moment it was sent (perf_counter), or None if only 'end' is left."""
        choice = next(((s, f) for s, f in self.offered() if s != "end"), None)
        if choice is None:
            return None
        sent = time.perf_counter()
        page = self.browser.post(f"{self.path}/stap", choice[1])
        if page.status != 302:
            raise RuntimeError(f"EKC-stap {choice[0]}: HTTP {page.status}")
        return sent


def run_phase(
    name: str,
    base_url: str,
    visitors: list[Visitor],
    code: str,
    ekc: Ekc,
    first_version: int,
    steps: int,
    step_seconds: float,
    beside: Callable[[float], Result] | None = None,
) -> tuple[Phase, int]:
    """One phase: `steps` EKC steps `step_seconds` apart while every visitor polls.

    `beside(seconds)`, if given, runs alongside for the phase's length (the lesson page load).
    Returns the phase and the session's version after it.
    """
    phase = Phase(name)
    lock = threading.Lock()
    phones = [_Phone(base_url, v, code, phase, lock) for v in visitors]
    length = TAIL_SECONDS + steps * step_seconds + TAIL_SECONDS
    began = time.perf_counter()
    until = began + length
    threads = [threading.Thread(target=p.run, args=(until,), daemon=True) for p in phones]
    side: list[Result] = []
    if beside is not None:
        threads.append(threading.Thread(target=lambda: side.append(beside(length)), daemon=True))
    for thread in threads:
        thread.start()
    sent: dict[int, float] = {}
    version = first_version
    time.sleep(TAIL_SECONDS)  # every phone has its first version (and its ETag) by now
    for _ in range(steps):
        moment = ekc.step()
        if moment is None:
            break
        version += 1
        sent[version] = moment
        time.sleep(max(0.0, moment + step_seconds - time.perf_counter()))
    for thread in threads:
        thread.join(timeout=length + 2 * TIMEOUT_SECONDS + 60)
    phase.seconds = time.perf_counter() - began
    phase.steps = len(sent)
    for phone in phones:
        for v, moment in sent.items():
            # A phone that skipped a version (two steps within one poll) shows it with the next.
            shown = [t for seen_version, t in phone.seen.items() if seen_version >= v]
            if shown:
                phase.delays.append((min(shown) - moment) * 1000)
            else:
                phase.missed += 1
    phase.lesson = side[0] if side else None
    return phase, version
