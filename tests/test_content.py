"""The content loader: validation problems as file:line, the catalog, safe Markdown, hashes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from app import create_app
from app.content import (
    Catalog,
    ContentError,
    Course,
    Lesson,
    Quiz,
    cueing,
    get_catalog,
    init_catalog,
    load_catalog,
    render_markdown,
)
from app.content.markdown import render_lesson
from app.content.model import Option, Question, Stage

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "content"

COURSE = "courses/test-cursus/course.toml"
LESSON1 = "courses/test-cursus/01-eerste-les.md"
LESSON2 = "courses/test-cursus/02-tweede-les.md"
CARD = "courses/test-cursus/signalenkaart.toml"
CASE = "quizzes/test-cursus/testcasus.toml"
CHECK = "quizzes/test-cursus/check-eerste-les.toml"


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A writable copy of the fixture course."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE, target)
    return target


def load(root: Path) -> Catalog:
    return load_catalog(root / "courses", root / "quizzes")


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load(root)
    return info.value.problems


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, name: str, needle: str) -> int:
    """1-based line of the first line containing `needle`."""
    for number, line in enumerate((root / name).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {name}")


def nth_line(root: Path, name: str, needle: str, nth: int) -> int:
    """1-based line of the `nth` (1-based) line containing `needle`."""
    lines = (root / name).read_text(encoding="utf-8").splitlines()
    return [number for number, line in enumerate(lines, 1) if needle in line][nth - 1]


def line_of_bytes(path: Path, needle: bytes) -> int:
    data = path.read_bytes()
    return data[: data.index(needle)].count(b"\n") + 1


def header_above(root: Path, name: str, needle: str) -> int:
    """Line of the `[[...]]` header of the table holding `needle`."""
    lines = (root / name).read_text(encoding="utf-8").splitlines()
    number = line_of(root, name, needle)
    while not lines[number - 1].lstrip().startswith("["):
        number -= 1
    return number


def assert_problem(problems: list[str], name: str, line: int, fragment: str) -> None:
    prefix = f"{name}:{line}: "
    matching = [p for p in problems if p.startswith(prefix) and fragment in p]
    assert matching, f"no problem {prefix}...{fragment!r} in:\n" + "\n".join(problems)


# --- a valid course --------------------------------------------------------------------------


def test_fixture_course_loads_into_frozen_dataclasses() -> None:
    catalog = load_catalog(FIXTURE / "courses", FIXTURE / "quizzes")
    course = catalog.course("test-cursus")
    assert isinstance(course, Course)
    assert [lesson.slug for lesson in course.lessons] == ["eerste-les", "tweede-les"]
    assert [lesson.number for lesson in course.lessons] == [1, 2]
    assert course.lessons[0].check == "check-eerste-les"
    assert course.lessons[1].check is None
    assert course.assessment == ("testcasus",)
    assert course.requirements.min_study_minutes == 10
    assert course.accreditation.status == "applied"
    assert not course.accreditation.granted
    assert course.accreditation.points == 2
    assert course.accreditation.booked_professions == ("gp", "gp_trainee")
    assert course.reference is not None
    assert [step for step, _, _ in course.reference.meldcode] == [1, 2, 3, 4, 5]

    with pytest.raises(dataclasses.FrozenInstanceError):
        course.title = "Anders"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        course.lessons[0].html = ""  # type: ignore[misc]


def test_fixture_case_covers_every_question_type() -> None:
    catalog = load_catalog(FIXTURE / "courses", FIXTURE / "quizzes")
    case = catalog.quiz("test-cursus", "testcasus")
    assert isinstance(case, Quiz)
    assert (case.kind, case.mode, case.pass_mark, case.attempts) == ("case", "summative", 70, 3)
    assert len(case.stages) == 3
    types = {q.type for q in case.questions}
    assert types == {"single", "multiple", "ordering", "reflection"}
    assert len(case.scored_questions) == 5
    assert {q.scoring for q in case.questions if q.type == "multiple"} == {
        "partial",
        "all-or-nothing",
    }
    meldcode = case.question("volgende-stap")
    assert meldcode is not None and meldcode.meldcode
    assert [o.step for o in meldcode.options] == [2, 5, None]
    ordering = case.question("gespreksvolgorde")
    assert ordering is not None and not any(o.correct for o in ordering.options)
    # Options inherit the question's lesson unless they name their own.
    signals = case.question("signalen-eerste-consult")
    assert signals is not None
    assert [o.lesson for o in signals.options] == [
        "eerste-les",
        "eerste-les",
        "tweede-les",
        "eerste-les",
    ]
    assert case.stage_of("volgende-stap") == 2


def test_fixture_check_uses_defaults() -> None:
    check = load_catalog(FIXTURE / "courses", FIXTURE / "quizzes").quiz(
        "test-cursus", "check-eerste-les"
    )
    assert check is not None
    assert (check.kind, check.mode, check.pass_mark, check.attempts, check.shuffle) == (
        "check",
        "formative",
        70,
        3,
        False,
    )


def test_lessons_are_rendered_once_with_relative_lesson_links() -> None:
    course = load_catalog(FIXTURE / "courses", FIXTURE / "quizzes").course("test-cursus")
    assert course is not None
    lesson = course.lesson("eerste-les")
    assert isinstance(lesson, Lesson)
    assert '<a href="tweede-les" rel="noopener">' in lesson.html
    assert '<div class="admonition signaal">' in lesson.html
    assert '<p class="admonition-title">Signalen in het consult</p>' in lesson.html
    assert '<a class="footnote-ref" href="#bron-1" title="Bron 1"' in lesson.html
    assert lesson.source == LESSON1
    # Stage text links point into the lesson pages from wherever the quiz is shown.
    stage = course.quizzes["testcasus"].stages[2]
    assert 'href="/leren/test-cursus/tweede-les"' in stage.html


def test_content_error_message_lists_every_problem() -> None:
    error = ContentError(["a.toml:1: eerste", "b.md:2: tweede"])
    assert isinstance(error, RuntimeError)
    assert error.problems == ["a.toml:1: eerste", "b.md:2: tweede"]
    assert str(error) == (
        "De cursusinhoud bevat fouten; de app start niet:\na.toml:1: eerste\nb.md:2: tweede"
    )


def test_all_problems_are_collected_in_one_run(root: Path) -> None:
    edit(root, CASE, 'kind = "case"', 'kind = "casus"')
    edit(root, LESSON2, "## Kernboodschappen", "## Samenvatting")
    edit(root, COURSE, 'status = "applied"', 'status = "toegekend"')
    problems = problems_of(root)
    assert len(problems) >= 3
    assert {p.split(":", 1)[0] for p in problems} >= {CASE, LESSON2, COURSE}


# --- TOML and fields -------------------------------------------------------------------------


def test_toml_syntax_error_reports_tomllib_line(root: Path) -> None:
    edit(root, CASE, 'prompt = "Wat doe je nu als eerste?"', 'prompt = "Wat doe je nu als eerste?')
    line = line_of(root, CASE, 'prompt = "Wat doe je nu als eerste?')
    assert_problem(problems_of(root), CASE, line, "ongeldige TOML")


def test_front_matter_syntax_error_reports_file_line(root: Path) -> None:
    edit(root, LESSON1, "minutes = 10", "minutes = = 10")
    assert_problem(problems_of(root), LESSON1, line_of(root, LESSON1, "minutes"), "ongeldige TOML")


def test_missing_front_matter_is_reported(root: Path) -> None:
    path = root / LESSON1
    text = path.read_text(encoding="utf-8")
    path.write_text(text.split("+++", 2)[2], encoding="utf-8")
    assert_problem(problems_of(root), LESSON1, 1, "front matter ontbreekt")


def test_missing_field_points_at_its_table_header(root: Path) -> None:
    edit(root, CASE, 'prompt = "Wat doe je nu als eerste?"\n', "")
    line = header_above(root, CASE, 'id = "alleen-spreken"')
    assert_problem(problems_of(root), CASE, line, "verplicht veld 'prompt' ontbreekt")


def test_missing_option_feedback_points_at_the_option(root: Path) -> None:
    edit(
        root,
        CASE,
        'feedback = "Confronteren zet Anna mogelijk in gevaar en levert zelden een eerlijk '
        'antwoord op."\n',
        "",
    )
    line = header_above(root, CASE, 'id = "confronteer"')
    assert_problem(problems_of(root), CASE, line, "'feedback'")


def test_text_that_looks_like_toml_does_not_confuse_line_numbers(root: Path) -> None:
    edit(
        root,
        CASE,
        "**P:** urineonderzoek, terugkomen over een week.",
        '**P:** urineonderzoek.\n[[stages.questions]]\nprompt = "nep"\nid = "nep"',
    )
    edit(root, CASE, 'prompt = "Wat doe je nu als eerste?"\n', "")
    line = header_above(root, CASE, 'id = "alleen-spreken"')
    problems = problems_of(root)
    assert_problem(problems, CASE, line, "verplicht veld 'prompt' ontbreekt")
    assert len(problems) == 1


def test_wrongly_typed_field_points_at_the_key(root: Path) -> None:
    edit(root, LESSON1, "minutes = 10", 'minutes = "tien"')
    assert_problem(problems_of(root), LESSON1, line_of(root, LESSON1, "minutes"), "geheel getal")


def test_version_must_be_text(root: Path) -> None:
    edit(root, COURSE, 'version = "2026.1"', "version = 2026.1")
    assert_problem(problems_of(root), COURSE, line_of(root, COURSE, "version ="), "tekst")


def test_unknown_key_is_reported_so_typos_are_not_lost(root: Path) -> None:
    edit(
        root,
        CASE,
        'correct = false\nfeedback = "Confronteren',
        'corect = false\nfeedback = "Confronteren',
    )
    assert_problem(problems_of(root), CASE, line_of(root, CASE, "corect"), "onbekend veld 'corect'")


@pytest.mark.parametrize(
    ("name", "old", "new", "key", "fragment"),
    [
        (CASE, 'kind = "case"', 'kind = "casus"', "kind =", "'kind'"),
        (CASE, 'mode = "summative"', 'mode = "toets"', "mode =", "'mode'"),
        (CASE, 'type = "ordering"', 'type = "rangorde"', "rangorde", "'type'"),
        (CASE, 'scoring = "partial"', 'scoring = "half"', "scoring =", "'scoring'"),
        (COURSE, 'status = "applied"', 'status = "toegekend"', "status =", "'status'"),
        # The Dutch words of before are values no account stores any more.
        (COURSE, '["gp", "gp_trainee"]', '["huisarts", "aios"]', "booked_", "'huisarts'"),
        (COURSE, '"gp", "gp_trainee", "practice', '"gp", "aios", "practice', "audience", "'aios'"),
    ],
)
def test_unknown_values_are_reported(
    root: Path, name: str, old: str, new: str, key: str, fragment: str
) -> None:
    edit(root, name, old, new)
    assert_problem(problems_of(root), name, line_of(root, name, key), fragment)


def test_unknown_callout_kind_is_reported(root: Path) -> None:
    edit(root, LESSON1, '!!! let-op "Geen bewijs nodig"', '!!! warning "Geen bewijs nodig"')
    line = line_of(root, LESSON1, "!!! warning")
    assert_problem(problems_of(root), LESSON1, line, "onbekend soort kader 'warning'")


def test_non_kebab_ids_are_reported(root: Path) -> None:
    edit(root, CASE, 'id = "eerste-consult"', 'id = "Eerste_Consult"')
    edit(root, COURSE, 'slug = "tweede-les"', 'slug = "Tweede les"')
    problems = problems_of(root)
    assert_problem(problems, CASE, line_of(root, CASE, "Eerste_Consult"), "geen geldige slug")
    assert_problem(problems, COURSE, line_of(root, COURSE, "Tweede les"), "geen geldige slug")


def test_quiz_file_name_must_be_a_slug(root: Path) -> None:
    (root / CHECK).rename(root / "quizzes/test-cursus/Check_Eerste.toml")
    assert_problem(
        problems_of(root), "quizzes/test-cursus/Check_Eerste.toml", 1, "geen geldige slug"
    )


# --- duplicates and references ---------------------------------------------------------------


def test_duplicate_lesson_slug_in_course_toml(root: Path) -> None:
    edit(root, COURSE, 'slug = "tweede-les"', 'slug = "eerste-les"')
    problems = problems_of(root)
    second = nth_line(root, COURSE, 'slug = "eerste-les"', 2)
    assert_problem(problems, COURSE, second, "staat al in course.toml")


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ('id = "tweede-consult"', 'id = "eerste-consult"', "dubbele stage-id 'eerste-consult'"),
        ('id = "alleen-spreken"', 'id = "signalen-eerste-consult"', "dubbele vraag-id"),
        ('id = "confronteer"', 'id = "buikpijn"', "dubbele optie-id 'buikpijn'"),
    ],
)
def test_duplicate_ids_within_a_quiz(root: Path, old: str, new: str, fragment: str) -> None:
    edit(root, CASE, old, new)
    assert_problem(problems_of(root), CASE, nth_line(root, CASE, new, 2), fragment)


def test_lesson_file_not_listed_in_course_toml(root: Path) -> None:
    shutil.copy(root / LESSON2, root / "courses/test-cursus/03-derde-les.md")
    assert_problem(
        problems_of(root), "courses/test-cursus/03-derde-les.md", 1, "staat niet in course.toml"
    )


def test_listed_lesson_without_file(root: Path) -> None:
    (root / LESSON2).unlink()
    edit(root, LESSON1, "(lesson:tweede-les)", "(lesson:eerste-les)")
    edit(root, CASE, 'lesson = "tweede-les"', 'lesson = "eerste-les"')
    problems = problems_of(root)
    assert_problem(problems, COURSE, line_of(root, COURSE, '"tweede-les"'), "geen bestand")


def test_lesson_files_out_of_order_with_course_toml(root: Path) -> None:
    edit(
        root,
        COURSE,
        'slug = "eerste-les"\ncheck = "check-eerste-les"\n\n[[lessons]]\nslug = "tweede-les"',
        'slug = "tweede-les"\n\n[[lessons]]\nslug = "eerste-les"\ncheck = "check-eerste-les"',
    )
    line = line_of(root, COURSE, 'slug = "eerste-les"')
    assert_problem(problems_of(root), COURSE, line, "volgorde")


def test_unknown_check_quiz(root: Path) -> None:
    edit(root, COURSE, 'check = "check-eerste-les"', 'check = "check-bestaat-niet"')
    line = line_of(root, COURSE, "check-bestaat-niet")
    assert_problem(problems_of(root), COURSE, line, "onbekende quiz 'check-bestaat-niet'")


def test_lesson_check_must_be_a_check(root: Path) -> None:
    edit(root, COURSE, 'check = "check-eerste-les"', 'check = "testcasus"')
    assert_problem(problems_of(root), COURSE, line_of(root, COURSE, "check ="), "geen check")


def test_unknown_assessment_case_points_at_its_line_in_the_list(root: Path) -> None:
    edit(root, COURSE, 'cases = ["testcasus"]', 'cases = [\n  "testcasus",\n  "andere-casus",\n]')
    line = line_of(root, COURSE, '"andere-casus"')
    assert_problem(problems_of(root), COURSE, line, "onbekende casus 'andere-casus'")


def test_assessment_case_must_be_summative_case(root: Path) -> None:
    edit(root, COURSE, 'cases = ["testcasus"]', 'cases = ["testcasus", "check-eerste-les"]')
    problems = problems_of(root)
    line = line_of(root, COURSE, "cases =")
    assert_problem(problems, COURSE, line, 'kind = "check"')
    assert_problem(problems, COURSE, line, 'mode = "summative"')


def test_unknown_lesson_on_question_and_option(root: Path) -> None:
    edit(root, CASE, 'lesson = "eerste-les"\nscoring', 'lesson = "signalen"\nscoring')
    edit(
        root,
        CASE,
        'lesson = "tweede-les"\n\n[[stages.questions.options]]\nid = "leeftijd"',
        'lesson = "bestaat-niet"\n\n[[stages.questions.options]]\nid = "leeftijd"',
    )
    problems = problems_of(root)
    assert_problem(problems, CASE, line_of(root, CASE, '"signalen"'), "onbekende les 'signalen'")
    assert_problem(problems, CASE, line_of(root, CASE, "bestaat-niet"), "onbekende les")


def test_broken_lesson_link_in_lesson(root: Path) -> None:
    edit(root, LESSON1, "(lesson:tweede-les)", "(lesson:meldcode)")
    line = line_of(root, LESSON1, "lesson:meldcode")
    assert_problem(problems_of(root), LESSON1, line, "lesson:meldcode")


def test_broken_lesson_link_in_stage_text_points_at_its_line(root: Path) -> None:
    edit(root, CASE, "(lesson:tweede-les)", "(lesson:de-meldcode)")
    line = line_of(root, CASE, "lesson:de-meldcode")
    assert_problem(problems_of(root), CASE, line, "lesson:de-meldcode")


def test_quiz_folder_without_course(root: Path) -> None:
    (root / "quizzes/andere-cursus").mkdir()
    assert_problem(problems_of(root), "quizzes/andere-cursus", 1, "geen cursus")


# --- lesson rules ----------------------------------------------------------------------------


def test_citation_of_an_undefined_source(root: Path) -> None:
    edit(root, LESSON1, "een patroon.[^signalen]", "een patroon.[^signalen][^onbekend]")
    line = line_of(root, LESSON1, "[^onbekend]")
    assert_problem(problems_of(root), LESSON1, line, "[^onbekend] staat niet in de front matter")


def test_footnote_definitions_in_the_text_are_refused(root: Path) -> None:
    edit(
        root, LESSON1, "## Kernboodschappen", "[^signalen]: CoMensha (2023).\n\n## Kernboodschappen"
    )
    line = line_of(root, LESSON1, "[^signalen]: CoMensha")
    assert_problem(problems_of(root), LESSON1, line, "[[sources]]")


def test_a_footnote_line_for_several_sources_is_refused(root: Path) -> None:
    # Markdown prints such a line as text: "¹²: CoMensha (2023)." at the end of the lesson.
    edit(
        root,
        LESSON1,
        "## Kernboodschappen",
        "[^signalen][^signalen]: CoMensha (2023).\n\n## Kernboodschappen",
    )
    line = line_of(root, LESSON1, "[^signalen][^signalen]: CoMensha")
    assert_problem(problems_of(root), LESSON1, line, "meerdere verwijzingen en een dubbele punt")


def test_source_that_is_never_cited(root: Path) -> None:
    edit(root, LESSON1, "een patroon.[^signalen]", "een patroon.")
    line = line_of(root, LESSON1, 'id = "signalen"')
    assert_problem(problems_of(root), LESSON1, line, "bron 'signalen' wordt nergens aangehaald")


@pytest.mark.parametrize("field", ["title", "publisher", "year"])
def test_unstructured_lesson_source_is_refused(root: Path, field: str) -> None:
    text = (root / LESSON2).read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith(f"{field} =")]
    (root / LESSON2).write_text("\n".join(kept) + "\n", encoding="utf-8")
    line = line_of(root, LESSON2, "[[sources]]")
    assert_problem(problems_of(root), LESSON2, line, f"verplicht veld '{field}'")


def test_source_year_is_a_whole_number(root: Path) -> None:
    edit(root, LESSON2, "year = 2023", 'year = "2023"')
    line = line_of(root, LESSON2, 'year = "2023"')
    assert_problem(problems_of(root), LESSON2, line, "'year' moet een geheel getal zijn")


def test_unstructured_card_source_is_refused(root: Path) -> None:
    edit(
        root,
        CARD,
        'title = "KNMG-meldcode kindermishandeling en huiselijk geweld"\npublisher = "KNMG"\n'
        "year = 2023",
        'text = "KNMG-meldcode kindermishandeling en huiselijk geweld (2023)"',
    )
    found = problems_of(root)
    line = nth_line(root, CARD, "[[sources]]", 1)
    assert_problem(found, CARD, line + 1, "onbekend veld 'text'")
    assert_problem(found, CARD, line, "verplicht veld 'publisher'")


def test_lesson_needs_a_review_date(root: Path) -> None:
    edit(root, LESSON1, "reviewed = 2026-11-15\n", "")
    assert_problem(problems_of(root), LESSON1, 2, "verplicht veld 'reviewed'")


def test_sources_are_numbered_in_order_of_first_citation(root: Path) -> None:
    # Cite the second source first: it becomes number 1.
    edit(root, LESSON2, "zorgvuldig te handelen.[^knmg]", "zorgvuldig te handelen.[^vt][^knmg]")
    lesson = load(root).course("test-cursus").lesson("tweede-les")
    assert [source.id for source in lesson.sources] == ["vt", "knmg"]
    assert lesson.html.index('href="#bron-1"') < lesson.html.index('href="#bron-2"')


def test_course_names_its_editors_and_review_date(root: Path) -> None:
    course = load(root).course("test-cursus")
    assert course.reviewed == dt.date(2026, 12, 1)
    assert course.editorial.reviewers[1].role == "jurist"
    edit(root, COURSE, 'conflict_of_interest = "', 'belangen = "')
    found = problems_of(root)
    assert_problem(found, COURSE, line_of(root, COURSE, "belangen ="), "onbekend veld 'belangen'")
    assert_problem(found, COURSE, line_of(root, COURSE, "[editorial]"), "'conflict_of_interest'")


def test_footnote_in_code_is_not_a_reference(root: Path) -> None:
    edit(
        root,
        LESSON1,
        "## De patiënt alleen spreken",
        "Schrijf `[^bron]` voor een bron.\n\n## De patiënt alleen spreken",
    )
    load(root)


def test_missing_kernboodschappen(root: Path) -> None:
    edit(root, LESSON2, "## Kernboodschappen", "## Samenvatting")
    assert any(p.startswith(LESSON2) and "Kernboodschappen" in p for p in problems_of(root))


@pytest.mark.parametrize("count", [1, 5])
def test_objectives_count_must_be_two_to_four(root: Path, count: int) -> None:
    objectives = ", ".join(f'"Doel {n}."' for n in range(count))
    path = root / LESSON1
    text = path.read_text(encoding="utf-8")
    start = text.index("objectives = [")
    end = text.index("]", start) + 1
    path.write_text(text[:start] + f"objectives = [{objectives}]" + text[end:], encoding="utf-8")
    line = line_of(root, LESSON1, "objectives")
    assert_problem(problems_of(root), LESSON1, line, f"{count} leerdoelen")


def test_lesson_file_name_must_have_a_number(root: Path) -> None:
    (root / "courses/test-cursus/notities.md").write_text("# Notities\n", encoding="utf-8")
    assert_problem(problems_of(root), "courses/test-cursus/notities.md", 1, "onbekend bestand")


def test_invalid_utf8_is_reported(root: Path) -> None:
    path = root / LESSON2
    path.write_bytes(path.read_bytes().replace(b"vijf stappen", b"vijf \xff stappen", 1))
    line = line_of_bytes(path, b"\xff")
    assert_problem(problems_of(root), LESSON2, line, "UTF-8")


def test_an_invisible_control_character_is_reported(root: Path) -> None:
    path = root / LESSON2
    path.write_bytes(path.read_bytes().replace(b"vijf stappen", b"vijf \x1e stappen", 1))
    line = line_of_bytes(path, b"\x1e")
    assert_problem(problems_of(root), LESSON2, line, "stuurteken (U+001E)")


# --- question rules --------------------------------------------------------------------------


def test_single_needs_exactly_one_correct_option(root: Path) -> None:
    edit(
        root,
        CASE,
        'correct = false\nfeedback = "Confronteren',
        'correct = true\nfeedback = "Confronteren',
    )
    line = header_above(root, CASE, 'id = "alleen-spreken"')
    assert_problem(problems_of(root), CASE, line, "precies één optie")


def test_multiple_needs_a_correct_option(root: Path) -> None:
    path = root / CHECK
    text = path.read_text(encoding="utf-8")
    head, tail = text.split('id = "wat-opmerken"')
    path.write_text(
        head + 'id = "wat-opmerken"' + tail.replace("correct = true", "correct = false"),
        encoding="utf-8",
    )
    line = header_above(root, CHECK, 'id = "wat-opmerken"')
    assert_problem(problems_of(root), CHECK, line, "minstens één optie met correct = true")


def test_ordering_needs_three_options_and_no_correct(root: Path) -> None:
    path = root / CASE
    text = path.read_text(encoding="utf-8")
    start = text.index('[[stages.questions.options]]\nid = "vastleggen"')
    end = text.index("[[stages.questions]]", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    edit(root, CASE, 'id = "open-vragen"\n', 'id = "open-vragen"\ncorrect = true\n')
    problems = problems_of(root)
    assert_problem(
        problems, CASE, header_above(root, CASE, 'id = "gespreksvolgorde"'), "minstens 3"
    )
    correct_line = line_of(root, CASE, 'id = "open-vragen"') + 1
    assert_problem(problems, CASE, correct_line, "gebruik geen 'correct'")


def test_reflection_has_no_options(root: Path) -> None:
    edit(
        root,
        CASE,
        'gesprek?"\n',
        'gesprek?"\n\n[[stages.questions.options]]\nid = "iets"\ntext = "Iets."\n'
        'feedback = "Iets."\n',
    )
    line = header_above(root, CASE, 'id = "iets"')
    assert_problem(problems_of(root), CASE, line, "geen opties")


def test_scored_option_needs_a_lesson_link(root: Path) -> None:
    edit(
        root,
        CHECK,
        'lesson = "eerste-les"\n\n[[stages.questions.options]]\nid = "ja-signaal"',
        '\n[[stages.questions.options]]\nid = "ja-signaal"',
    )
    line = header_above(root, CHECK, 'id = "ja-signaal"')
    assert_problem(problems_of(root), CHECK, line, "geen les om terug te lezen")


def test_scoring_only_for_multiple(root: Path) -> None:
    edit(
        root,
        CASE,
        'lesson = "eerste-les"\n\n[[stages.questions.options]]\nid = "vraag-alleen"',
        'lesson = "eerste-les"\nscoring = "partial"\n\n[[stages.questions.options]]\n'
        'id = "vraag-alleen"',
    )
    line = nth_line(root, CASE, 'scoring = "partial"', 2)
    assert_problem(problems_of(root), CASE, line, "alleen voor type")


# --- quiz rules ------------------------------------------------------------------------------


def test_case_needs_three_stages_and_four_scored_questions(root: Path) -> None:
    path = root / CASE
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index('[[stages]]\nid = "besluit"')], encoding="utf-8")
    problems = problems_of(root)
    line = line_of(root, CASE, "kind =")
    assert_problem(problems, CASE, line, "minstens drie [[stages]]; deze heeft er 2")
    assert_problem(problems, CASE, line, "minstens vier gescoorde vragen; deze heeft er 3")


def test_check_needs_a_scored_question_and_is_formative(root: Path) -> None:
    edit(root, CHECK, 'type = "single"', 'type = "reflection"')
    edit(root, CHECK, 'type = "multiple"', 'type = "reflection"')
    edit(root, CHECK, 'mode = "formative"', 'mode = "summative"')
    problems = problems_of(root)
    assert_problem(problems, CHECK, line_of(root, CHECK, "kind ="), "minstens één gescoorde")
    assert_problem(problems, CHECK, line_of(root, CHECK, "mode ="), "formative")


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment"),
    [
        ("pass_mark = 70", "pass_mark = 0", "pass_mark", "van 1 tot en met 100"),
        ("pass_mark = 70", "pass_mark = 101", "pass_mark", "van 1 tot en met 100"),
        ("attempts = 3", "attempts = 0", "attempts", "minstens 1"),
        ("shuffle = false", 'shuffle = "nee"', "shuffle", "true of false"),
    ],
)
def test_quiz_settings_are_checked(root: Path, old: str, new: str, key: str, fragment: str) -> None:
    edit(root, CASE, old, new)
    assert_problem(problems_of(root), CASE, line_of(root, CASE, key), fragment)


# --- meldcode questions ----------------------------------------------------------------------


def test_meldcode_question_must_not_be_ordering(root: Path) -> None:
    edit(
        root,
        CASE,
        'lesson = "eerste-les"\n\n[[stages.questions.options]]\nid = "veiligheid',
        'lesson = "eerste-les"\nmeldcode = true\n\n[[stages.questions.options]]\nid = "veiligheid',
    )
    line = line_of(root, CASE, "meldcode = true")
    assert_problem(problems_of(root), CASE, line, "single of multiple")


def test_meldcode_question_must_not_ask_for_the_order(root: Path) -> None:
    edit(
        root,
        CASE,
        'prompt = "Welke stap van de meldcode zet je nu?"',
        'prompt = "Zet de stappen van de meldcode in de juiste volgorde."',
    )
    line = line_of(root, CASE, "juiste volgorde")
    assert_problem(problems_of(root), CASE, line, "niet naar de volgorde")


def test_meldcode_question_needs_a_step_option(root: Path) -> None:
    edit(root, CASE, "step = 2\n", "")
    edit(root, CASE, "step = 5\n", "")
    edit(root, CASE, 'text = "Stap 2: (anoniem)', 'text = "(Anoniem)')
    edit(root, CASE, 'text = "Stap 5: direct', 'text = "Direct')
    line = header_above(root, CASE, 'id = "volgende-stap"')
    assert_problem(problems_of(root), CASE, line, "minstens één optie met step")


def test_meldcode_step_must_be_one_to_five(root: Path) -> None:
    edit(root, CASE, "step = 5\n", "step = 6\n")
    edit(root, CASE, 'text = "Stap 5: direct', 'text = "Direct')
    assert_problem(problems_of(root), CASE, line_of(root, CASE, "step = 6"), "van 1 tot en met 5")


def test_meldcode_step_named_in_text_must_match(root: Path) -> None:
    edit(root, CASE, 'text = "Stap 2: (anoniem)', 'text = "stap 4: (anoniem)')
    line = line_of(root, CASE, "stap 4: (anoniem)")
    assert_problem(problems_of(root), CASE, line, "'Stap 4' maar de optie heeft step = 2")


def test_step_only_on_meldcode_questions(root: Path) -> None:
    edit(root, CASE, 'id = "vraag-alleen"\n', 'id = "vraag-alleen"\nstep = 3\n')
    assert_problem(problems_of(root), CASE, line_of(root, CASE, "step = 3"), "meldcode = true")


# --- course.toml and the reference card ------------------------------------------------------


def test_accredited_course_needs_an_activity_id(root: Path) -> None:
    edit(root, COURSE, 'status = "applied"', 'status = "accredited"')
    assert_problem(problems_of(root), COURSE, line_of(root, COURSE, "activity_id"), "activity_id")


def test_accredited_course_with_activity_id_is_granted(root: Path) -> None:
    edit(root, COURSE, 'status = "applied"', 'status = "accredited"')
    edit(root, COURSE, 'activity_id = ""', 'activity_id = "123456"')
    course = load(root).course("test-cursus")
    assert course is not None and course.accreditation.granted


def test_missing_course_table_points_at_the_file(root: Path) -> None:
    path = root / COURSE
    text = path.read_text(encoding="utf-8")
    start = text.index("[requirements]")
    path.write_text(text[:start] + text[text.index("[assessment]") :], encoding="utf-8")
    assert_problem(problems_of(root), COURSE, 1, "verplicht veld 'requirements'")


def test_reference_card_is_optional_but_validated(root: Path) -> None:
    edit(root, CARD, "step = 5", "step = 4")
    assert_problem(problems_of(root), CARD, nth_line(root, CARD, "step = 4", 2), "stap 4")
    (root / CARD).unlink()
    course = load(root).course("test-cursus")
    assert course is not None and course.reference is None


def test_missing_course_toml_still_checks_lessons_and_quizzes(root: Path) -> None:
    (root / COURSE).unlink()
    edit(root, LESSON2, "## Kernboodschappen", "## Samenvatting")
    edit(root, CASE, 'kind = "case"', 'kind = "casus"')
    problems = problems_of(root)
    assert_problem(problems, COURSE, 1, "course.toml ontbreekt")
    assert any(p.startswith(LESSON2) for p in problems)
    assert any(p.startswith(CASE) for p in problems)


# --- content hashes --------------------------------------------------------------------------


def test_content_hashes_follow_file_changes(root: Path) -> None:
    before = load(root).course("test-cursus")
    edit(root, LESSON1, "samen vormen ze een patroon", "samen vormen ze vaak een patroon")
    after = load(root).course("test-cursus")
    assert before is not None and after is not None
    assert len(before.content_hash) == 64
    assert after.lessons[0].content_hash != before.lessons[0].content_hash
    assert after.lessons[1].content_hash == before.lessons[1].content_hash
    assert after.content_hash != before.content_hash
    assert after.quizzes["testcasus"].content_hash == before.quizzes["testcasus"].content_hash

    edit(root, CASE, "Anna (22) komt met buikpijn.", "Anna (23) komt met buikpijn.")
    changed = load(root).course("test-cursus")
    assert changed is not None
    assert changed.quizzes["testcasus"].content_hash != after.quizzes["testcasus"].content_hash
    assert changed.content_hash != after.content_hash


def test_content_hash_does_not_depend_on_location(root: Path) -> None:
    here = load(root).course("test-cursus")
    there = load_catalog(FIXTURE / "courses", FIXTURE / "quizzes").course("test-cursus")
    assert here is not None and there is not None
    assert here.content_hash == there.content_hash


# --- safe Markdown ---------------------------------------------------------------------------


class _Elements(HTMLParser):
    """Every element and attribute in a piece of HTML, as a browser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


_SAFE_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "table", "thead", "tbody",
    "tr", "th", "td", "blockquote", "code", "pre", "hr", "sup", "div", "br",
}  # fmt: skip


def assert_safe(html: str) -> None:
    """No script, no event handler, no script URL: only the tags markdown needs."""
    for tag, attrs in _Elements(html).elements:
        assert tag in _SAFE_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name in {"href", "title", "rel", "class", "id", "align"}, (tag, name)
            if name == "href":
                # Browsers ignore whitespace in URLs, so `java script:` counts as javascript:.
                scheme = re.match(r"([a-z][a-z0-9+.-]*):", "".join(value.split()).lower())
                assert scheme is None or scheme[1] in {"http", "https", "mailto", "tel"}, value


def test_script_event_handlers_and_javascript_links_are_neutralised() -> None:
    html = render_markdown(
        "Tekst <script>alert('x')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        '<p onclick="alert(1)">klik</p>\n\n'
        "[klik](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)\n\n"
        '<a href="javascript:alert(1)">ruw</a>'
    )
    assert_safe(html)
    assert "alert('x')" not in html
    assert "<img" not in html
    assert "javascript:" not in html
    assert "data:" not in html
    assert "klik" in html


def test_script_in_real_content_files_is_neutralised(root: Path) -> None:
    edit(
        root,
        LESSON1,
        "## De patiënt alleen spreken",
        '<script>alert(1)</script><img src=x onerror="alert(1)">\n\n'
        "[klik](javascript:alert(1))\n\n## De patiënt alleen spreken",
    )
    edit(root, CASE, "Anna (22) komt", '<b onmouseover="alert(1)">Anna</b> (22) komt')
    course = load(root).course("test-cursus")
    assert course is not None
    for html in (course.lessons[0].html, course.quizzes["testcasus"].stages[0].html):
        assert_safe(html)
        assert "<script" not in html
        assert "javascript:" not in html


def test_attr_list_is_not_enabled() -> None:
    html = render_markdown('## Kop {: onclick="alert(1)" #id .klasse }\n\n[a](b){: onmouseover=x}')
    assert_safe(html)
    elements = _Elements(html).elements
    assert ("h2", {}) in elements
    assert all("class" not in attrs and "id" not in attrs for _, attrs in elements)


def test_only_known_classes_survive() -> None:
    html = render_markdown(
        '<div class="admonition evil">x</div>\n\n!!! signaal "Let op"\n    Tekst.'
    )
    assert 'class="admonition"' in html
    assert "evil" not in html
    assert '<div class="admonition signaal">' in html


def test_lesson_links_are_rewritten_and_external_links_kept() -> None:
    html = render_markdown(
        "[les](lesson:meldcode) [anker](lesson:meldcode#stap-2) [extern](https://example.org)"
    )
    assert '<a href="meldcode" rel="noopener">les</a>' in html
    assert 'href="meldcode#stap-2"' in html
    assert 'href="https://example.org"' in html
    absolute = render_markdown("[les](lesson:meldcode)", lesson_base="/leren/cursus/")
    assert 'href="/leren/cursus/meldcode"' in absolute


def test_lesson_sections_get_distinct_readable_ids_at_load() -> None:
    lesson = render_lesson("## Eén *stap*\n\nx\n\n## Eén stap\n\n## &amp;\n\n### Sub", {})
    assert [ident for ident, _ in lesson.sections] == ["kop-een-stap", "kop-een-stap-2", "kop-3"]
    assert lesson.sections[0][1] == "Eén stap"
    assert lesson.sections[2][1] == "&"
    assert '<h2 id="kop-een-stap">Eén <em>stap</em></h2>' in lesson.html
    assert "<h3>Sub</h3>" in lesson.html
    assert render_lesson("", {}).sections == ()


def test_only_the_extension_gives_a_heading_its_id() -> None:
    lesson = render_lesson('<h2 id="eigen">Ruw</h2>\n\n<h2 id="kop-x">Ruw</h2>\n\n## Kop', {})
    assert "<h2>Ruw</h2>" in lesson.html
    assert '<h2 id="kop-x">Ruw</h2>' in lesson.html  # the extension's own prefix; harmless
    assert lesson.sections == (("kop-kop", "Kop"),)
    # Elsewhere (quiz vignettes, the aid) headings get no ids at all.
    assert "id=" not in render_markdown('## Kop\n\n<h2 id="kop-x">Ruw</h2>')


def test_citations_become_numbered_links_outside_code() -> None:
    html = render_markdown(
        "Tekst[^knmg] en [^vt].\n\n`[^knmg]`\n\n    [^knmg]\n\nOnbekend: [^elders].",
        citations={"knmg": 1, "vt": 2},
    )
    assert html.count('<sup><a class="footnote-ref" href="#bron-1" title="Bron 1"') == 1
    assert 'href="#bron-2"' in html
    assert "<code>[^knmg]</code>" in html
    assert "[^elders]" in html
    # Without numbered sources, [^x] stays an ordinary Markdown footnote.
    footnote = render_markdown("Tekst[^1].\n\n[^1]: Uitleg.")
    assert 'href="#fn:1"' in footnote and "bron-" not in footnote


def test_tables_keep_their_alignment() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert '<th align="left">a</th>' in html
    assert '<td align="right">2</td>' in html


_DANGER = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "<iframe src=javascript:alert(1)>",
    '<div style="background:url(javascript:alert(1))">',
    '!!! signaal "<script>alert(1)</script>"\n    tekst',
    "`<script>`",
    "[^1]\n\n[^1]: <b onmouseover=alert(1)>x</b>",
]


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(st.sampled_from(_DANGER) | st.text(max_size=20), max_size=8))
def test_no_script_survives_any_mix_of_markdown(parts: list[str]) -> None:
    assert_safe(render_markdown("\n\n".join(parts)))


# --- Flask integration -----------------------------------------------------------------------


def test_init_catalog_stores_the_catalog_on_the_app() -> None:
    app = Flask(__name__)
    app.config.update(COURSES_DIR=FIXTURE / "courses", QUIZZES_DIR=FIXTURE / "quizzes")
    init_catalog(app)
    with app.app_context():
        catalog = get_catalog()
    assert catalog is app.extensions["catalog"]
    assert catalog.course("test-cursus") is not None


def test_init_catalog_refuses_invalid_content(root: Path) -> None:
    edit(root, CASE, 'kind = "case"', 'kind = "casus"')
    app = Flask(__name__)
    app.config.update(COURSES_DIR=root / "courses", QUIZZES_DIR=root / "quizzes")
    with pytest.raises(ContentError, match="de app start niet"):
        init_catalog(app)
    assert "catalog" not in app.extensions


def test_missing_courses_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as info:
        load_catalog(tmp_path / "courses", tmp_path / "quizzes")
    assert info.value.problems == ["courses:1: de map bestaat niet."]


# --- the real content ------------------------------------------------------------------------


def test_real_courses_and_quizzes_validate() -> None:
    catalog = load_catalog(PROJECT_ROOT / "courses", PROJECT_ROOT / "quizzes")
    assert catalog.courses
    for course in catalog.courses.values():
        assert course.lessons
        for case in course.assessment_quizzes:
            assert case.kind == "case"


# --- cueing: can the key be guessed from length? ---------------------------------------------


def check_content(root: Path) -> Any:
    """Run `flask content check` on the files under `root` (the app itself starts on the fixture)."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "test",
            "COURSES_DIR": FIXTURE / "courses",
            "QUIZZES_DIR": FIXTURE / "quizzes",
        }
    )
    app.config.update(COURSES_DIR=root / "courses", QUIZZES_DIR=root / "quizzes")
    return app.test_cli_runner().invoke(args=["content", "check"])


def test_content_check_prints_cueing_and_passes_a_balanced_quiz(root: Path) -> None:
    result = check_content(root)
    assert result.exit_code == 0, result.stderr
    assert (
        f"{CASE}: sleutel het langst in 1 van 2 single-vragen (50%), lengte sleutel/afleider "
        in result.stdout
    )
    assert "test-wise 50% (gunstigste trekking 50%, slaaggrens 70%)" in result.stdout
    assert "cursus: sleutel het langst in 1 van 7 single-vragen (14%)" in result.stdout
    assert "Alle inhoud is geldig." in result.stdout


def test_content_check_fails_a_case_the_longest_answer_passes(root: Path) -> None:
    # Make the meldcode key the longest option: the test-wise learner then reaches 70%.
    edit(
        root,
        CASE,
        'text = "Stap 2: (anoniem) advies vragen aan Veilig Thuis."',
        'text = "Stap 2: (anoniem) advies vragen aan Veilig Thuis en zo nodig aan een collega, '
        'waar het kan zonder de naam van Anna."',
    )
    result = check_content(root)
    assert result.exit_code == 1
    assert f"{CASE}:1: wie steeds het langste antwoord kiest, haalt deze casus" in result.stderr
    assert "(70% bij de gunstigste trekking, slaaggrens 70%)" in result.stderr
    line = line_of(root, CASE, 'id = "volgende-stap"') - 1
    assert f"volgende-stap (regel {line})" in result.stderr
    assert "Alle inhoud is geldig." not in result.stdout


def test_the_test_wise_learner_fails_every_shipped_assessment_case() -> None:
    """The shipped final assessment cannot be passed by picking the longest answers."""
    result = check_content(PROJECT_ROOT)
    assert result.exit_code == 0, result.stderr
    catalog = load_catalog(PROJECT_ROOT / "courses", PROJECT_ROOT / "quizzes")
    for course in catalog.courses.values():
        figures = cueing.measure_course(course)
        assert not figures.failing
        # Across the final assessment about one in the number of options, not nine in ten.
        singles = sum(case.singles for case in figures.assessment)
        longest = sum(case.key_longest for case in figures.assessment)
        assert longest <= 0.4 * singles


def test_content_check_rejects_an_unstructured_source(root: Path) -> None:
    edit(root, LESSON1, 'publisher = "CoMensha"\n', "")
    result = check_content(root)
    assert result.exit_code == 1
    line = line_of(root, LESSON1, "[[sources]]")
    assert f"{LESSON1}:{line}: verplicht veld 'publisher'" in result.stderr


def choice(question_id: str, kind: str, options: dict[str, bool]) -> Question:
    return Question(
        id=question_id,
        type=kind,
        prompt="?",
        options=tuple(Option(text, text, correct, "", "les") for text, correct in options.items()),
        lesson="les",
    )


def test_testwise_learner_picks_the_longest_option_and_longer_than_median() -> None:
    # Two options tie for longest: each as likely, so half the key.
    single = choice("s", "single", {"kort": False, "langste-a": True, "langste-b": False})
    assert cueing.testwise_score(single) == pytest.approx(0.5)
    # Lengths 1, 3, 5, 7: median 4, so the two longest are chosen: one right, one wrong.
    multiple = choice("m", "multiple", {"a": False, "bbb": True, "ccccc": False, "ddddddd": True})
    assert cueing.testwise_score(multiple) == pytest.approx(0.0)  # (1 - 1) / 2
    ordering = Question(
        id="o",
        type="ordering",
        prompt="?",
        options=tuple(Option(x, x, False, "", "les") for x in ("een", "twee", "drie")),
        lesson="les",
    )
    assert cueing.testwise_score(ordering) == pytest.approx(0.5)  # a random order


def test_best_draw_over_variants_decides() -> None:
    cued = choice("cued", "single", {"kort": False, "een lange sleutel": True})
    fair = dataclasses.replace(
        choice("fair", "single", {"een lange afleider": False, "kort": True}), variant_of="cued"
    )
    other = choice("ander", "single", {"een lange sleutel": True, "kort": False})
    stage = Stage(id="s", title="S", html="", questions=(cued, fair, other))
    quiz = Quiz(
        slug="q", course_slug="c", title="Q", summary="", kind="case", mode="summative",
        pass_mark=70, attempts=3, shuffle=False, stages=(stage,), content_hash="", source="q.toml",
    )  # fmt: skip
    figures = cueing.measure_quiz(quiz)
    assert figures.testwise_expected == pytest.approx((0.5 + 1) / 2)
    assert figures.testwise_best == pytest.approx(1.0)
    assert figures.testwise_passes
    assert (figures.singles, figures.key_longest) == (3, 2)


def test_tie_only_on_later_steps_of_an_ordering_question(root: Path) -> None:
    edit(root, CASE, 'id = "vastleggen"', 'id = "vastleggen"\ntie = true')
    edit(root, CASE, 'id = "veiligheid-uitleggen"', 'id = "veiligheid-uitleggen"\ntie = true')
    edit(root, CASE, 'id = "vraag-alleen"', 'id = "vraag-alleen"\ntie = true')
    found = problems_of(root)
    first = line_of(root, CASE, 'id = "veiligheid-uitleggen"') + 1
    assert_problem(found, CASE, first, "de eerste stap kan niet met een vorige wisselen")
    single = line_of(root, CASE, 'id = "vraag-alleen"') + 1
    assert_problem(found, CASE, single, "'tie' hoort alleen bij een ordering-vraag")


def test_tied_steps_load(root: Path) -> None:
    edit(root, CASE, 'id = "vastleggen"', 'id = "vastleggen"\ntie = true')
    question = load(root).quiz("test-cursus", "testcasus").question("gespreksvolgorde")
    assert [o.tie for o in question.options] == [False, False, True]
    assert question.blocks() == {"veiligheid-uitleggen": 0, "open-vragen": 1, "vastleggen": 1}


def test_discussion_prompts_are_loaded_per_stage() -> None:
    quiz = load_catalog(FIXTURE / "courses", FIXTURE / "quizzes").quiz("test-cursus", "testcasus")
    assert quiz.stages[0].discussion[0].startswith("Hoe vaak zien jullie")
    assert quiz.stages[1].discussion == ()


def test_discussion_must_be_a_list_of_texts(root: Path) -> None:
    edit(root, CASE, "discussion = [", 'discussion = "Een losse tekst"\nunused = [')
    assert_problem(
        problems_of(root), CASE, line_of(root, CASE, "discussion ="), "lijst met teksten"
    )


def test_an_empty_discussion_prompt_is_reported(root: Path) -> None:
    edit(root, CASE, "discussion = [", 'discussion = [\n  "  ",')
    assert_problem(problems_of(root), CASE, line_of(root, CASE, "discussion ="), "lege regel")
