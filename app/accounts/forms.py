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

REQUIRED = lazy_gettext("Dit veld is verplicht.")
VALID_EMAIL = lazy_gettext("Vul een geldig e-mailadres in.")
PASSWORDS_DIFFER = lazy_gettext("De wachtwoorden zijn niet gelijk.")


def _password_ok(form: FlaskForm, field: PasswordField) -> None:
    if (problem := password_problem(field.data or "")) is not None:
        raise ValidationError(problem)


class NameFields:
    """The name as the accreditation register books it: initials, tussenvoegsel, surname."""

    initials = StringField(
        lazy_gettext("Voorletters"),
        validators=[DataRequired(REQUIRED), Length(max=20)],
        description=lazy_gettext("Zoals in het BIG-register, bijvoorbeeld J.P."),
    )
    first_name = StringField(
        lazy_gettext("Voornaam"), validators=[DataRequired(REQUIRED), Length(max=100)]
    )
    tussenvoegsel = StringField(
        lazy_gettext("Tussenvoegsel"),
        validators=[Optional(), Length(max=30)],
        description=lazy_gettext("Bijvoorbeeld van der"),
    )
    surname = StringField(
        lazy_gettext("Achternaam"), validators=[DataRequired(REQUIRED), Length(max=100)]
    )
    profession = SelectField(
        lazy_gettext("Beroep"),
        choices=[SelectChoice(value, label) for value, label in PROFESSIONS.items()],
    )
    big_number = StringField(
        lazy_gettext("BIG-nummer"),
        description=lazy_gettext(
            "11 cijfers. Verplicht voor huisartsen en aios: je punten worden hierop geboekt."
        ),
    )

    def validate_big_number(self, field: StringField) -> None:
        value = (field.data or "").strip()
        if not value:
            if self.profession.data in BIG_REQUIRED:
                raise ValidationError(
                    lazy_gettext(
                        "Vul je BIG-nummer in: de accreditatiepunten worden daarop geboekt."
                    )
                )
            return
        if not BIG_PATTERN.match(value):
            raise ValidationError(lazy_gettext("Een BIG-nummer bestaat uit precies 11 cijfers."))


class RegisterForm(NameFields, FlaskForm):
    email = EmailField(
        lazy_gettext("E-mailadres"), validators=[DataRequired(REQUIRED), Email(VALID_EMAIL)]
    )
    password = PasswordField(
        lazy_gettext("Wachtwoord"),
        validators=[DataRequired(REQUIRED), _password_ok],
        description=lazy_gettext("Minstens 12 tekens. Een zin van een paar woorden werkt goed."),
    )
    confirm = PasswordField(
        lazy_gettext("Herhaal wachtwoord"),
        validators=[DataRequired(REQUIRED), EqualTo("password", PASSWORDS_DIFFER)],
    )
    submit = SubmitField(lazy_gettext("Account aanmaken"))


class ProfileForm(NameFields, FlaskForm):
    booster_opt_out = BooleanField(
        lazy_gettext("Geen boostermails"),
        description=lazy_gettext(
            "Na je certificaat krijg je drie keer een korte opfrisser per mail "
            "(na 3, 6 en 12 maanden). Vink aan als je die niet wilt."
        ),
    )
    language = SelectField(
        lazy_gettext("Taal van Signaal"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        description=lazy_gettext(
            "De taal van knoppen, menu's en meldingen. De cursus zelf is in het Nederlands."
        ),
    )
    submit = SubmitField(lazy_gettext("Gegevens opslaan"))

    def validate_big_number(self, field: StringField) -> None:
        super().validate_big_number(field)
        value = (field.data or "").strip()
        current = getattr(self, "current_big_number", None)
        if value and value != current and big_number_taken(value):
            raise ValidationError(lazy_gettext("Dit BIG-nummer hoort al bij een ander account."))


class LoginForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mailadres"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(lazy_gettext("Wachtwoord"), validators=[DataRequired(REQUIRED)])
    submit = SubmitField(lazy_gettext("Inloggen"))


class ResetRequestForm(FlaskForm):
    email = EmailField(
        lazy_gettext("E-mailadres"), validators=[DataRequired(REQUIRED), Email(VALID_EMAIL)]
    )
    submit = SubmitField(lazy_gettext("Stuur een herstellink"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        lazy_gettext("Nieuw wachtwoord"),
        validators=[DataRequired(REQUIRED), _password_ok],
        description=lazy_gettext("Minstens 12 tekens."),
    )
    confirm = PasswordField(
        lazy_gettext("Herhaal nieuw wachtwoord"),
        validators=[DataRequired(REQUIRED), EqualTo("password", PASSWORDS_DIFFER)],
    )
    submit = SubmitField(lazy_gettext("Wachtwoord opslaan"))


class ChangePasswordForm(ResetPasswordForm):
    current = PasswordField(lazy_gettext("Huidig wachtwoord"), validators=[DataRequired(REQUIRED)])


class TotpForm(FlaskForm):
    code = StringField(
        lazy_gettext("Code uit je authenticator-app"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=6, max=6, message=lazy_gettext("De code heeft 6 cijfers.")),
        ],
        description=lazy_gettext("Zes cijfers; de code verandert elke 30 seconden."),
    )
    submit = SubmitField(lazy_gettext("Bevestigen"))


#: The word a person types to confirm deleting their account: Dutch, or the interface
#: language's own (the labels below name it; their translations must name the same word).
DELETE_WORD = "VERWIJDER"
DELETE_WORD_TRANSLATED = lazy_gettext("VERWIJDER")


class DeleteAccountForm(FlaskForm):
    password = PasswordField(lazy_gettext("Je wachtwoord"), validators=[DataRequired(REQUIRED)])
    confirm = StringField(
        lazy_gettext("Typ VERWIJDER om te bevestigen"),
        validators=[DataRequired(REQUIRED)],
        description=lazy_gettext(
            "Je voortgang en antwoorden worden gewist. Uitgegeven certificaten blijven "
            "controleerbaar."
        ),
    )
    submit = SubmitField(lazy_gettext("Account definitief verwijderen"))

    def validate_confirm(self, field: StringField) -> None:
        if (field.data or "").strip() not in (DELETE_WORD, str(DELETE_WORD_TRANSLATED)):
            raise ValidationError(lazy_gettext("Typ precies VERWIJDER (hoofdletters)."))
