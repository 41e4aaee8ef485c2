"""The "Wat nu?" aid: `courses/<course>/wat-nu.toml`, a walk through the KNMG-meldcode.

The aid's step names must be the signalenkaart's, and a contact it shares with the card must
carry the same phone number, so the spreekkamer never sees two versions of a fact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import schema as s
from .markdown import render_markdown
from .model import ReferenceCard, Source
from .reference import CONTACT
from .schema import Fields
from .source import SourceFile
from .sources import parse_source

#: The file name in a course folder.
WAT_NU_FILE = "wat-nu.toml"
#: "text": free text; "choice": one option (radio buttons); "checks": any options (checkboxes).
FIELD_TYPES = ("text", "choice", "checks")

WAT_NU = s.Schema(
    s.text("title"),
    s.text("intro"),
    s.date("reviewed", required=True),
    s.table("acute"),
    s.table("advice"),
    s.tables("steps"),
    s.table("note"),
    s.tables("sources", rule=s.not_empty("noem minstens één bron.")),
)
ACUTE = s.Schema(s.text("title"), s.text("text"), s.tables("contacts"))
ADVICE = s.Schema(s.tables("contacts"))
NOTE = s.Schema(s.text("title"), s.text("intro", required=False))
STEP = s.Schema(
    s.integer("step", minimum=1, maximum=5),
    s.text("name"),
    s.text("title"),
    s.text("text"),
    s.boolean("signals"),
    s.boolean("contacts"),
    s.tables("fields", required=False),
)
FIELD = s.Schema(
    s.slug("id"),
    s.choice("type", FIELD_TYPES),
    s.text("prompt"),
    s.text("note"),
    s.text("explain", required=False),
    s.tables("options", required=False),
)
OPTION = s.Schema(s.slug("id"), s.text("text"), s.text("then", required=False), s.boolean("acute"))


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
    WAT_NU.read(root)
    reviewed = root["reviewed"]
    card_phones = {name: phone for name, phone, _ in reference.contacts} if reference else {}
    acute = root["acute"]
    acute_contacts = _contacts(ACUTE.read(acute), card_phones) if acute is not None else ()
    advice = root["advice"]
    advice_contacts = _contacts(ADVICE.read(advice), card_phones) if advice is not None else ()
    steps = _steps(root, reference)
    note = root["note"]
    if note is not None:
        NOTE.read(note)
    return WatNu(
        title=root["title"],
        intro=root["intro"],
        reviewed=reviewed or dt.date.min,
        acute_title=acute["title"] if acute else "",
        acute_text=acute["text"] if acute else "",
        acute_contacts=acute_contacts,
        advice_contacts=advice_contacts,
        steps=steps,
        note_title=note["title"] if note else "",
        note_intro=note["intro"] if note else "",
        sources=tuple(parse_source(table, cited=False) for table in root["sources"]),
    )


def _contacts(table: Fields, card_phones: dict[str, str]) -> tuple[Contact, ...]:
    """Contacts as on the signalenkaart; one the card also lists has the card's number."""
    contacts = []
    for item in table["contacts"]:
        contact = Contact(**CONTACT.values(item))
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
    tables = root["steps"]
    for table in tables:
        STEP.read(table)
        number = table["step"]
        name = table["name"]
        if any(other.step == number for other in steps):
            table.problem("step", f"stap {number} staat al eerder in het bestand.")
        # Without a signalenkaart there is no second version of the names to disagree with.
        if reference is not None and name and card_names.get(number) != name:
            table.problem(
                "name",
                f"de naam van stap {number} wijkt af van de signalenkaart: "
                f"'{card_names.get(number, '(geen stap ' + str(number) + ')')}'.",
            )
        fields = tuple(_field(f, field_ids) for f in table["fields"])
        steps.append(
            AidStep(
                step=number,
                name=name,
                title=table["title"],
                html=render_markdown(table["text"]),
                fields=fields,
                signals=table["signals"],
                contacts=table["contacts"],
            )
        )
    numbers = [step.step for step in steps]
    if tables and sorted(numbers) != [1, 2, 3, 4, 5]:
        root.problem("steps", "het hulpmiddel noemt de vijf stappen van de meldcode, elk één keer.")
    elif numbers != sorted(numbers):
        root.problem("steps", "zet de stappen in de volgorde 1 tot en met 5.")
    return tuple(steps)


def _field(table: Fields, seen: dict[str, int]) -> AidField:
    FIELD.read(table)
    field_id = table["id"]
    if field_id in seen:
        table.problem("id", f"dubbele veld-id '{field_id}': al gebruikt op regel {seen[field_id]}.")
    seen.setdefault(field_id, table.line("id"))
    kind = table["type"]
    options = []
    option_ids: set[str] = set()
    for option in table["options"]:
        OPTION.read(option)
        option_id = option["id"]
        if option_id in option_ids:
            option.problem("id", f"dubbele optie-id '{option_id}' in dit veld.")
        option_ids.add(option_id)
        options.append(AidOption(option_id, option["text"], option["then"], option["acute"]))
    if kind == "text" and options:
        table.problem("options", 'een tekstveld (type = "text") heeft geen opties.')
    if kind in ("choice", "checks") and len(options) < 2:
        table.problem(None, f"een {kind}-veld heeft minstens 2 opties; nu {len(options)}.")
    explain = table["explain"]
    if explain and kind == "text":
        table.problem("explain", "'explain' hoort bij een choice- of checks-veld.")
    return AidField(
        id=field_id,
        type=kind,
        prompt=table["prompt"],
        note=table["note"],
        options=tuple(options),
        explain=explain,
    )
