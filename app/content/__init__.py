"""Course content: the immutable catalog loaded and validated from courses/ and quizzes/."""

from __future__ import annotations

from flask import Flask, current_app

from .loader import ContentError, load_catalog
from .markdown import render_markdown
from .model import (
    Accreditation,
    Catalog,
    Course,
    Lesson,
    Option,
    Question,
    Quiz,
    ReferenceCard,
    Requirements,
    Stage,
)

__all__ = [
    "Accreditation",
    "Catalog",
    "ContentError",
    "Course",
    "Lesson",
    "Option",
    "Question",
    "Quiz",
    "ReferenceCard",
    "Requirements",
    "Stage",
    "get_catalog",
    "init_catalog",
    "load_catalog",
    "render_markdown",
]


def init_catalog(app: Flask) -> Catalog:
    """Load the catalog once at start-up; invalid content raises ContentError (no app)."""
    catalog = load_catalog(app.config["COURSES_DIR"], app.config["QUIZZES_DIR"])
    app.extensions["catalog"] = catalog
    return catalog


def get_catalog() -> Catalog:
    """The catalog of the current app."""
    return current_app.extensions["catalog"]
