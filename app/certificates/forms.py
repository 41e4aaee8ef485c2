"""Certificate forms: confirm the printed facts, the course evaluation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..models import STUDY_TIMES

REQUIRED_CHOICE = "Kies een antwoord."
SCALE = [
    SelectChoice("1", "1 (slecht)"),
    SelectChoice("2", "2"),
    SelectChoice("3", "3"),
    SelectChoice("4", "4"),
    SelectChoice("5", "5 (uitstekend)"),
]


class ConfirmForm(FlaskForm):
    """Confirm the name and BIG number exactly as they will be printed."""

    #: What the page showed, so a profile edited in another tab is not printed unseen.
    shown_name = HiddenField()
    shown_big_number = HiddenField()
    confirm = BooleanField(
        "Mijn naam en BIG-nummer staan hierboven precies zoals ze op het certificaat moeten komen.",
        validators=[DataRequired("Vink aan dat je naam en BIG-nummer kloppen.")],
    )
    submit = SubmitField("Certificaat aanmaken")


class EvaluationForm(FlaskForm):
    relevance = RadioField(
        "Hoe relevant is deze cursus voor je praktijk?",
        choices=SCALE,
        validators=[InputRequired(REQUIRED_CHOICE)],
    )
    content_quality = RadioField(
        "Hoe beoordeel je de kwaliteit van de inhoud?",
        choices=SCALE,
        validators=[InputRequired(REQUIRED_CHOICE)],
    )
    didactics = RadioField(
        "Hoe beoordeel je de didactiek: de opbouw, de casussen en de feedback?",
        choices=SCALE,
        validators=[InputRequired(REQUIRED_CHOICE)],
    )
    study_time = RadioField(
        "Klopte de opgegeven studietijd?",
        choices=[SelectChoice(value, label) for value, label in STUDY_TIMES.items()],
        validators=[InputRequired(REQUIRED_CHOICE)],
    )
    comments = TextAreaField(
        "Opmerkingen (niet verplicht)",
        validators=[Length(max=4000, message="Gebruik maximaal 4000 tekens.")],
        description="Wat kan beter, wat moet blijven? Noem geen patiëntgegevens.",
    )
    submit = SubmitField("Evaluatie versturen")
