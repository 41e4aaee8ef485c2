"""The interface catalogues: extract, update, compile and check them (`python -m app.i18n`).

Dutch is the source language: the msgids are the Dutch text, `translations/messages.pot` the
template, `translations/en/LC_MESSAGES/messages.po` the English catalogue. `check` is what
`make lint` runs: it fails when the template is out of date, an English translation is missing
or marked fuzzy, or a Dutch interface string is not marked for translation (see `strings`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

APP = Path(__file__).resolve().parent.parent
TRANSLATIONS = APP / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
#: The catalogues next to Dutch (the source language).
LOCALES = ("en",)

KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
METHODS = [
    ("**/demo/**.py", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**/templates/**.txt", "jinja2.ext:babel_extract"),
]
JINJA_OPTIONS = {"trimmed": "true", "extensions": ""}


def catalogue_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def extract() -> Catalog:
    """Every marked string in app/, as a fresh template."""
    template = Catalog(project="Signaal", locale=None, fuzzy=False)
    options = {"**/templates/**.html": JINJA_OPTIONS, "**/templates/**.txt": JINJA_OPTIONS}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(APP),
        method_map=METHODS,
        options_map=options,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        template.add(
            message,
            None,
            [(f"app/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(catalog: Catalog, path: Path, **options: bool) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, **options)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def update() -> None:
    """Re-extract the template and merge it into every catalogue (new strings untranslated)."""
    template = extract()
    _write(template, TEMPLATE, omit_header=False)
    for locale in LOCALES:
        path = catalogue_path(locale)
        catalog = _read(path, locale) if path.exists() else Catalog(locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _write(catalog, path)
    compile_all()


def compile_all() -> None:
    """Write the .mo files Flask-Babel reads (not committed: `make` builds them)."""
    for locale in LOCALES:
        catalog = _read(catalogue_path(locale), locale)
        with catalogue_path(locale).with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)


def untranslated(locale: str = "en") -> dict[str, str]:
    """The entries still to translate, as {msgid: ""} (plural entries under their singular)."""
    catalog = _read(catalogue_path(locale), locale)
    return {
        _singular(message.id): ""
        for message in catalog
        if message.id and (message.fuzzy or not _translated(message.string))
    }


def fill(table: dict[str, str | list[str]], locale: str = "en") -> int:
    """Write translations from {msgid: msgstr} (a list for plural forms); returns how many."""
    path = catalogue_path(locale)
    catalog = _read(path, locale)
    filled = 0
    for message in catalog:
        if message.id and _singular(message.id) in table:
            value = table[_singular(message.id)]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
            filled += 1
    _write(catalog, path)
    compile_all()
    return filled


def _singular(message_id: object) -> str:
    return message_id[0] if isinstance(message_id, tuple) else str(message_id)


def _translated(string: object) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def _keys(catalog: Catalog) -> set[tuple[object, str | None]]:
    return {(message.id, message.context) for message in catalog if message.id}


def problems() -> Iterator[str]:
    """What `make lint` reports: stale template, missing or fuzzy translations, unmarked text."""
    from .strings import unmarked_strings

    fresh = extract()
    if not TEMPLATE.exists() or _keys(_read(TEMPLATE)) != _keys(fresh):
        yield (
            f"{TEMPLATE.relative_to(APP.parent)} is niet bij: draai `make translations-update` "
            "en vertaal de nieuwe teksten."
        )
    for locale in LOCALES:
        path = catalogue_path(locale)
        catalog = _read(path, locale)
        missing = _keys(fresh) - _keys(catalog)
        for key in sorted(missing, key=str):
            yield f"{path.relative_to(APP.parent)}: ontbreekt: {key[0]!r}"
        for message in catalog:
            if not message.id:
                continue
            where = f"{path.relative_to(APP.parent)}:{message.lineno}"
            if message.fuzzy:
                yield f"{where}: vertaling gemarkeerd als fuzzy: {message.id!r}"
            elif not _translated(message.string):
                yield f"{where}: geen vertaling: {message.id!r}"
        for message, errors in catalog.check():
            for error in errors:
                yield f"{path.relative_to(APP.parent)}:{message.lineno}: {error}"
    yield from unmarked_strings()
