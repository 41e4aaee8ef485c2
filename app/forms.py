"""Form pieces that more than one blueprint uses."""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from .content import get_catalog


class EmptyForm(FlaskForm):
    """A form that carries only the CSRF token: POST-only buttons, and the quiz form, whose
    answer fields come from the content and are read by hand."""


def offer_courses(field: SelectField) -> None:
    """Fill a required course <select>: an empty first option, as HTML asks of a required
    select, and the course already chosen when there is only one to choose from."""
    courses = list(get_catalog().courses.values())
    field.choices = [
        SelectChoice("", gettext("Kies een cursus")),
        *(SelectChoice(c.slug, c.title) for c in courses),
    ]
    if not field.raw_data and len(courses) == 1:
        field.data = courses[0].slug
