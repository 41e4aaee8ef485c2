"""What people do in the browser, step by step: shared by the journeys and the accessibility sweep.

The course content is read from the real files with tomllib, as an outsider would: the tests
choose right or wrong answers from the quiz files, not from the app's catalog.
"""

from __future__ import annotations

import email
import json
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
COURSE = "mensenhandel-huisarts"
PASSWORD = "een-veilig-wachtwoord-voor-e2e"
DEMO = {
    "learner": ("huisarts@demo.signaal.nl", "demo-huisarts-2026"),
    "trainer": ("opleider@demo.signaal.nl", "demo-opleider-2026"),
    "admin": ("beheer@demo.signaal.nl", "demo-beheer-2026"),
}
#: Seconds the test clock moves between two heartbeats on a lesson: under the 300 s idle cap.
READING_STEP = 240
#: Heartbeats on each lesson: 4 gaps of 4 minutes = 16 minutes a lesson, 112 for the seven.
READING_GAPS = 4

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = ("serious", "critical")
_axe = Axe()
#: The W3C Nu HTML checker, installed by `make e2e` from npm (package.json) and run on Java.
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: Lines for the end of the run (see pytest_terminal_summary in conftest.py).
REPORT: list[str] = []
#: Moderate and minor violations seen in this run (rule id -> pages), reported but not failing.
LESSER_VIOLATIONS: dict[str, set[str]] = {}


# --- content, from the files -------------------------------------------------------------


def text_of(value: str) -> str:
    """Text as the browser exposes it: whitespace collapsed."""
    return " ".join(value.split())


@dataclass(frozen=True)
class QuizFile:
    slug: str
    title: str
    kind: str
    stages: list[dict[str, Any]]


@dataclass(frozen=True)
class CourseFiles:
    slug: str
    title: str
    lessons: list[str]
    checks: dict[str, str]
    cases: list[str]
    quizzes: dict[str, QuizFile]
    min_study_minutes: int


@cache
def course_files(slug: str = COURSE) -> CourseFiles:
    """The course and its quizzes as the content files state them."""
    course = tomllib.loads((ROOT / "courses" / slug / "course.toml").read_text(encoding="utf-8"))
    quizzes = {}
    for path in sorted((ROOT / "quizzes" / slug).glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        quizzes[path.stem] = QuizFile(path.stem, data["title"], data["kind"], data["stages"])
    return CourseFiles(
        slug=slug,
        title=course["title"],
        lessons=[lesson["slug"] for lesson in course["lessons"]],
        checks={
            lesson["slug"]: lesson["check"] for lesson in course["lessons"] if "check" in lesson
        },
        cases=list(course["assessment"]["cases"]),
        quizzes=quizzes,
        min_study_minutes=course["requirements"]["min_study_minutes"],
    )


# --- people ------------------------------------------------------------------------------


@dataclass
class Person:
    initials: str
    first_name: str
    surname: str
    email: str
    big_number: str
    profession: str = "gp"
    password: str = PASSWORD

    @property
    def formal_name(self) -> str:
        """The name as the certificate prints it."""
        return f"{self.initials} {self.surname}"


@dataclass
class CertifiedGP:
    """What journey 1 leaves behind; journey 4 replaces the certificate after revoking it."""

    person: Person
    number: str
    pdf: bytes
    confirm_link: str
    revoked_numbers: list[str] = field(default_factory=list)
    #: Attempt numbers per quiz slug (the failed case has two).
    attempts: dict[str, list[int]] = field(default_factory=dict)


def login(page: Page, base_url: str, email_address: str, password: str) -> None:
    """Log in through the login form and land on the course list."""
    page.goto(base_url + "/account/inloggen")
    page.get_by_label("E-mailadres").fill(email_address)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def create_learner(server: Any, person: Person, role: str = "learner") -> Person:
    """Create a confirmed account with the flask CLI (for journeys that do not test registration)."""
    server.flask(
        "users", "create", "--email", person.email, "--password", person.password,
        "--role", role, "--initials", person.initials, "--first-name", person.first_name,
        "--surname", person.surname, "--profession", person.profession,
        "--big-number", person.big_number,
    )  # fmt: skip
    return person


# --- mail --------------------------------------------------------------------------------


def mails_to(outbox: Path, address: str) -> list[EmailMessage]:
    """The messages the app wrote to its outbox for this address, oldest first."""
    messages = []
    for path in sorted(outbox.glob("*.eml")) if outbox.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        if message["To"] == address:
            messages.append(message)
    return messages


def link_in_mail(outbox: Path, address: str, subject_part: str, path_part: str) -> str:
    """The first link containing path_part in the newest mail to address about subject_part."""
    found = [m for m in mails_to(outbox, address) if subject_part in m["Subject"]]
    assert found, f"no mail to {address} about '{subject_part}' in {outbox}"
    body = found[-1].get_body(("plain",)).get_content()
    links = re.findall(r"https?://\S+", body)
    matching = [link for link in links if path_part in link]
    assert matching, f"no link with {path_part} in the mail:\n{body}"
    return matching[0]


# --- learning ----------------------------------------------------------------------------


def read_lesson(page: Page, server: Any) -> None:
    """Stay on the open lesson for a while: the clock moves, and the page reports each minute
    that the learner is still there, as study-time.js does (a reload alone counts nothing)."""
    for _ in range(READING_GAPS):
        server.advance_clock(READING_STEP)
        status = heartbeat(page)
        assert status == 204, f"the heartbeat answered {status}"


#: The heartbeat study-time.js sends, taken from the page's own data attributes.
_HEARTBEAT = """() => {
  const el = document.querySelector("[data-heartbeat-url]");
  const body = new URLSearchParams({ kind: el.dataset.heartbeatKind, page: el.dataset.heartbeatPage });
  return fetch(el.dataset.heartbeatUrl, {
    method: "POST", credentials: "same-origin",
    headers: { "X-CSRFToken": el.dataset.csrfToken }, body,
  }).then((response) => response.status);
}"""


def heartbeat(page: Page) -> int:
    return page.evaluate(_HEARTBEAT)


def answer_stage(page: Page, stage: dict[str, Any], right: bool) -> None:
    """Answer every question of the stage on the page: all right, or all wrong on purpose.

    An attempt shows one question of each group of parallel variants (`variant_of`).
    """
    expect(page.locator("fieldset.question").first).to_be_visible()
    answered: set[str] = set()
    for question in stage["questions"]:
        group = page.locator(f"fieldset#vraag-{question['id']}")
        if group.count() == 0:
            continue  # a variant this attempt did not draw
        answered.add(question.get("variant_of") or question["id"])
        expect(group).to_be_visible()
        kind = question["type"]
        options = question.get("options", [])
        if kind == "reflection":
            group.get_by_label("Je antwoord").fill(
                "Ik zou de patiënt alleen spreken en advies vragen bij Veilig Thuis."
            )
        elif kind == "ordering":
            order = options if right else list(reversed(options))
            # Choosing a place moves the step there (quiz.js): placing 1, 2, 3... in turn
            # leaves the steps in exactly this order.
            for place, option in enumerate(order, start=1):
                group.get_by_label(text_of(option["text"]), exact=True).select_option(str(place))
        else:
            chosen = [o for o in options if bool(o.get("correct")) == right]
            if kind == "single":
                chosen = chosen[:1]
            for option in chosen:
                group.get_by_label(text_of(option["text"]), exact=True).check()
    groups = {question.get("variant_of") or question["id"] for question in stage["questions"]}
    assert answered == groups, f"questions shown for groups {answered}, expected {groups}"


def work_quiz(
    page: Page, quiz: QuizFile, right: bool, checked_types: set[str] | None = None
) -> str:
    """From the quiz's start or result page: start an attempt, answer every stage, hand it in.

    With checked_types, axe-core checks each stage that shows a question type not in the set
    yet (then added), so every kind of answer form is checked once. Returns the result heading.
    """
    page.get_by_role("button", name=re.compile(r"^(Begin|Opnieuw proberen|Nog een keer)")).click()
    formative = quiz.kind == "check"
    for index, stage in enumerate(quiz.stages):
        expect(
            page.get_by_role("heading", name=re.compile(rf"^Deel {index + 1}: "), level=2)
        ).to_be_visible()
        answer_stage(page, stage, right)
        types = {question["type"] for question in stage["questions"]}
        if checked_types is not None and not types <= checked_types:
            assert_accessible(page, f"{quiz.slug}, stage {index + 1}: {', '.join(sorted(types))}")
            checked_types |= types
        last = index == len(quiz.stages) - 1
        if formative:
            # A check gives feedback at once: look at it before finishing.
            page.get_by_role("button", name="Controleer mijn antwoorden").click()
            expect(page.locator(".review").first).to_be_visible()
        if last:
            page.get_by_role("button", name="Afronden" if formative else "Inleveren").click()
        else:
            page.get_by_role("button", name=f"Naar deel {index + 2}").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Resultaat poging \d+"))
    return heading.inner_text()


# --- certificates ------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfFacts:
    text: str
    links: list[str]


def pdf_facts(data: bytes) -> PdfFacts:
    """The text and link annotations (the QR code's address) of a PDF."""
    reader = PdfReader(BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    links = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                links.append(str(action["/URI"]))
    return PdfFacts(text, links)


def download(page: Page, link_name: str) -> tuple[str, bytes]:
    """Click a download link; return the suggested file name and the bytes."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    item = info.value
    path = item.path()
    return item.suggested_filename, Path(path).read_bytes()


def issue_certificate(page: Page, base_url: str, person: Person) -> tuple[str, bytes]:
    """On the certificate page: check the printed facts, confirm, issue; return number and PDF."""
    page.goto(f"{base_url}/certificaat/{COURSE}")
    facts = page.locator(
        "section", has=page.get_by_role("heading", name="Controleer wat er op je certificaat komt")
    )
    expect(facts.locator("dt:text-is('Naam') + dd")).to_have_text(person.formal_name)
    expect(facts).to_contain_text(person.big_number)
    assert_accessible(page, "certificate page: confirm name and BIG number")
    page.get_by_label(re.compile("^Mijn naam en BIG-nummer staan hierboven")).check()
    page.get_by_role("button", name="Certificaat aanmaken").click()
    expect(page.locator(".flash-success")).to_contain_text("is aangemaakt")
    issued = page.locator("section.cert-issued")
    number = issued.locator("dt:has-text('Certificaatnummer') + dd").inner_text().strip()
    assert re.fullmatch(r"SIG-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", number), number
    _, pdf = download(page, "Download de PDF")
    return number, pdf


# --- accessibility and screenshots -------------------------------------------------------


def axe_problems(page: Page) -> list[str]:
    """Serious and critical axe-core violations (WCAG 2.1 A and AA) on the page, readable."""
    results = _axe.run(page, options=AXE_OPTIONS)
    problems = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            rule = f"{violation['id']} ({violation['impact']})"
            LESSER_VIOLATIONS.setdefault(rule, set()).add(urlsplit(page.url).path)
            continue
        targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
        problems.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
        )
    return problems


def assert_accessible(page: Page, what: str) -> None:
    """Fail with the violations if axe-core finds serious or critical ones."""
    problems = axe_problems(page)
    assert not problems, f"axe on {what} ({page.url}):\n" + "\n".join(problems)


def html_problems(documents: dict[str, str], folder: Path) -> list[str]:
    """Errors the Nu HTML checker finds in served pages (label -> HTML), one line each.

    All pages go to one run of the checker: starting Java once per page would take minutes.
    """
    if shutil.which("java") is None:
        pytest.fail("Java is missing for the Nu HTML checker: apt-get install default-jre-headless")
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: `make e2e` installs it (npm, package.json)")
    folder.mkdir(parents=True, exist_ok=True)
    labels = {}  # file name -> what the page is
    for index, (label, html) in enumerate(documents.items()):
        name = f"page-{index:04d}.html"
        (folder / name).write_text(html, encoding="utf-8")
        labels[name] = label
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout",
         "--exit-zero-always", *(str(folder / name) for name in labels)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, f"the Nu HTML checker failed:\n{result.stderr}"
    problems = []
    for message in json.loads(result.stdout)["messages"]:
        url = message.get("url", "?")
        where = labels.get(url.rsplit("/", 1)[-1], url)
        line = message.get("lastLine", "?")
        extract = " ".join(message.get("extract", "").split())[:120]
        problems.append(f"{where}, line {line}: {message['message']} [{extract}]")
    return problems


def horizontal_overflow(page: Page) -> int:
    """Pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def shot(page: Page, folder: Path, name: str) -> Path:
    """A full-page screenshot named after the page and the width it was taken at."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = folder / f"{name}-{'phone' if width < 600 else 'desktop'}.png"
    page.screenshot(path=path, full_page=True)
    return path
