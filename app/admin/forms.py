"""Admin forms: certificate search, revocation, export, users and roles."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SearchField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from ..models import ROLE_LABELS

ROLE_CHOICES = [SelectChoice(role, label) for role, label in ROLE_LABELS.items()]

REQUIRED = "Dit veld is verplicht."


class GetForm(FlaskForm):
    """A GET form (shareable address), so no CSRF token."""

    class Meta:
        csrf = False

    submit = SubmitField("Zoeken")


class SearchForm(GetForm):
    q = SearchField(
        "Zoeken",
        description="Certificaatnummer, achternaam of de laatste cijfers van het BIG-nummer.",
    )
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Alle"),
            SelectChoice("valid", "Geldig"),
            SelectChoice("revoked", "Ingetrokken"),
        ],
        default="",
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        "Reden van intrekken",
        validators=[
            DataRequired("Geef de reden: die komt in het auditlog."),
            Length(min=5, max=1000, message="Geef een reden van 5 tot 1000 tekens."),
        ],
        description="Bijvoorbeeld: naam verkeerd gespeld, deelnemer maakt een verbeterd certificaat aan.",
    )
    submit = SubmitField("Certificaat intrekken")


class ExportForm(FlaskForm):
    course = SelectField("Cursus", validators=[DataRequired(REQUIRED)])
    date_from = DateField("Afgerond vanaf", validators=[DataRequired("Kies een begindatum.")])
    date_until = DateField("Afgerond tot en met", validators=[DataRequired("Kies een einddatum.")])
    only_new = BooleanField("Alleen certificaten die nog niet zijn geëxporteerd", default=True)
    submit = SubmitField("Presentielijst downloaden (CSV)")

    def validate_date_until(self, field: DateField) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError("De einddatum ligt vóór de begindatum.")


class UserSearchForm(GetForm):
    q = SearchField(
        "Zoeken",
        validators=[Length(max=200, message="Zoek met hoogstens 200 tekens.")],
        description="Een deel van het e-mailadres of de naam, of de laatste cijfers van het BIG-nummer.",
    )
    role = SelectField(
        "Rol",
        choices=[SelectChoice("", "Alle"), *ROLE_CHOICES],
        default="",
    )


class RoleForm(FlaskForm):
    role = SelectField(
        "Rol",
        choices=ROLE_CHOICES,
        validators=[DataRequired("Kies een rol.")],
    )
    submit = SubmitField("Rol wijzigen")
