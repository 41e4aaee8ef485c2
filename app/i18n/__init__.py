"""Interface language: Dutch first, English as well.

The interface text is written in Dutch and marked with gettext (`_` in Python and templates);
`app/translations/en` holds the English catalogue. Course content (lessons, cases) is not
translated: a course states its own language (`language` in course.toml), and pages mark it
with `lang` so a screen reader reads Dutch content as Dutch inside an English interface.
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from babel.lists import format_list as babel_format_list
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from jinja2.nodes import EvalContext
from jinja2.utils import pass_eval_context
from markupsafe import Markup

#: The interface languages, each named in its own language (how a chooser shows them).
LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"
#: The languages parsed once: Flask-Babel parses what the selector returns on every request.
_LOCALES = {code: Locale.parse(code) for code in LANGUAGES}

babel = Babel()


def _locale_selector() -> Locale:
    """The signed-in person's choice, else the browser's preference, else Dutch.

    Flask-Babel asks once per request; outside a request (mail sent by a command) the caller
    chooses with `force_locale`.
    """
    if not has_request_context():
        return _LOCALES[DEFAULT_LANGUAGE]
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if user and user.is_authenticated and user.language in LANGUAGES:
        return _LOCALES[user.language]
    return _LOCALES[request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)]


def init_i18n(app: Flask) -> None:
    """Bind Flask-Babel: catalogues in app/translations, times shown in Amsterdam."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")
    babel.init_app(app, locale_selector=_locale_selector)
    # `{% trans %}` blocks are extracted trimmed (catalogue.JINJA_OPTIONS): render them so too.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # Flask-Babel installs Jinja's own gettext wrappers around its own look-up; a page calls
    # them some 30 times (a fifth of a lesson page's time). These do the same in one step.
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )
    app.jinja_env.globals["interface_language"] = interface_language


def _catalogue() -> Any:
    """This request's translations. Flask-Babel finds them anew for every string (its request
    state, the locale, the catalogue by locale name); they are kept here for the request, with
    the locale they belong to, so `force_locale` and `refresh` still switch them."""
    try:
        state = g._flask_babel  # Flask-Babel's per-request namespace
    except (AttributeError, RuntimeError):  # no Babel call yet in this request, or no app
        return get_translations()
    locale = getattr(state, "babel_locale", None)
    kept = getattr(state, "signaal_catalogue", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    state.signaal_catalogue = (get_locale(), translations)
    return translations


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    """`_()`, `gettext()` and `{% trans %}` in templates, as Jinja's newstyle gettext does it:
    escaped where the template escapes, and always a format string (`%%` for a percent sign)."""
    text = _catalogue().gettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    # Formatting a text without a percent sign gives the same text: skip it (most strings).
    return text % variables if variables or "%" in text else text


@pass_eval_context
def template_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    """`ngettext()` and `{% trans count=... %}` in templates; `num` is there to format."""
    variables.setdefault("num", num)
    text = _catalogue().ngettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


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
