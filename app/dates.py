"""Dates and times as users read them: stored in UTC, shown in Europe/Amsterdam, in the
language of the page ('25 november 2026' in Dutch, 'November 25, 2026' in English)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import has_app_context
from flask_babel import get_locale, gettext

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _locale(locale: str | None) -> str:
    """The language asked for, else the request's, else Dutch (documents, commands)."""
    if locale:
        return locale
    current = get_locale() if has_app_context() else None
    return str(current) if current else "nl"


def local_date(value: dt.date | dt.datetime | None, locale: str | None = None) -> str:
    """A date written out in full: '25 november 2026'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(AMSTERDAM).date()
    return _long_date(value, _locale(locale))


@lru_cache(maxsize=4096)
def _long_date(value: dt.date, locale: str) -> str:
    # Babel parses the locale and the pattern on every call; pages show the same few dates.
    return format_date(value, "long", locale=locale)


def local_datetime(value: dt.datetime | None, locale: str | None = None) -> str:
    """A UTC moment in Amsterdam time: '17 november 2026 om 14:03'."""
    if value is None:
        return ""
    local = value.astimezone(AMSTERDAM)
    chosen = _locale(locale)
    return gettext(
        "%(date)s om %(time)s",
        date=local_date(local, chosen),
        time=format_time(local, "HH:mm", locale=chosen),
    )
