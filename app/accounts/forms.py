"""Account forms: registration, login, password reset and change, profile."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from ..i18n import LANGUAGES
from ..models import BIG_REQUIRED, PROFESSIONS
from .service import BIG_PATTERN, big_number_taken, password_problem

REQUIRED = "Dit veld is verplicht."


def _password_ok(form: FlaskForm, field: PasswordField) -> None:
    if (problem := password_problem(field.data or "")) is not None:
        raise ValidationError(problem)


class NameFields:
    """The name as the accreditation register books it: initials, tussenvoegsel, surname."""

    initials = StringField(
        "Voorletters",
        validators=[DataRequired(REQUIRED), Length(max=20)],
        description="Zoals in het BIG-register, bijvoorbeeld J.P.",
    )
    first_name = StringField("Voornaam", validators=[DataRequired(REQUIRED), Length(max=100)])
    tussenvoegsel = StringField(
        "Tussenvoegsel", validators=[Optional(), Length(max=30)], description="Bijvoorbeeld van der"
    )
    surname = StringField("Achternaam", validators=[DataRequired(REQUIRED), Length(max=100)])
    profession = SelectField(
        "Beroep", choices=[SelectChoice(value, label) for value, label in PROFESSIONS.items()]
    )
    big_number = StringField(
        "BIG-nummer",
        description="11 cijfers. Verplicht voor huisartsen en aios: je punten worden hierop geboekt.",
    )

    def validate_big_number(self, field: StringField) -> None:
        value = (field.data or "").strip()
        if not value:
            if self.profession.data in BIG_REQUIRED:
                raise ValidationError(
                    "Vul je BIG-nummer in: de accreditatiepunten worden daarop geboekt."
                )
            return
        if not BIG_PATTERN.match(value):
            raise ValidationError("Een BIG-nummer bestaat uit precies 11 cijfers.")


class RegisterForm(NameFields, FlaskForm):
    email = EmailField(
        "E-mailadres", validators=[DataRequired(REQUIRED), Email("Vul een geldig e-mailadres in.")]
    )
    password = PasswordField(
        "Wachtwoord",
        validators=[DataRequired(REQUIRED), _password_ok],
        description="Minstens 12 tekens. Een zin van een paar woorden werkt goed.",
    )
    confirm = PasswordField(
        "Herhaal wachtwoord",
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", "De wachtwoorden zijn niet gelijk."),
        ],
    )
    submit = SubmitField("Account aanmaken")


class ProfileForm(NameFields, FlaskForm):
    booster_opt_out = BooleanField(
        "Geen boostermails",
        description="Na je certificaat krijg je drie keer een korte opfrisser per mail "
        "(na 3, 6 en 12 maanden). Vink aan als je die niet wilt.",
    )
    language = SelectField(
        lazy_gettext("Taal van Signaal"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        description=lazy_gettext(
            "De taal van knoppen, menu's en meldingen. De cursus zelf is in het Nederlands."
        ),
    )
    submit = SubmitField("Gegevens opslaan")

    def validate_big_number(self, field: StringField) -> None:
        super().validate_big_number(field)
        value = (field.data or "").strip()
        current = getattr(self, "current_big_number", None)
        if value and value != current and big_number_taken(value):
            raise ValidationError("Dit BIG-nummer hoort al bij een ander account.")


class LoginForm(FlaskForm):
    email = EmailField("E-mailadres", validators=[DataRequired(REQUIRED)])
    password = PasswordField("Wachtwoord", validators=[DataRequired(REQUIRED)])
    submit = SubmitField("Inloggen")


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "E-mailadres", validators=[DataRequired(REQUIRED), Email("Vul een geldig e-mailadres in.")]
    )
    submit = SubmitField("Stuur een herstellink")


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "Nieuw wachtwoord",
        validators=[DataRequired(REQUIRED), _password_ok],
        description="Minstens 12 tekens.",
    )
    confirm = PasswordField(
        "Herhaal nieuw wachtwoord",
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", "De wachtwoorden zijn niet gelijk."),
        ],
    )
    submit = SubmitField("Wachtwoord opslaan")


class ChangePasswordForm(ResetPasswordForm):
    current = PasswordField("Huidig wachtwoord", validators=[DataRequired(REQUIRED)])


class TotpForm(FlaskForm):
    code = StringField(
        "Code uit je authenticator-app",
        validators=[
            DataRequired(REQUIRED),
            Length(min=6, max=6, message="De code heeft 6 cijfers."),
        ],
        description="Zes cijfers; de code verandert elke 30 seconden.",
    )
    submit = SubmitField("Bevestigen")


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Je wachtwoord", validators=[DataRequired(REQUIRED)])
    confirm = StringField(
        "Typ VERWIJDER om te bevestigen",
        validators=[DataRequired(REQUIRED)],
        description="Je voortgang en antwoorden worden gewist. Uitgegeven certificaten blijven controleerbaar.",
    )
    submit = SubmitField("Account definitief verwijderen")

    def validate_confirm(self, field: StringField) -> None:
        if (field.data or "").strip() != "VERWIJDER":
            raise ValidationError("Typ precies VERWIJDER (hoofdletters).")
