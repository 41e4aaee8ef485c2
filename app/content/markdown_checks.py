"""Checks on content Markdown that name the line: callouts, lesson links, footnotes and
citations, and a lesson's closing Kernboodschappen section.

They read the source line by line (Python-Markdown does not say where an element came from).
"""

from __future__ import annotations

import re

from .sanitise import CALLOUT_KINDS
from .source import SourceFile

_FENCE = re.compile(r"^\s*(```|~~~)")
_CALLOUT = re.compile(r"^\s*!!!(.*)$")
_CALLOUT_PARTS = re.compile(r'^\s*([\w-]+(?:[ \t]+[\w-]+)*)?\s*(?:"(.*)")?\s*$')
_INLINE_LESSON_LINK = re.compile(r"\]\(\s*<?lesson:([^)\s>]*)")
_REFERENCE_LESSON_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?lesson:([^\s>]*)")
_FOOTNOTE_DEFINITION = re.compile(r"^\s{0,3}\[\^([^\]\s]+)\]:")
#: A line that opens with several citations and a colon: a footnote definition for more than one
#: source, which Markdown does not recognise and prints as text ("¹²: ...").
_STACKED_DEFINITION = re.compile(r"^\s{0,3}(?:\[\^[^\]\s]+\]){2,}:")
_FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_KERNBOODSCHAPPEN = re.compile(r"^##\s+Kernboodschappen\s*#*\s*$")


def check_markdown(
    source: SourceFile,
    text: str,
    first_line: int,
    lesson_slugs: set[str],
    *,
    kernboodschappen: bool,
    sources: set[str] | None = None,
) -> list[str]:
    """Report unknown callouts, broken lesson links, undefined footnotes (and a missing
    Kernboodschappen section) with the line in the file.

    With `sources` (a lesson's [[sources]] ids) the text cites those as `[^id]` and may not
    define footnotes itself. Returns the cited labels in order of first citation.
    """
    in_code = False
    definitions: set[str] = set()
    references: list[tuple[str, int]] = []
    has_kernboodschappen = False
    for index, raw in enumerate(text.splitlines()):
        line_number = first_line + index
        if _FENCE.match(raw):
            in_code = not in_code
            continue
        if in_code:
            continue
        if _KERNBOODSCHAPPEN.match(raw):
            has_kernboodschappen = True
        callout = _CALLOUT.match(raw)
        if callout:
            _check_callout(source, callout.group(1), line_number)
        line = _CODE_SPAN.sub("", raw)
        targets = _INLINE_LESSON_LINK.findall(line)
        reference_link = _REFERENCE_LESSON_LINK.match(line)
        if reference_link:
            targets.append(reference_link.group(1))
        for target in targets:
            slug = target.split("#", 1)[0]
            if slug not in lesson_slugs:
                known = ", ".join(sorted(lesson_slugs)) or "geen"
                source.problem(
                    line_number,
                    f"link naar onbekende les 'lesson:{slug}'; lessen van deze cursus: {known}.",
                )
        if _STACKED_DEFINITION.match(line):
            source.problem(
                line_number,
                "een regel die begint met meerdere verwijzingen en een dubbele punt lijkt een "
                "voetnoot voor meer bronnen tegelijk; die bestaat niet en verschijnt als tekst "
                "in de les. Haal de regel weg: de bronnen staan in de front matter.",
            )
            continue
        definition = _FOOTNOTE_DEFINITION.match(line)
        if definition:
            if sources is not None:
                source.problem(
                    line_number,
                    f"bronnen staan niet meer als voetnoot in de tekst: zet '{definition.group(1)}' "
                    "in de front matter als [[sources]] met id, title, publisher en year, en "
                    f"verwijs in de tekst met [^{definition.group(1)}].",
                )
            definitions.add(definition.group(1))
            line = line[definition.end() :]
        references.extend((label, line_number) for label in _FOOTNOTE_REFERENCE.findall(line))
    for label, line_number in references:
        if sources is not None and label not in sources:
            source.problem(
                line_number,
                f"bron [^{label}] staat niet in de front matter: voeg [[sources]] met "
                f'id = "{label}", title, publisher en year toe.',
            )
        elif sources is None and label not in definitions:
            source.problem(
                line_number,
                f"voetnoot [^{label}] heeft geen bron: voeg onderaan '[^{label}]: ...' toe.",
            )
    if kernboodschappen and not has_kernboodschappen:
        source.problem(
            first_line + len(text.splitlines()) - 1 if text.strip() else first_line,
            "de sectie '## Kernboodschappen' ontbreekt; sluit de les daarmee af.",
        )
    return list(dict.fromkeys(label for label, _ in references))


def _check_callout(source: SourceFile, rest: str, line_number: int) -> None:
    allowed = ", ".join(CALLOUT_KINDS)
    parts = _CALLOUT_PARTS.match(rest)
    kinds = parts.group(1).split() if parts and parts.group(1) else []
    if not parts or not kinds:
        source.problem(
            line_number,
            f'kader zonder soort; schrijf !!! soort "Titel" met soort een van: {allowed}.',
        )
    elif len(kinds) > 1 or kinds[0] not in CALLOUT_KINDS:
        source.problem(
            line_number, f"onbekend soort kader '{' '.join(kinds)}'; kies uit: {allowed}."
        )
