"""Accessibility: axe-core (WCAG 2.1 A and AA) on every page people can reach, from the URL map.

The routes come from the running app's URL map, so a new page is checked without editing this
file; URL parameters are filled from what the journeys created. A GET route it cannot fill
fails the test (add a value below) rather than being skipped. Each page is visited by the first
of: a visitor without an account, the certified GP, the demo trainer, the demo admin and a
trainer half-way through a two-factor login, who reaches it; pages open to visitors are checked
logged out and logged in. Every page is also opened at phone width (375 px) to catch sideways
scrolling, and screenshots of each kind of page go to the screenshot folder. The HTML each
page view served goes through the W3C Nu HTML checker: one error fails the test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from itertools import product
from typing import Any
from urllib.parse import quote, urlsplit

import pyotp
from playwright.sync_api import Page, expect

from .flows import (
    COURSE,
    DEMO,
    LESSER_VIOLATIONS,
    REPORT,
    ROOT,
    Person,
    axe_problems,
    course_files,
    create_learner,
    horizontal_overflow,
    html_problems,
    link_in_mail,
    login,
)

ROUTES = """
import json
from wsgi import app
rules = [
    {"endpoint": rule.endpoint, "rule": rule.rule, "methods": sorted(rule.methods or ())}
    for rule in app.url_map.iter_rules()
]
print(json.dumps(rules))
"""
BOOSTER_TOKEN = """
import sys
from sqlalchemy import select
from wsgi import app
from app.boosters.schedule import opt_out_token
from app.extensions import db
from app.models import User
with app.app_context():
    print(opt_out_token(db.session.scalars(select(User).where(User.email == sys.argv[1])).one()))
"""
#: Not HTML pages: files, images and machine answers. Everything else that answers GET is checked.
NOT_HTML = re.compile(
    r"(^/static/|^/api/|^/healthz$|/status$|\.(pdf|csv|svg|json|txt|png|js|webmanifest)$"
    r"|\.<any\(pdf, csv\):kind>$)"
)
#: GET routes that never render a page of their own; the page they lead to is checked instead.
REDIRECT_ONLY = {"accounts.confirm": "confirms the e-mail address, then shows the course list"}
PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
TWO_FACTOR_TRAINER = Person(
    "T.", "Tessa", "Tweestaps", "tessa.tweestaps@praktijk-e2e.example", "49066677788"
)


@dataclass
class Visitor:
    name: str
    page: Page
    phone: Page


def app_routes(server: Any) -> list[dict[str, Any]]:
    """The URL map of the app the server runs (same code, same settings)."""
    result = subprocess.run(
        [sys.executable, "-c", ROUTES], cwd=ROOT, env=server.env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def booster_token(server: Any, email: str) -> str:
    """The unsubscribe token a booster mail to this learner carries (signed by the server's key)."""
    result = subprocess.run(
        [sys.executable, "-c", BOOSTER_TOKEN, email],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def live_session(base: str, trainer: Page) -> str:
    """The trainer starts a live session as EKC; its id, for the EKC's pages."""
    trainer.goto(f"{base}/live/leiden")
    trainer.get_by_label("Casus").select_option(index=1)
    trainer.get_by_role("button", name="Sessie starten").click()
    expect(trainer).to_have_url(re.compile(r"/live/sessie/\d+$"))
    return trainer.url.rstrip("/").rsplit("/", 1)[1]


def visitor(name: str, new_page: Any, log_in: Any = None) -> Visitor:
    page = new_page()
    if log_in is not None:
        log_in(page)
    return Visitor(name, page, new_page(phone=True, storage_state=page.context.storage_state()))


def two_factor_pending(server: Any, new_page: Any) -> Any:
    """A trainer with two-factor sign-in who gave the password and now sees the code step."""
    person = create_learner(server, TWO_FACTOR_TRAINER, role="trainer")
    setup = new_page()
    login(setup, server.url, person.email, person.password)
    setup.goto(server.url + "/account/tweestapsverificatie")
    secret = setup.locator("code.secret").inner_text().strip()
    setup.get_by_label("Code uit je authenticator-app").fill(pyotp.TOTP(secret).now())
    setup.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    expect(setup.locator(".flash-success")).to_contain_text("Tweestapsverificatie staat aan")

    def log_in(page: Page) -> None:
        page.goto(server.url + "/account/inloggen")
        page.get_by_label("E-mailadres").fill(person.email)
        page.get_by_label("Wachtwoord", exact=True).fill(person.password)
        page.get_by_role("button", name="Inloggen").click()
        expect(page).to_have_url(re.compile(r"/account/inloggen/code$"))

    return log_in


def tokens(server: Any, gp: Any, cohort: Any, anonymous: Page, trainer: Page) -> dict[str, str]:
    """Links from mails: the GP's confirmation, a password reset and a cohort invitation."""
    base = server.url
    anonymous.goto(base + "/account/wachtwoord-vergeten")
    anonymous.get_by_label("E-mailadres").fill(gp.person.email)
    anonymous.get_by_role("button", name="Stuur een herstellink").click()
    trainer.goto(f"{base}/groepen/{cohort.id}/beheer")
    trainer.get_by_label("E-mailadressen").fill(gp.person.email)
    trainer.get_by_role("button", name="Uitnodigingen versturen").click()
    expect(trainer.locator(".flash-success")).to_contain_text("1 uitnodiging verstuurd")
    outbox, email = server.outbox, gp.person.email
    return {
        "accounts.confirm": gp.confirm_link,
        "accounts.reset": link_in_mail(
            outbox, email, "Nieuw wachtwoord", "/wachtwoord-herstellen/"
        ),
        "groups.accept_invite": link_in_mail(outbox, email, "Uitnodiging", "/groep/uitnodiging/"),
    }


def gp_joins_cohort(base: str, gp: Any, cohort: Any, learner: Page, trainer: Page) -> str:
    """The GP joins the cohort with its link, so the trainer's pages show a learner's answers."""
    learner.goto(f"{base}/groep/aansluiten/{cohort.code}")
    learner.get_by_role("button", name="Ja, sluit me aan").click()
    expect(learner.locator(".flash-success")).to_contain_text("Je bent aangesloten")
    trainer.goto(f"{base}/groepen/{cohort.id}")
    name = f"{gp.person.first_name} {gp.person.surname}"
    href = trainer.get_by_role("row").get_by_role("link", name=name).get_attribute("href")
    return href.rstrip("/").rsplit("/", 1)[1]


def fill(rule: str, values: dict[str, str]) -> str:
    return PARAMETER.sub(lambda m: quote(str(values[m.group(1)]), safe=""), rule)


def pages_to_check(
    routes: list[dict[str, Any]], generic: dict[str, list[str]], specific: dict[str, list[dict]]
) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(endpoint, path) for every GET page, the routes left out as not HTML, and unfillable ones."""
    pages, left_out, unfillable = [], [], []
    for route in sorted(routes, key=lambda r: r["rule"]):
        endpoint, rule = route["endpoint"], route["rule"]
        if "GET" not in route["methods"]:
            continue
        if NOT_HTML.search(rule):
            left_out.append(rule)
            continue
        names = PARAMETER.findall(rule)
        if endpoint in specific:
            choices = [v for v in specific[endpoint] if set(v) == set(names)]
        else:
            missing = [name for name in names if not generic.get(name)]
            if missing:
                unfillable.append(f"{endpoint} {rule}: no value for {', '.join(missing)}")
                continue
            choices = [
                dict(zip(names, combo, strict=True))
                for combo in product(*(generic[n] for n in names))
            ]
        if not choices:
            unfillable.append(f"{endpoint} {rule}: no value for {', '.join(names)}")
        pages += [(endpoint, fill(rule, values)) for values in choices]
    return pages, left_out, unfillable


def reaches(page: Page, url: str, endpoint: str) -> tuple[bool, str, str]:
    """Open the page: whether it answered 200 at that address (or, redirect-only, not login),
    what happened, and the HTML the server sent."""
    response = page.goto(url)
    status = response.status if response is not None else 0
    landed = urlsplit(page.url).path
    if endpoint in REDIRECT_ONLY:
        ok = status == 200 and not landed.startswith("/account/inloggen")
    else:
        ok = status == 200 and landed == urlsplit(url).path
    html = response.text() if ok and response is not None else ""
    return ok, f"{status} at {landed}", html


def test_every_reachable_page_has_no_serious_accessibility_violations_and_valid_html(
    certified_gp, cohort, live_server, new_page, screenshot_dir, tmp_path
):
    base = live_server.url
    gp = certified_gp
    anonymous = visitor("visitor", new_page)
    learner = visitor("gp", new_page, lambda p: login(p, base, gp.person.email, gp.person.password))
    trainer = visitor("trainer", new_page, lambda p: login(p, base, *DEMO["trainer"]))
    admin = visitor("admin", new_page, lambda p: login(p, base, *DEMO["admin"]))
    pending = visitor("two-factor", new_page, two_factor_pending(live_server, new_page))
    links = tokens(live_server, gp, cohort, anonymous.page, trainer.page)
    gp_id = gp_joins_cohort(base, gp, cohort, learner.page, trainer.page)

    files = course_files()
    generic = {
        "course_slug": [COURSE],
        "lesson_slug": files.lessons,
        "quiz_slug": sorted(files.quizzes),
        "cohort_id": [str(cohort.id)],
        "user_id": [str(cohort.member_id), gp_id],
        "code": [cohort.code],
        "number": [gp.number, *gp.revoked_numbers],
    }
    specific = {
        endpoint: [{"token": link.rstrip("/").rsplit("/", 1)[1]}]
        for endpoint, link in links.items()
    }
    specific["boosters.opt_out"] = [{"token": booster_token(live_server, gp.person.email)}]
    session_id = live_session(base, trainer.page)
    for endpoint in ("live.lead", "live.screen"):
        specific[endpoint] = [{"session_id": session_id}]
    specific["quizzes.result"] = [
        {"course_slug": COURSE, "quiz_slug": slug, "number": str(number)}
        for slug, numbers in sorted(gp.attempts.items())
        for number in numbers
    ]
    pages, left_out, unfillable = pages_to_check(app_routes(live_server), generic, specific)
    assert not unfillable, (
        "GET routes the accessibility test cannot fill (give their parameters a value in "
        "test_accessibility.py, or exclude them in NOT_HTML if they are not pages):\n"
        + "\n".join(unfillable)
    )
    print(f"\nNot HTML, not checked: {', '.join(left_out)}")

    problems: list[str] = []
    checked: list[str] = []
    served: dict[str, str] = {}
    shot_taken: set[tuple[str, str]] = set()
    for endpoint, path in pages:
        url = base + path
        tried = []
        seen_by = []
        for person in (anonymous, learner, trainer, admin, pending):
            if person is pending and seen_by:
                break
            if person is not anonymous and any(p is not anonymous for p in seen_by):
                break
            ok, outcome, html = reaches(person.page, url, endpoint)
            tried.append(f"{person.name}: {outcome}")
            if not ok:
                continue
            seen_by.append(person)
            checked.append(f"{path} ({person.name})")
            served[f"{path} ({person.name})"] = html
            problems += [f"{path} ({person.name}): {p}" for p in axe_problems(person.page)]
            reaches(person.phone, url, endpoint)
            overflow = horizontal_overflow(person.phone)
            if overflow > 0:
                problems.append(
                    f"{path} ({person.name}): scrolls sideways by {overflow}px at 375px"
                )
            if (endpoint, person.name) not in shot_taken:
                shot_taken.add((endpoint, person.name))
                name = f"all-{endpoint.replace('.', '-')}-{person.name}"
                person.page.screenshot(path=screenshot_dir / f"{name}-desktop.png", full_page=True)
                person.phone.screenshot(path=screenshot_dir / f"{name}-phone.png", full_page=True)
        if not seen_by:
            problems.append(f"{path}: nobody could open it ({'; '.join(tried)})")

    print(f"axe-core checked {len(checked)} page views:\n  " + "\n  ".join(checked))
    REPORT.append(
        f"axe-core (WCAG 2.1 A/AA) checked {len(checked)} page views of "
        f"{len({e for e, _ in pages})} routes, each also opened at 375px wide"
    )
    for rule, paths in sorted(LESSER_VIOLATIONS.items()):
        REPORT.append(f"axe-core, not failing: {rule} on {', '.join(sorted(paths))}")
    invalid = html_problems(served, tmp_path / "served-html")
    REPORT.append(f"Nu HTML checker: {len(invalid)} errors in {len(served)} page views")
    problems += [f"invalid HTML: {problem}" for problem in invalid]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
