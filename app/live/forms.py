"""Live-session forms: start a session, join with a code, the EKC's steps and notes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from .sessions import NOTE_MAX

REQUIRED = "Dit veld is verplicht."


class StartForm(FlaskForm):
    case = SelectField("Casus", validators=[DataRequired(REQUIRED)])
    cohort = SelectField(
        "Groep (niet verplicht)",
        description="Kies je een groep, dan kunnen alleen de leden van die groep meedoen.",
    )
    submit = SubmitField("Sessie starten")


class CodeForm(FlaskForm):
    code = StringField(
        "Code van de sessie",
        validators=[
            DataRequired("Vul de code in die op het scherm van de EKC staat."),
            Length(max=20),
        ],
        description="Zes tekens, bijvoorbeeld ABC-234.",
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField("Verder")


class StepForm(FlaskForm):
    step = HiddenField(validators=[AnyOf(("open", "close", "reveal", "feedback", "next", "end"))])


class NoteForm(FlaskForm):
    stage = HiddenField(validators=[DataRequired()])
    text = TextAreaField(
        "Notities bij dit deel",
        validators=[Length(max=NOTE_MAX, message=f"Houd de notitie korter dan {NOTE_MAX} tekens.")],
        description="Komen in het verslag. Schrijf geen namen van deelnemers of patiënten.",
    )
    submit = SubmitField("Notitie opslaan")
