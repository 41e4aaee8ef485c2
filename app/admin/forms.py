"""Admin forms: certificate search, revocation, export, users and roles."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SearchField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from ..models import ROLE_LABELS

ROLE_CHOICES = [SelectChoice(role, label) for role, label in ROLE_LABELS.items()]

REQUIRED = lazy_gettext("Dit veld is verplicht.")


class GetForm(FlaskForm):
    """A GET form (shareable address), so no CSRF token."""

    class Meta:
        csrf = False

    submit = SubmitField(lazy_gettext("Zoeken"))


class SearchForm(GetForm):
    q = SearchField(
        lazy_gettext("Zoeken"),
        description=lazy_gettext(
            "Certificaatnummer, achternaam of de laatste cijfers van het BIG-nummer."
        ),
    )
    status = SelectField(
        lazy_gettext("Status"),
        choices=[
            SelectChoice("", lazy_gettext("Alle")),
            SelectChoice("valid", lazy_gettext("Geldig")),
            SelectChoice("revoked", lazy_gettext("Ingetrokken")),
        ],
        default="",
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        lazy_gettext("Reden van intrekken"),
        validators=[
            DataRequired(lazy_gettext("Geef de reden: die komt in het auditlog.")),
            Length(min=5, max=1000, message=lazy_gettext("Geef een reden van 5 tot 1000 tekens.")),
        ],
        description=lazy_gettext(
            "Bijvoorbeeld: naam verkeerd gespeld, deelnemer maakt een verbeterd certificaat aan."
        ),
    )
    submit = SubmitField(lazy_gettext("Certificaat intrekken"))


class ExportForm(FlaskForm):
    course = SelectField(lazy_gettext("Cursus"), validators=[DataRequired(REQUIRED)])
    date_from = DateField(
        lazy_gettext("Afgerond vanaf"),
        validators=[DataRequired(lazy_gettext("Kies een begindatum."))],
    )
    date_until = DateField(
        lazy_gettext("Afgerond tot en met"),
        validators=[DataRequired(lazy_gettext("Kies een einddatum."))],
    )
    only_new = BooleanField(
        lazy_gettext("Alleen certificaten die nog niet zijn geëxporteerd"), default=True
    )
    submit = SubmitField(lazy_gettext("Presentielijst downloaden (CSV)"))

    def validate_date_until(self, field: DateField) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(gettext("De einddatum ligt vóór de begindatum."))


class UserSearchForm(GetForm):
    q = SearchField(
        lazy_gettext("Zoeken"),
        validators=[Length(max=200, message=lazy_gettext("Zoek met hoogstens 200 tekens."))],
        description=lazy_gettext(
            "Een deel van het e-mailadres of de naam, of de laatste cijfers van het BIG-nummer."
        ),
    )
    role = SelectField(
        lazy_gettext("Rol"),
        choices=[SelectChoice("", lazy_gettext("Alle")), *ROLE_CHOICES],
        default="",
    )


class RoleForm(FlaskForm):
    role = SelectField(
        lazy_gettext("Rol"),
        choices=ROLE_CHOICES,
        validators=[DataRequired(lazy_gettext("Kies een rol."))],
    )
    submit = SubmitField(lazy_gettext("Rol wijzigen"))
