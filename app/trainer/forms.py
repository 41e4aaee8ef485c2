"""Trainer forms: new cohort, join settings, invitations."""

from __future__ import annotations

import re

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .cohorts import today

REQUIRED = lazy_gettext("Dit veld is verplicht.")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _not_in_past(form: FlaskForm, field: DateField) -> None:
    if field.data is not None and field.data < today():
        raise ValidationError(gettext("Kies een datum vanaf vandaag, of laat het veld leeg."))


class CohortForm(FlaskForm):
    name = StringField(
        lazy_gettext("Naam van de groep"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description=lazy_gettext(
            "Bijvoorbeeld de naam van de praktijk, de HAGRO of de scholingsdag."
        ),
    )
    course = SelectField(lazy_gettext("Cursus"), validators=[DataRequired(REQUIRED)])
    join_until = DateField(
        lazy_gettext("Aansluiten kan tot en met"),
        validators=[Optional(), _not_in_past],
        description=lazy_gettext(
            "Laat leeg als de code geen einddatum heeft. Je kunt dit later wijzigen."
        ),
    )
    submit = SubmitField(lazy_gettext("Groep aanmaken"))


class JoinSettingsForm(FlaskForm):
    join_open = BooleanField(lazy_gettext("Aansluiten met de code is mogelijk"))
    join_until = DateField(
        lazy_gettext("Aansluiten kan tot en met"),
        validators=[Optional()],
        description=lazy_gettext(
            "Laat leeg voor geen einddatum. Na deze dag werkt de code niet meer."
        ),
    )
    submit = SubmitField(lazy_gettext("Instellingen opslaan"))


class InviteForm(FlaskForm):
    emails = TextAreaField(
        lazy_gettext("E-mailadressen"),
        validators=[DataRequired(REQUIRED)],
        description=lazy_gettext(
            "Eén adres per regel, of gescheiden door komma's. Maximaal 200 per keer."
        ),
    )
    submit = SubmitField(lazy_gettext("Uitnodigingen versturen"))

    def addresses(self) -> list[str]:
        return [a for a in re.split(r"[\s,;]+", self.emails.data or "") if a]

    def validate_emails(self, field: TextAreaField) -> None:
        addresses = self.addresses()
        wrong = [a for a in addresses if not EMAIL_PATTERN.match(a)]
        if wrong:
            raise ValidationError(
                gettext(
                    "Deze adressen kloppen niet: %(addresses)s.", addresses=", ".join(wrong[:5])
                )
            )
        if len(addresses) > 200:
            raise ValidationError(gettext("Stuur maximaal 200 uitnodigingen per keer."))
