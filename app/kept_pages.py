"""Pages rendered once and kept: for a page that every reader of a role and language sees alike
but for a few personal values (the CSRF token, a date), Jinja runs once per variant, with a
marker where each personal value goes; a request then only fills in its own values.

The lesson page is the one user: rendering its layout and body took two thirds of the request.
Nothing personal can enter the kept part unnoticed: the template sees a stand-in for the user
that has a role and nothing else (anything more it asks for is an error), the CSRF token and
the personal values are markers, and a page with flashed messages is rendered in full.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, render_template, request, session
from flask_login import current_user
from jinja2 import Template
from markupsafe import Markup, escape

from .i18n import interface_language

#: A marker cannot occur in rendered text: the record separator is no character of content
#: (the content check refuses control characters in course files, `content.source`).
_MARKER = "\x1e{}\x1e"
_MARKERS = re.compile("\x1e([a-z_]+)\x1e")
CSRF_SLOT = "csrf_token"
#: Kept variants per app at most (templates x content x languages x roles x which values are
#: set); beyond this (content reloaded many times) the memory starts again.
MAX_KEPT = 2048


class KeptPageError(RuntimeError):
    """A kept page's template asked for something personal that is not one of its slots."""


class _StandIn:
    """`current_user` while a page is rendered for keeping: signed in, with a role."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, role: str) -> None:
        self.role = role

    def __getattr__(self, name: str) -> Any:
        # Not an AttributeError: Jinja would render that as an empty value, silently.
        raise KeptPageError(f"a kept page reads current_user.{name}, which differs per user")


@dataclass(frozen=True)
class _Kept:
    owner: object
    #: The page split at its markers: text, slot name, text, slot name, ..., text; the text
    #: encoded once (UTF-8), so a request only encodes what it fills in.
    pieces: tuple[bytes | str, ...]


def marking() -> bool:
    """True while a page is rendered for keeping: `csrf_token()` then returns a marker."""
    return g.get("_marking_page", False)


def csrf_marker() -> str:
    return _MARKER.format(CSRF_SLOT)


def render_kept(
    template: str | Template,
    owner: object,
    personal: Mapping[str, str | None],
    context: Callable[[], Mapping[str, Any]],
) -> str | bytes:
    """`render_template(template, **personal, **context())` for a signed-in reader, with Jinja
    run (and `context` called) once per template, `owner`, language, role and which personal
    values are set.

    `owner` is the content the page shows (a lesson): everything `context` returns must follow
    from it, and a kept page is used only while `owner` is the very same object, so reloaded
    content is rendered anew. `personal` values are plain text (escaped when filled in); one
    that is None or empty is a different variant, as the template may test it with `if`.
    """
    if not current_user.is_authenticated or "_flashes" in session:
        return render_template(template, **personal, **context())
    shown = tuple(name for name, value in personal.items() if value)
    key = (template, id(owner), interface_language(), current_user.role, request.script_root, shown)
    pages: dict[tuple[Any, ...], _Kept] = current_app.extensions.setdefault("kept_pages", {})
    kept = pages.get(key)
    if kept is None or kept.owner is not owner:
        if len(pages) >= MAX_KEPT:
            pages.clear()
        kept = pages[key] = _Kept(owner, _render_marked(template, personal, context()))
    return _filled(kept.pieces, personal)


def _render_marked(
    template: str | Template, personal: Mapping[str, str | None], context: Mapping[str, Any]
) -> tuple[bytes | str, ...]:
    markers = {
        name: Markup(_MARKER.format(name)) if value else value for name, value in personal.items()
    }
    g._marking_page = True
    try:
        html = render_template(
            template, current_user=_StandIn(current_user.role), **markers, **context
        )
    finally:
        g._marking_page = False
    pieces: list[bytes | str] = _MARKERS.split(html)
    unknown = set(pieces[1::2]) - {CSRF_SLOT, *personal}
    if unknown:
        raise KeptPageError(f"a marker of no personal value in the page: {sorted(unknown)}")
    pieces[::2] = [text.encode() for text in pieces[::2]]  # type: ignore[union-attr]
    return tuple(pieces)


def _filled(pieces: tuple[bytes | str, ...], personal: Mapping[str, str | None]) -> bytes:
    values = {name: escape(value) for name, value in personal.items() if value}
    values[CSRF_SLOT] = escape(current_app.jinja_env.globals["csrf_token"]())
    filled = list(pieces)
    filled[1::2] = [values[name].encode() for name in pieces[1::2]]  # type: ignore[index]
    return b"".join(filled)  # type: ignore[arg-type]
