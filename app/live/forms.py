"""Live-session forms: start a session, join with a code, the EKC's steps and notes."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from .sessions import NOTE_MAX

REQUIRED = lazy_gettext("Dit veld is verplicht.")


class StartForm(FlaskForm):
    case = SelectField(lazy_gettext("Casus"), validators=[DataRequired(REQUIRED)])
    cohort = SelectField(
        lazy_gettext("Groep (niet verplicht)"),
        description=lazy_gettext(
            "Kies je een groep, dan kunnen alleen de leden van die groep meedoen."
        ),
    )
    submit = SubmitField(lazy_gettext("Sessie starten"))


class CodeForm(FlaskForm):
    code = StringField(
        lazy_gettext("Code van de sessie"),
        validators=[
            DataRequired(lazy_gettext("Vul de code in die op het scherm van de EKC staat.")),
            Length(max=20),
        ],
        description=lazy_gettext("Zes tekens, bijvoorbeeld ABC-234."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    submit = SubmitField(lazy_gettext("Verder"))


class StepForm(FlaskForm):
    step = HiddenField(validators=[AnyOf(("open", "close", "reveal", "feedback", "next", "end"))])


class NoteForm(FlaskForm):
    stage = HiddenField(validators=[DataRequired()])
    text = TextAreaField(
        lazy_gettext("Notities bij dit deel"),
        validators=[
            Length(
                max=NOTE_MAX,
                # WTForms fills in max.
                message=lazy_gettext("Houd de notitie korter dan %(max)d tekens."),
            )
        ],
        description=lazy_gettext(
            "Komen in het verslag. Schrijf geen namen van deelnemers of patiënten."
        ),
    )
    submit = SubmitField(lazy_gettext("Notitie opslaan"))
