"""The learner's join-code form."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired


class JoinForm(FlaskForm):
    code = StringField(
        lazy_gettext("Groepscode"),
        validators=[DataRequired(lazy_gettext("Vul de code in die je van je opleider kreeg."))],
        description=lazy_gettext(
            "8 tekens, bijvoorbeeld ABCD-2345. Hoofdletters en streepje maken niet uit."
        ),
    )
    submit = SubmitField(lazy_gettext("Aansluiten"))
