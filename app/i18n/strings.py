"""Find Dutch interface text that is not marked for translation.

Templates: every piece of text between tags, every `title`, `alt`, `aria-label` and
`placeholder` value, and every quoted string in a Jinja expression that reads as text, outside
`{% trans %}` and `_()`. Python: string literals that read as Dutch prose, and any literal handed
to a place the interface shows (`flash`, a form field's label or message, a `ValidationError`),
outside `_()` and friends.

Left out on purpose, because they are not interface text or are printed in the course's own
language: see `PYTHON_EXEMPT`. A line may opt out with the comment `i18n: keep` (and why).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from jinja2 import Environment
from jinja2.lexer import TOKEN_BLOCK_BEGIN, TOKEN_DATA, TOKEN_NAME, TOKEN_STRING

APP = Path(__file__).resolve().parent.parent

#: Modules whose text is not the interface's. Why, per entry.
PYTHON_EXEMPT = {
    "content": "messages for course authors, who write in Dutch (flask content check)",
    "demo": "demo data, in the course's language",
    "config.py": "start-up errors for operators",
    "i18n": "this checker",
    "accreditation/pe_online.py": "the PE-online protocol",
    "accreditation/dossier_pdf.py": "the dossier for the Dutch accreditation body",
    "certificates/pdf.py": "the certificate, printed in the course's language",
    "certificates/pocket_card.py": "the pocket card, printed in the course's language",
    "live/report.py": "the toetsgroep report, in the course's language",
    "certificates/facts.py": "what a certificate prints, in the course's language",
    "learning/pocket_card.py": "the pocket card, printed in the course's language",
}
#: Every `cli.py` holds operator commands, in Dutch like the rest of the operations side.
OPERATOR_MODULE = "cli.py"
#: Names that read the same in every language: text made only of these needs no translation.
PROPER_NAMES = frozenset({"Signaal", "Live", "CoMensha"})

OPT_OUT = "i18n: keep"
GETTEXT_CALLS = {"_", "gettext", "ngettext", "lazy_gettext", "_l", "lazy_ngettext", "pgettext"}
#: Calls whose text argument the interface shows.
SHOWN_CALLS = {"flash", "ValidationError"}
LOGGING_CALLS = {"debug", "info", "warning", "error", "exception", "getLogger", "log"}
SHOWN_KEYWORDS = {"label", "description", "message", "title", "hint"}
FIELD_SUFFIX = "Field"

#: Short words that occur in Dutch prose and hardly in English: two of them, or one in a
#: phrase of three to five words, make a string read as Dutch.
_DUTCH_WORDS = """de het een je jouw jij u uw niet voor met naar zijn er op om en bij dat deze
    geen nog wordt worden kan kun kunt moet moeten ook als aan tot uit heeft hebt bent wel maar
    zo hier daar wat wie waar hoe welke meer alle eerst ga gaat terug opnieuw nieuwe nieuw mijn
    onze ons wij zij ze hun haar dit ik gegevens pagina"""
DUTCH_WORDS = frozenset(_DUTCH_WORDS.split())
#: Whole words only: the letters inside a code such as SIG-S4F3-ER9C-Z are not words.
WORD = re.compile(r"\b[A-Za-zÀ-ÿ]{2,}\b")


def reads_as_dutch(text: str) -> bool:
    """Prose in Dutch: a path, an identifier or a single word is not prose."""
    if " " not in text.strip():
        return False
    # Capitals are codes and acronyms (a certificate number may hold DEZE), not prose.
    words = [word.lower() for word in WORD.findall(text) if not word.isupper()]
    dutch = sum(word in DUTCH_WORDS for word in words)
    # One Dutch word makes a short phrase Dutch, not a long sentence naming "Wat nu?".
    return dutch >= 2 or (dutch == 1 and 3 <= len(words) <= 5)


def _has_words(text: str) -> bool:
    """Text a reader sees: a word of two letters or more, not an acronym or a proper name."""
    return any(not word.isupper() and word not in PROPER_NAMES for word in WORD.findall(text))


def unmarked_strings(root: Path = APP) -> Iterator[str]:
    """Each unmarked interface string under root (the app package) as 'file:line: problem'."""
    for path in sorted((root / "templates").rglob("*")):
        if path.suffix in (".html", ".txt"):
            yield from _template_problems(path, root)
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if path.name == OPERATOR_MODULE or any(
            relative == key or relative.startswith(key + "/") for key in PYTHON_EXEMPT
        ):
            continue
        yield from _python_problems(path, root)


# Templates ---------------------------------------------------------------------------------

_ENV = Environment(extensions=["jinja2.ext.i18n"])
PLACEHOLDER = "\x00"
ATTRIBUTE = re.compile(
    r"""\b(title|alt|aria-label|placeholder|aria-description)\s*=\s*(["'])(.*?)\2""", re.S
)
HIDDEN = re.compile(r"<!--.*?-->|<script\b.*?</script>|<style\b.*?</style>", re.S | re.I)
TAG = re.compile(r"<[^>]*>", re.S)
ENTITY = re.compile(r"&[#a-zA-Z0-9]+;")
#: Names a quoted string follows when it is not text (an address, a class, a template).
NOT_TEXT_BEFORE = {
    "extends",
    "include",
    "import",
    "from",
    "class",
    "class_",
    "url_for",
    "endpoint",
    "filename",
    "autocomplete",
    "type",
    "id",
    "format",
    "join",
    "inputmode",
    "role",
    "pattern",
    "method",
}


def _template_problems(path: Path, root: Path) -> Iterator[str]:
    source = path.read_text()
    relative = path.relative_to(root.parent).as_posix()
    lines = source.splitlines()
    text: list[str] = []
    line_of: list[int] = []
    in_trans = False
    gettext_depth: list[int] = []
    depth = 0
    previous: list[str] = []
    try:
        tokens = list(_ENV.lex(source))
    except Exception as exc:  # a template Jinja cannot lex is reported by the tests
        yield f"{relative}: {exc}"
        return
    for index, (lineno, kind, value) in enumerate(tokens):
        if kind == TOKEN_BLOCK_BEGIN:
            name = next((t[2] for t in tokens[index + 1 :] if t[1] != "whitespace"), "")
            if name in ("trans", "pluralize"):
                in_trans = True
            elif name == "endtrans":
                in_trans = False
        if kind == TOKEN_DATA:
            piece = PLACEHOLDER if in_trans else value
            text.append(piece)
            line_of.extend([lineno + piece[:i].count("\n") for i in range(len(piece))])
            continue
        if kind == "operator" and value == "(":
            depth += 1
            if previous and previous[-1] in GETTEXT_CALLS:
                gettext_depth.append(depth)
        elif kind == "operator" and value == ")":
            if gettext_depth and gettext_depth[-1] == depth:
                gettext_depth.pop()
            depth -= 1
        if kind == TOKEN_STRING and not gettext_depth and not in_trans:
            value = value[1:-1]
            before = [p for p in previous[-2:] if p not in ("=", "(", ",")]
            if (
                _has_words(value)
                and (" " in value.strip() or value[:1].isupper())
                and not (before and before[-1] in NOT_TEXT_BEFORE)
                and OPT_OUT not in lines[lineno - 1]
                and not value.startswith(("/", "#", "%", "http"))
            ):
                yield f"{relative}:{lineno}: tekst niet gemarkeerd voor vertaling: {value!r}"
        text.append(PLACEHOLDER)
        line_of.append(lineno)
        if kind in (TOKEN_NAME, "operator"):
            previous.append(value)
    yield from _html_text_problems(relative, "".join(text), line_of, lines)


def _html_text_problems(
    relative: str, html: str, line_of: list[int], lines: list[str]
) -> Iterator[str]:
    blanked = HIDDEN.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), html)
    found: list[tuple[int, str]] = []
    for match in ATTRIBUTE.finditer(blanked):
        found.append((match.start(3), match.group(3)))
    outside_tags = TAG.sub(lambda m: " " * len(m.group()), blanked)
    for match in re.finditer(r"[^\x00<>]+", outside_tags):
        found.append((match.start(), match.group()))
    for offset, value in found:
        value = ENTITY.sub(" ", value)
        if not _has_words(value):
            continue
        lineno = line_of[min(offset + len(value) - len(value.lstrip()), len(line_of) - 1)]
        if OPT_OUT in lines[lineno - 1]:
            continue
        yield f"{relative}:{lineno}: tekst niet gemarkeerd voor vertaling: {value.strip()!r}"


# Python ------------------------------------------------------------------------------------


def _call_name(node: ast.Call) -> str:
    function = node.func
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return ""


def _python_problems(path: Path, root: Path) -> Iterator[str]:
    source = path.read_text()
    relative = path.relative_to(root.parent).as_posix()
    lines = source.splitlines()
    tree = ast.parse(source, str(path))
    exempt: set[int] = set()
    shown: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                exempt.add(id(body[0].value))
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in GETTEXT_CALLS or name in LOGGING_CALLS:
                exempt.update(id(sub) for sub in ast.walk(node))
            if (name in SHOWN_CALLS or name.endswith(FIELD_SUFFIX)) and node.args:
                shown.update(id(sub) for sub in ast.walk(node.args[0]))
            if name in SHOWN_CALLS or name.endswith(FIELD_SUFFIX) or name[:1].isupper():
                for keyword in node.keywords:
                    if keyword.arg in SHOWN_KEYWORDS:
                        shown.update(id(sub) for sub in ast.walk(keyword.value))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in exempt or OPT_OUT in lines[node.lineno - 1]:
            continue
        value = node.value
        if (id(node) in shown and _has_words(value)) or reads_as_dutch(value):
            yield f"{relative}:{node.lineno}: tekst niet gemarkeerd voor vertaling: {value!r}"
