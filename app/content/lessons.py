"""Lessons: `courses/<course>/NN-<slug>.md`, TOML front matter between `+++` lines, then
Markdown rendered once here (with its section ids and numbered sources)."""

from __future__ import annotations

import re
from pathlib import Path

from . import schema as s
from .folders import ContentFolders, sha256, visible
from .markdown import render_lesson
from .markdown_checks import check_markdown
from .model import Lesson, Source
from .reference import REFERENCE_FILE
from .schema import SLUG, Fields
from .sources import parse_source
from .wat_nu import WAT_NU_FILE

COURSE_FILE = "course.toml"
_LESSON_FILE = re.compile(r"^(\d{2})-(.+)\.md$")

FRONT_MATTER = s.Schema(
    s.text("title"),
    s.integer("minutes", minimum=1),
    s.strings("objectives", rule=s.count_between(2, 4, "leerdoelen")),
    s.date("reviewed", required=True),
    s.tables("sources", required=False),
)


def scan_lesson_files(
    folders: ContentFolders, course_dir: Path, files: dict[str, bytes]
) -> dict[str, tuple[int, Path]]:
    """Find the lesson files `NN-<slug>.md` (slug -> number, path); report anything else.

    Every file's bytes go into `files` for the course hash.
    """
    lesson_files: dict[str, tuple[int, Path]] = {}
    numbers: dict[int, str] = {}
    for path in visible(course_dir):
        name = path.name
        if path.is_file() and name != COURSE_FILE:
            files[f"courses/{course_dir.name}/{name}"] = path.read_bytes()
        if name in (COURSE_FILE, REFERENCE_FILE, WAT_NU_FILE):
            continue
        match = _LESSON_FILE.match(name)
        source = folders.source(path)
        if not path.is_file() or not match:
            source.problem(
                1,
                "onbekend bestand in de cursusmap; verwacht course.toml, signalenkaart.toml en "
                "lessen als NN-<les-slug>.md (bijvoorbeeld 01-wat-is-mensenhandel.md).",
            )
            continue
        number, lesson_slug = int(match.group(1)), match.group(2)
        if not SLUG.match(lesson_slug):
            source.problem(1, f"'{lesson_slug}' in de bestandsnaam is geen geldige slug.")
            continue
        if lesson_slug in lesson_files:
            source.problem(
                1,
                f"nog een bestand voor les '{lesson_slug}' ({lesson_files[lesson_slug][1].name}).",
            )
            continue
        if number in numbers:
            source.problem(
                1, f"lesnummer {number:02d} is ook gebruikt door les '{numbers[number]}'."
            )
        numbers[number] = lesson_slug
        lesson_files[lesson_slug] = (number, path)
    return lesson_files


def load_lesson(
    folders: ContentFolders,
    path: Path,
    number: int,
    slug: str,
    check: str | None,
    lesson_slugs: set[str],
) -> Lesson | None:
    data = path.read_bytes()
    source = folders.source(path)
    text = source.read_text(data)
    if text is None:
        return None
    lines = text.splitlines()
    body_start = 0  # index of the first body line
    front: Fields | None = None
    if not lines or lines[0].strip() != "+++":
        source.problem(
            1,
            "front matter ontbreekt: begin met een regel '+++', dan title, minutes en "
            "objectives, en sluit af met '+++'.",
        )
    else:
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "+++"), None)
        if end is None:
            source.problem(1, "de front matter wordt niet afgesloten met een regel '+++'.")
        else:
            front = source.parse_toml("\n".join(lines[1:end]), offset=1)
            body_start = end + 1

    title, minutes, objectives, reviewed = "", 0, (), None
    sources: dict[str, tuple[Source, Fields]] = {}
    if front is not None:
        FRONT_MATTER.read(front)
        title = front["title"]
        reviewed = front["reviewed"]
        sources = _sources(front)
        minutes = front["minutes"]
        objectives = front["objectives"]

    body = "\n".join(lines[body_start:])
    cited = check_markdown(
        source, body, body_start + 1, lesson_slugs, kernboodschappen=True, sources=set(sources)
    )
    for source_id, (_, table) in sources.items():
        if source_id not in cited:
            table.problem(
                "id",
                f"bron '{source_id}' wordt nergens aangehaald; verwijs ernaar in de tekst met "
                f"[^{source_id}] of haal hem weg.",
            )
    # Numbered in order of first citation, as the reader meets them.
    order = [source_id for source_id in cited if source_id in sources]
    rendered = render_lesson(
        body, citations={source_id: n for n, source_id in enumerate(order, start=1)}
    )
    return Lesson(
        slug=slug,
        number=number,
        title=title,
        minutes=minutes,
        objectives=objectives,
        html=rendered.html,
        sections=rendered.sections,
        check=check,
        content_hash=sha256(data),
        source=source.display,
        reviewed=reviewed,
        sources=tuple(sources[source_id][0] for source_id in order),
    )


def _sources(front: Fields) -> dict[str, tuple[Source, Fields]]:
    """The front matter's [[sources]] by id, each with its table to report problems at."""
    sources: dict[str, tuple[Source, Fields]] = {}
    for table in front["sources"]:
        source = parse_source(table, cited=True)
        if source.id in sources:
            table.problem("id", f"bron '{source.id}' staat al eerder in [[sources]].")
        elif source.id:
            sources[source.id] = (source, table)
    return sources
