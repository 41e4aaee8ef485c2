"""Verification forms: look up a number, upload a PDF to compare."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired


class LookupForm(FlaskForm):
    """A GET form: the address it leads to can be shared, so no CSRF token."""

    class Meta:
        csrf = False

    number = StringField(
        lazy_gettext("Certificaatnummer"),
        validators=[DataRequired(lazy_gettext("Vul het certificaatnummer in."))],
        description=lazy_gettext(
            "Zoals op het certificaat, bijvoorbeeld SIG-7K3M-Q9XD-K. Hoofd- of kleine letters "
            "en streepjes maken niet uit."
        ),
    )
    submit = SubmitField(lazy_gettext("Controleren"))


class UploadForm(FlaskForm):
    pdf = FileField(
        lazy_gettext("PDF van het certificaat"),
        validators=[FileRequired(lazy_gettext("Kies het PDF-bestand van het certificaat."))],
        description=lazy_gettext(
            "Het bestand wordt alleen vergeleken met het uitgegeven certificaat en niet bewaard."
        ),
    )
    submit = SubmitField(lazy_gettext("Bestand controleren"))
