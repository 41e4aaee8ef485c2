"""Load and validate `courses/` and `quizzes/` into the immutable catalog.

Every problem in every file is collected as `path:line: message` before giving up, so an
author fixes them in one pass; any problem means no catalog (and no app).

What each file holds is loaded by its own module: `course` (course.toml, and the course's
parts checked against each other), `course_meta`, `lessons`, `quizzes`, `questions`,
`reference` (the signalenkaart), `wat_nu` and `sources`; the keys of every TOML table are
declared in `schema` terms next to the code that reads them.
"""

from __future__ import annotations

from pathlib import Path

from .course import load_course
from .folders import ContentFolders, visible
from .model import Catalog, Course


class ContentError(RuntimeError):
    """The content files have problems; the app refuses to start until they are fixed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            "De cursusinhoud bevat fouten; de app start niet:\n" + "\n".join(self.problems)
        )


def load_catalog(courses_dir: Path, quizzes_dir: Path) -> Catalog:
    """Parse and validate every course and quiz; raise ContentError listing all problems."""
    folders = ContentFolders(Path(courses_dir).absolute(), Path(quizzes_dir).absolute())
    courses: dict[str, Course] = {}
    if not folders.courses_dir.is_dir():
        folders.problems.add(folders.display(folders.courses_dir), 1, "de map bestaat niet.")
    else:
        for course_dir in visible(folders.courses_dir):
            if course_dir.is_dir():
                course = load_course(folders, course_dir)
                if course is not None:
                    courses[course.slug] = course
    if folders.quizzes_dir.is_dir():
        _check_quiz_folders(folders)
    if folders.problems:
        raise ContentError(folders.problems.items)
    return Catalog(courses=courses)


def _check_quiz_folders(folders: ContentFolders) -> None:
    """quizzes/ holds one folder per course, named after it."""
    for entry in visible(folders.quizzes_dir):
        if not entry.is_dir():
            folders.problems.add(
                folders.display(entry),
                1,
                "quizbestanden horen in een map per cursus: quizzes/<cursus-slug>/<quiz>.toml.",
            )
        elif not (folders.courses_dir / entry.name).is_dir():
            folders.problems.add(
                folders.display(entry),
                1,
                f"er is geen cursus courses/{entry.name}/ bij deze quizmap.",
            )
