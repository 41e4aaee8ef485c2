"""Certificate forms: confirm the printed facts, the course evaluation."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..models import STUDY_TIMES

REQUIRED_CHOICE = lazy_gettext("Kies een antwoord.")
SCALE = [
    SelectChoice("1", lazy_gettext("1 (slecht)")),
    SelectChoice("2", "2"),
    SelectChoice("3", "3"),
    SelectChoice("4", "4"),
    SelectChoice("5", lazy_gettext("5 (uitstekend)")),
]


class ConfirmForm(FlaskForm):
    """Confirm the name and BIG number exactly as they will be printed."""

    #: What the page showed, so a profile edited in another tab is not printed unseen.
    shown_name = HiddenField()
    shown_big_number = HiddenField()
    confirm = BooleanField(
        lazy_gettext(
            "Mijn naam en BIG-nummer staan hierboven precies zoals ze op het certificaat moeten "
            "komen."
        ),
        validators=[DataRequired(lazy_gettext("Vink aan dat je naam en BIG-nummer kloppen."))],
    )
    submit = SubmitField(lazy_gettext("Certificaat aanmaken"))


class EvaluationForm(FlaskForm):
    relevance = RadioField(
        lazy_gettext("Hoe relevant is deze cursus voor je praktijk?"),
        choices=SCALE,
        validators=[InputRequired(REQUIRED_CHOICE)],
    )
    content_quality = RadioField(
        lazy_gettext("Hoe beoordeel je de kwaliteit van de inhoud?"),
        choices=SCALE,
        validators=[InputRequired(REQUIRED_CHOICE)],
    )
    didactics = RadioField(
        lazy_gettext("Hoe beoordeel je de didactiek: de opbouw, de casussen en de feedback?"),
        choices=SCALE,
        validators=[InputRequired(REQUIRED_CHOICE)],
    )
    study_time = RadioField(
        lazy_gettext("Klopte de opgegeven studietijd?"),
        choices=[SelectChoice(value, label) for value, label in STUDY_TIMES.items()],
        validators=[InputRequired(REQUIRED_CHOICE)],
    )
    comments = TextAreaField(
        lazy_gettext("Opmerkingen (niet verplicht)"),
        validators=[Length(max=4000, message=lazy_gettext("Gebruik maximaal 4000 tekens."))],
        description=lazy_gettext("Wat kan beter, wat moet blijven? Noem geen patiëntgegevens."),
    )
    submit = SubmitField(lazy_gettext("Evaluatie versturen"))
