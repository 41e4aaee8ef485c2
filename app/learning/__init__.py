"""Learning: the catalogue, course pages with progress, lessons and the reference card."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from ..content import get_catalog

bp = Blueprint("learning", __name__)


@bp.get("/")
def catalogue() -> Any:
    """List the courses."""
    return render_template("learning/catalogue.html", courses=get_catalog().courses.values())
