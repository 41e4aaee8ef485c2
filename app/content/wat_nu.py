"""The "Wat nu?" aid: `courses/<course>/wat-nu.toml`, a walk through the KNMG-meldcode.

The aid's step names must be the signalenkaart's, and a contact it shares with the card must
carry the same phone number, so the spreekkamer never sees two versions of a fact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .markdown import render_markdown
from .model import ReferenceCard, Source
from .source import Fields, SourceFile
from .sources import parse_source

#: The file name in a course folder.
WAT_NU_FILE = "wat-nu.toml"
#: "text": free text; "choice": one option (radio buttons); "checks": any options (checkboxes).
FIELD_TYPES = ("text", "choice", "checks")


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    when: str


@dataclass(frozen=True)
class AidOption:
    id: str
    text: str
    #: What the GP does next when choosing this option (shown at once with JavaScript).
    then: str = ""
    #: Choosing it means acute danger: the acute box is brought into view.
    acute: bool = False


@dataclass(frozen=True)
class AidField:
    id: str
    type: str
    prompt: str
    #: The label of this answer in the dossier note.
    note: str
    options: tuple[AidOption, ...] = ()
    #: Label of a free-text explanation next to a choice ("Toelichting"), if any.
    explain: str = ""


@dataclass(frozen=True)
class AidStep:
    step: int
    #: The KNMG step name, as on the signalenkaart.
    name: str
    title: str
    #: Sanitised HTML.
    html: str
    fields: tuple[AidField, ...]
    #: Show the signalenkaart's signals, grouped per form, as a checklist in this step.
    signals: bool = False
    #: Show the advice contacts ([advice]) in this step.
    contacts: bool = False


@dataclass(frozen=True)
class WatNu:
    title: str
    intro: str
    reviewed: dt.date
    acute_title: str
    acute_text: str
    acute_contacts: tuple[Contact, ...]
    advice_contacts: tuple[Contact, ...]
    steps: tuple[AidStep, ...]
    note_title: str
    note_intro: str
    sources: tuple[Source, ...]


def load_wat_nu(source: SourceFile, reference: ReferenceCard | None) -> WatNu | None:
    """Parse and validate the aid; problems go to the source's list as file:line."""
    text = source.read_text(Path(source.path).read_bytes())
    root = source.parse_toml(text) if text is not None else None
    if root is None:
        return None
    root.only(("title", "intro", "reviewed", "acute", "advice", "steps", "note", "sources"))
    reviewed = root.date("reviewed", required=True)
    card_phones = {name: phone for name, phone, _ in reference.contacts} if reference else {}
    acute = root.table("acute")
    acute_contacts: tuple[Contact, ...] = ()
    if acute is not None:
        acute.only(("title", "text", "contacts"))
        acute_contacts = _contacts(acute, card_phones)
    advice = root.table("advice")
    advice_contacts = _contacts(advice, card_phones) if advice is not None else ()
    if advice is not None:
        advice.only(("contacts",))
    steps = _steps(root, reference)
    note = root.table("note")
    if note is not None:
        note.only(("title", "intro"))
    return WatNu(
        title=root.text("title"),
        intro=root.text("intro"),
        reviewed=reviewed or dt.date.min,
        acute_title=acute.text("title") if acute else "",
        acute_text=acute.text("text") if acute else "",
        acute_contacts=acute_contacts,
        advice_contacts=advice_contacts,
        steps=steps,
        note_title=note.text("title") if note else "",
        note_intro=note.text("intro", required=False) if note else "",
        sources=_sources(root),
    )


def _contacts(table: Fields, card_phones: dict[str, str]) -> tuple[Contact, ...]:
    contacts = []
    for item in table.tables("contacts"):
        item.only(("name", "phone", "when"))
        contact = Contact(item.text("name"), item.text("phone", required=False), item.text("when"))
        card_phone = card_phones.get(contact.name)
        if card_phone is not None and card_phone != contact.phone:
            item.problem(
                "phone" if item.has("phone") else None,
                f"'{contact.name}' heeft op de signalenkaart nummer {card_phone or '(geen)'}; "
                "gebruik hetzelfde nummer.",
            )
        contacts.append(contact)
    return tuple(contacts)


def _steps(root: Fields, reference: ReferenceCard | None) -> tuple[AidStep, ...]:
    card_names = {number: name for number, name, _ in reference.meldcode} if reference else {}
    steps: list[AidStep] = []
    field_ids: dict[str, int] = {}
    tables = root.tables("steps")
    for table in tables:
        table.only(("step", "name", "title", "text", "signals", "contacts", "fields"))
        number = table.integer("step", minimum=1, maximum=5)
        name = table.text("name")
        if any(s.step == number for s in steps):
            table.problem("step", f"stap {number} staat al eerder in het bestand.")
        # Without a signalenkaart there is no second version of the names to disagree with.
        if reference is not None and name and card_names.get(number) != name:
            table.problem(
                "name",
                f"de naam van stap {number} wijkt af van de signalenkaart: "
                f"'{card_names.get(number, '(geen stap ' + str(number) + ')')}'.",
            )
        fields = tuple(_field(f, field_ids) for f in table.tables("fields", required=False))
        steps.append(
            AidStep(
                step=number,
                name=name,
                title=table.text("title"),
                html=render_markdown(table.text("text")),
                fields=fields,
                signals=table.boolean("signals"),
                contacts=table.boolean("contacts"),
            )
        )
    numbers = [s.step for s in steps]
    if tables and sorted(numbers) != [1, 2, 3, 4, 5]:
        root.problem("steps", "het hulpmiddel noemt de vijf stappen van de meldcode, elk één keer.")
    elif numbers != sorted(numbers):
        root.problem("steps", "zet de stappen in de volgorde 1 tot en met 5.")
    return tuple(steps)


def _field(table: Fields, seen: dict[str, int]) -> AidField:
    table.only(("id", "type", "prompt", "note", "explain", "options"))
    field_id = table.slug("id")
    if field_id in seen:
        table.problem("id", f"dubbele veld-id '{field_id}': al gebruikt op regel {seen[field_id]}.")
    seen.setdefault(field_id, table.line("id"))
    kind = table.choice("type", FIELD_TYPES)
    options = []
    option_ids: set[str] = set()
    for option in table.tables("options", required=False):
        option.only(("id", "text", "then", "acute"))
        option_id = option.slug("id")
        if option_id in option_ids:
            option.problem("id", f"dubbele optie-id '{option_id}' in dit veld.")
        option_ids.add(option_id)
        options.append(
            AidOption(
                option_id,
                option.text("text"),
                option.text("then", required=False),
                option.boolean("acute"),
            )
        )
    if kind == "text" and options:
        table.problem("options", 'een tekstveld (type = "text") heeft geen opties.')
    if kind in ("choice", "checks") and len(options) < 2:
        table.problem(None, f"een {kind}-veld heeft minstens 2 opties; nu {len(options)}.")
    explain = table.text("explain", required=False)
    if explain and kind == "text":
        table.problem("explain", "'explain' hoort bij een choice- of checks-veld.")
    return AidField(
        id=field_id,
        type=kind,
        prompt=table.text("prompt"),
        note=table.text("note"),
        options=tuple(options),
        explain=explain,
    )


def _sources(root: Fields) -> tuple[Source, ...]:
    sources = []
    tables = root.tables("sources")
    if root.has("sources") and not tables:
        root.problem("sources", "noem minstens één bron.")
    for table in tables:
        sources.append(parse_source(table, cited=False))
    return tuple(sources)
