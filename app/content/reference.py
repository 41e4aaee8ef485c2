"""The reference card: `courses/<course>/signalenkaart.toml`, signals per form of
exploitation, the KNMG-meldcode steps, contacts and sources."""

from __future__ import annotations

from pathlib import Path

from . import schema as s
from .folders import ContentFolders
from .model import ReferenceCard
from .sources import parse_source

#: The file name in a course folder.
REFERENCE_FILE = "signalenkaart.toml"

CARD = s.Schema(
    s.text("title"),
    s.text("intro", required=False),
    s.tables("signals"),
    s.tables("meldcode"),
    s.tables("contacts", required=False),
    s.tables("sources", required=False),
)
SIGNALS = s.Schema(s.text("form"), s.strings("items", rule=s.count_between(3, 7, "regels")))
STEP = s.Schema(s.integer("step", minimum=1, maximum=5), s.text("name"), s.text("action"))
CONTACT = s.Schema(s.text("name"), s.text("phone", required=False), s.text("when"))


def load_reference(folders: ContentFolders, path: Path) -> ReferenceCard | None:
    source = folders.source(path)
    text = source.read_text(path.read_bytes())
    root = source.parse_toml(text) if text is not None else None
    if root is None:
        return None
    CARD.read(root)
    signals = []
    for table in root["signals"]:
        SIGNALS.read(table)
        items = table["items"]
        signals.append((table["form"], items))
    steps = []
    seen_steps: set[int] = set()
    for table in root["meldcode"]:
        STEP.read(table)
        step = table["step"]
        if step in seen_steps:
            table.problem("step", f"stap {step} staat al eerder op de kaart.")
        seen_steps.add(step)
        steps.append((step, table["name"], table["action"]))
    contacts = [
        (table["name"], table["phone"], table["when"])
        for table in map(CONTACT.read, root["contacts"])
    ]
    sources = [parse_source(table, cited=False) for table in root["sources"]]
    return ReferenceCard(
        title=root["title"],
        intro=root["intro"],
        signals=tuple(signals),
        meldcode=tuple(steps),
        contacts=tuple(contacts),
        sources=tuple(sources),
    )
