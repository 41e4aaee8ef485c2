"""Browser journeys: the app served by gunicorn on 127.0.0.1, driven by Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .flows import REPORT, CertifiedGP
from .journeys import CohortRecord, gp_completes_course, trainer_creates_cohort_and_learner_joins

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ORDER = [
    "test_smoke.py",
    "test_gp_journey.py",
    "test_trainer_journey.py",
    "test_verify_journey.py",
    "test_admin_journey.py",
    "test_phone_journey.py",
    "test_keyboard.py",
    "test_accessibility.py",
]
DEMO_PASSWORDS = {
    "learner": "demo-huisarts-2026",
    "trainer": "demo-opleider-2026",
    "admin": "demo-beheer-2026",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    places = [i for i, item in enumerate(items) if "/e2e/" in str(item.fspath)]
    for i in places:
        items[i].add_marker(pytest.mark.e2e)
    # Journeys in their story order; the accessibility sweep last, so it checks the pages in the
    # states the journeys left (an issued and a revoked certificate, a cohort with a learner).
    # A file not listed runs just before the sweep. Only the e2e items move.
    last = ORDER.index("test_accessibility.py")

    def rank(item: pytest.Item) -> float:
        name = item.fspath.basename
        return ORDER.index(name) if name in ORDER else last - 0.5

    ordered = sorted((items[i] for i in places), key=rank)
    for i, item in zip(places, ordered, strict=True):
        items[i] = item


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the screenshots are and what the accessibility sweep covered, even with -q."""
    for line in REPORT:
        terminalreporter.write_line(line)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A real server process on a fresh database, with a clock the test can move forward."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.clock_file = workdir / "clock-offset"
        self.clock_file.write_text("0")
        self.env = {
            **os.environ,
            "FLASK_APP": "wsgi",
            "DATABASE_URL": f"sqlite:///{workdir / 'e2e.sqlite3'}",
            "SECRET_KEY": "e2e-secret-key",
            "PUBLIC_BASE_URL": self.url,
            "TEST_CLOCK_FILE": str(self.clock_file),
            "SIGNING_KEY": str(workdir / "signing" / "key.pem"),
            "SIGNING_CERT": str(workdir / "signing" / "cert.pem"),
            "MAIL_OUTBOX": str(workdir / "outbox"),
            # The test clock runs minutes in a second: a minute's heartbeats arrive at once.
            "HEARTBEAT_RATE_LIMIT": "600 per minute",
        }
        self.outbox = workdir / "outbox"
        self.process: subprocess.Popen | None = None
        self.log = workdir / "server.log"

    def flask(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN / "flask"), *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def start(self) -> None:
        self.flask("db", "upgrade")
        self.flask("demo")
        # Made before the workers start, so two of them never race to create the pair.
        self.flask("certificates", "dev-keys")
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not start: {self.log.read_text()}")

    def advance_clock(self, seconds: float) -> None:
        """Let time pass for the server (study time, dates) without sleeping."""
        current = float(self.clock_file.read_text())
        self.clock_file.write_text(str(current + seconds))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("e2e"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    folder = Path(os.environ.get("E2E_SCREENSHOTS", ROOT / "e2e-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nScreenshots: {folder}")
    REPORT.append(f"Screenshots: {folder}")
    return folder


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "nl-NL"}
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "locale": "nl-NL",
}


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser) -> Iterator:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def new_page(browser) -> Iterator[Callable[..., Any]]:
    """Open another person's browser window: new_page() (desktop) or new_page(phone=True)."""
    contexts = []

    def open_page(phone: bool = False, storage_state: Any = None) -> Any:
        context = browser.new_context(**(PHONE if phone else DESKTOP), storage_state=storage_state)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@contextmanager
def _journey_page(browser: Any, screenshot_dir: Path, name: str) -> Iterator[Any]:
    """A desktop page for a session journey; on failure, a screenshot of where it stopped."""
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        yield page
    except BaseException:
        page.screenshot(path=screenshot_dir / f"FAILED-{name}.png", full_page=True)
        raise
    finally:
        context.close()


@pytest.fixture(scope="session")
def certified_gp(browser, live_server, screenshot_dir) -> CertifiedGP:
    """Journey 1, once per session: a GP who registered, studied, passed and got a certificate."""
    with _journey_page(browser, screenshot_dir, "gp-journey") as page:
        return gp_completes_course(page, live_server, screenshot_dir)


@pytest.fixture(scope="session")
def cohort(browser, live_server, screenshot_dir) -> CohortRecord:
    """Journey 2's start, once per session: a trainer's cohort that the demo learner joined."""
    with (
        _journey_page(browser, screenshot_dir, "trainer-creates-cohort") as trainer,
        _journey_page(browser, screenshot_dir, "learner-joins-cohort") as learner,
    ):
        return trainer_creates_cohort_and_learner_joins(
            trainer, learner, live_server, screenshot_dir
        )
