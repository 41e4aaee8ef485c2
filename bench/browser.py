"""A tiny HTTP client for preparing load runs: log in, keep cookies, read forms from pages.

Standard library only (urllib); redirects are returned, not followed, so a 302 stays visible.
"""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

#: The user agent of every benchmark request. Flask-Login ties a session to the agent and the
#: address (`_id`): a request from another agent marks the session not fresh, and since wrk
#: replays the same cookie, every request would re-sign and re-send it.
USER_AGENT = "Mozilla/5.0 (signaal-bench)"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass(frozen=True)
class Page:
    status: int
    text: str
    headers: dict[str, str]

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class Browser:
    """One visitor: a cookie jar and a base URL."""

    def __init__(self, base_url: str, forwarded_for: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.forwarded_for = forwarded_for

    def request(
        self,
        method: str,
        path: str,
        data: list[tuple[str, str]] | dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Page:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, method=method)
        request.add_header("User-Agent", USER_AGENT)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        if self.forwarded_for:
            request.add_header("X-Forwarded-For", self.forwarded_for)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Page(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return Page(error.code, error.read().decode(errors="replace"), dict(error.headers))

    def get(self, path: str, **kwargs: Any) -> Page:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: list[tuple[str, str]] | dict[str, str], **kwargs: Any) -> Page:
        return self.request("POST", path, data=data, **kwargs)

    def cookie_header(self) -> str:
        """The Cookie header this visitor sends (for wrk)."""
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def login(self, email: str, password: str) -> None:
        """Log in through the login form (with its CSRF token); raise if it does not work."""
        form = form_on(self.get("/account/inloggen").text, field="password")
        fields = form.filled()
        fields = [(k, v) for k, v in fields if k not in ("email", "password")]
        fields += [("email", email), ("password", password)]
        page = self.post("/account/inloggen", fields)
        if page.status != 302:
            raise RuntimeError(f"inloggen als {email} lukte niet (HTTP {page.status})")


@dataclass
class Form:
    action: str
    method: str
    classes: str
    #: (name, type, value, checked) of every input, select (value = selected option) and textarea.
    controls: list[tuple[str, str, str, bool]] = field(default_factory=list)
    #: Every option value per select name, in page order.
    options: dict[str, list[str]] = field(default_factory=dict)

    def value(self, name: str) -> str | None:
        return next((v for n, _, v, _ in self.controls if n == name), None)

    def filled(self, choice: int = 0, text: str = "Dit is mijn antwoord.") -> list[tuple[str, str]]:
        """What a browser sends when the visitor answers everything.

        Per radio group and per group of answer boxes the option at place `choice` (wrapping)
        is chosen, so two values of `choice` give two different sets of answers.
        """
        groups: dict[str, list[str]] = {}
        for name, kind, value, _ in self.controls:
            if kind == "radio" or (kind == "checkbox" and name.startswith("answer-")):
                groups.setdefault(name, []).append(value)
        data: list[tuple[str, str]] = []
        done: set[str] = set()
        for name, kind, value, checked in self.controls:
            if not name or kind in ("submit", "button"):
                continue
            if name in groups:
                if name not in done:
                    done.add(name)
                    data.append((name, groups[name][choice % len(groups[name])]))
            elif kind == "checkbox":
                if checked:
                    data.append((name, value))
            elif kind == "textarea":
                data.append((name, f"{value or text} ({choice})"))
            else:
                data.append((name, value))
        return data

    def filled_unversioned(self, choice: int = 0) -> list[tuple[str, str]]:
        """`filled` without the answers' `version-*` fields, for a save that is replayed many
        times: a replayed version would be refused as a stale tab (409); without them the save
        skips that check and does the same work."""
        return [
            (name, value) for name, value in self.filled(choice) if not name.startswith("version-")
        ]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(
                a.get("action", ""), a.get("method", "get").lower(), a.get("class", "")
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._form.controls.append(
                (a.get("name", ""), a.get("type", "text"), a.get("value", ""), "checked" in a)
            )
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a.get("name", ""), None, None
            self._form.options[self._select] = []
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._form.options[self._select].append(value)
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select_chosen = value
        elif tag == "textarea":
            self._textarea, self._text = a.get("name", ""), []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._form is not None and self._select is not None:
            chosen = self._select_chosen if self._select_chosen is not None else self._select_first
            self._form.controls.append((self._select, "select", chosen or "", True))
            self._select = None
        elif tag == "textarea" and self._form is not None and self._textarea is not None:
            self._form.controls.append((self._textarea, "textarea", "".join(self._text), True))
            self._textarea = None


def forms_on(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_on(html: str, *, action_contains: str = "", css_class: str = "", field: str = "") -> Form:
    """The first form on the page whose action, class and fields match."""
    for form in forms_on(html):
        if (
            action_contains in form.action
            and (not css_class or css_class in form.classes.split())
            and (not field or form.value(field) is not None)
        ):
            return form
    raise LookupError(
        f"geen formulier met actie {action_contains!r}, klasse {css_class!r}, veld {field!r}"
    )
