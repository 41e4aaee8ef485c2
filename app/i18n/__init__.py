"""Interface language: Dutch first, English as well.

The interface text is written in Dutch and marked with gettext (`_` in Python and templates);
`app/translations/en` holds the English catalogue. Course content (lessons, cases) is not
translated: a course states its own language (`language` in course.toml), and pages mark it
with `lang` so a screen reader reads Dutch content as Dutch inside an English interface.
"""

from __future__ import annotations

from babel.lists import format_list as babel_format_list
from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user
from markupsafe import Markup

#: The interface languages, each named in its own language (how a chooser shows them).
LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"

babel = Babel()


def _locale_selector() -> str:
    """The signed-in person's choice, else the browser's preference, else Dutch.

    Flask-Babel asks once per request; outside a request (mail sent by a command) the caller
    chooses with `force_locale`.
    """
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def init_i18n(app: Flask) -> None:
    """Bind Flask-Babel: catalogues in app/translations, times shown in Amsterdam."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")
    babel.init_app(app, locale_selector=_locale_selector)
    # `{% trans %}` blocks are extracted trimmed (catalogue.JINJA_OPTIONS): render them so too.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals["interface_language"] = interface_language


def interface_language() -> str:
    """The language of this request's interface ('nl' or 'en'), for `<html lang>`."""
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def format_list(items: list[str]) -> str:
    """'a, b en c' or 'a, b and c', in the request's language (Dutch outside a request)."""
    locale = get_locale() if has_request_context() else None
    return babel_format_list(items, locale=str(locale or DEFAULT_LANGUAGE))


def in_language(text: str, language: str) -> Markup:
    """Content quoted inside interface text, marked with its own language for screen readers."""
    return Markup('<span lang="{}">{}</span>').format(language, text)
