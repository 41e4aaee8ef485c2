"""Accounts: register, confirm e-mail, log in and out, password reset and change, profile."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required, login_user, logout_user

from ..audit import audit
from ..extensions import db, limiter
from ..forms import EmptyForm
from ..mail import queue_mail
from ..models import utcnow
from ..session_user import user_of_session
from ..web import public_url
from . import privacy, service, throttle, two_factor
from .forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    TotpForm,
)
from .roles import is_last_admin

bp = Blueprint("accounts", __name__, url_prefix="/account")

LOGIN_FAILED = lazy_gettext(
    "E-mailadres of wachtwoord klopt niet, of het account is tijdelijk geblokkeerd na te veel "
    "pogingen."
)


def _failed(response: Any) -> bool:
    """Count only attempts that did not succeed towards the rate limit."""
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    if (
        target
        and target.isprintable()  # a newline cannot go into the Location header
        and not urlsplit(target).netloc
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return url_for("learning.catalogue")


def send_confirmation(user: Any) -> None:
    """Queue the e-mail confirmation link (the caller commits)."""
    link = public_url("accounts.confirm", token=service.make_token(user, "confirm"))
    queue_mail(
        user.email,
        gettext("Bevestig je e-mailadres voor Signaal"),
        render_template("accounts/mail_confirm.txt", user=user, link=link),
    )


@bp.route("/registreren", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register() -> Any:
    """Create a learner account; the answer is the same whether the address or BIG number is
    known already (the mail tells the owner), so the form reveals no one's account."""
    if current_user.is_authenticated:
        return redirect(url_for("learning.catalogue"))
    form = RegisterForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        big_number = (form.big_number.data or "").strip() or None
        existing = service.find_user(email)
        if existing is not None or (big_number and service.big_number_taken(big_number)):
            service.hash_password(form.password.data)  # the same work as creating an account
            template = "mail_account_exists.txt" if existing else "mail_big_number_taken.txt"
            queue_mail(
                email,
                gettext("Je aanmelding bij Signaal"),
                render_template(
                    f"accounts/{template}", reset_link=public_url("accounts.reset_request")
                ),
            )
        else:
            user = service.create_user(
                email=email,
                password=form.password.data,
                initials=form.initials.data.strip(),
                first_name=form.first_name.data.strip(),
                tussenvoegsel=(form.tussenvoegsel.data or "").strip(),
                surname=form.surname.data.strip(),
                profession=form.profession.data,
                big_number=big_number,
            )
            send_confirmation(user)
        db.session.commit()
        flash(
            gettext(
                "Bijna klaar. We hebben een e-mail gestuurd naar %(email)s. Open de link daarin "
                "om je e-mailadres te bevestigen; daarmee log je ook meteen in.",
                email=email,
            ),
            "success",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/register.html", form=form)


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit("10 per minute;40 per hour", methods=["POST"], deduct_when=_failed)
def login() -> Any:
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data
        user = service.authenticate(
            email, form.password.data, throttled=throttle.is_throttled(email)
        )
        if user is None:
            throttle.record_failure(email)
        else:
            throttle.forget_failures(email)
        if user is not None and user.totp_secret:
            session["two_factor_user"] = user.get_id()
            session["two_factor_next"] = _safe_next(request.args.get("next"))
            return redirect(url_for("accounts.login_code"))
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(str(LOGIN_FAILED), "error")
    return render_template("accounts/login.html", form=form)


def _pending_account() -> str:
    return "two-factor:" + session.get("two_factor_user", "").partition(":")[0]


@bp.route("/inloggen/code", methods=["GET", "POST"])
@limiter.limit("10 per minute;40 per hour", methods=["POST"], deduct_when=_failed)
# Per account too: guessing six digits from many addresses gets as few tries.
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=_pending_account, deduct_when=_failed)
def login_code() -> Any:
    """Second step of signing in for accounts with two-factor authentication."""
    user = user_of_session(session.get("two_factor_user", ""))
    if user is None or not user.totp_secret:
        session.pop("two_factor_user", None)
        return redirect(url_for("accounts.login"))
    form = TotpForm()
    if form.validate_on_submit():
        step = two_factor.accepted_step(user.totp_secret, form.code.data, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            db.session.commit()
            session.pop("two_factor_user", None)
            login_user(user)
            return redirect(session.pop("two_factor_next", None) or url_for("learning.catalogue"))
        form.code.errors.append(
            gettext("Deze code klopt niet of is verlopen. Probeer de volgende code.")
        )
    return render_template("accounts/login_code.html", form=form)


@bp.post("/uitloggen")
def logout() -> Any:
    """Log out: this session (and any copy of its cookie) ends for good."""
    form = EmptyForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            current_user.logouts += 1
            db.session.commit()
        logout_user()
        session.clear()
        flash(gettext("Je bent uitgelogd."), "info")
    return redirect(url_for("learning.catalogue"))


@bp.get("/bevestigen/<token>")
def confirm(token: str) -> Any:
    """Confirm the e-mail address from the link in the mail."""
    user = service.read_token(token, "confirm", current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    if user is None:
        flash(
            gettext(
                "Deze bevestigingslink is verlopen of ongeldig. Vraag hieronder een nieuwe aan."
            ),
            "error",
        )
        return redirect(
            url_for("accounts.profile")
            if current_user.is_authenticated
            else url_for("accounts.login")
        )
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.commit()
        # The first use of the link signs in (registration does not); accounts with a second
        # factor still log in with it.
        if not current_user.is_authenticated and not user.totp_secret:
            login_user(user)
    flash(gettext("Je e-mailadres is bevestigd."), "success")
    return redirect(url_for("learning.catalogue"))


@bp.post("/bevestiging-opnieuw")
@login_required
@limiter.limit("5 per hour")
def resend_confirmation() -> Any:
    """Send the confirmation mail again."""
    if EmptyForm().validate_on_submit() and current_user.email_confirmed_at is None:
        send_confirmation(current_user)
        db.session.commit()
        flash(gettext("We hebben de bevestigingsmail opnieuw gestuurd."), "info")
    return redirect(url_for("accounts.profile"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def reset_request() -> Any:
    """Ask for a password reset link (the answer never reveals whether the address exists)."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = service.find_user(form.email.data)
        if user is not None and user.deleted_at is None:
            token = service.make_token(user, "reset")
            link = public_url("accounts.reset", token=token)
            minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
            queue_mail(
                user.email,
                gettext("Nieuw wachtwoord instellen voor Signaal"),
                render_template("accounts/mail_reset.txt", user=user, link=link, minutes=minutes),
            )
            db.session.commit()
        flash(
            gettext(
                "Als er een account bij dit adres hoort, ontvang je binnen enkele minuten een "
                "link om een nieuw wachtwoord in te stellen."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset(token: str) -> Any:
    """Set a new password from a (single-use, time-limited) reset link."""
    user = service.read_token(token, "reset", current_app.config["PASSWORD_RESET_MAX_AGE"])
    if user is None:
        flash(
            gettext("Deze herstellink is verlopen of al gebruikt. Vraag een nieuwe aan."), "error"
        )
        return redirect(url_for("accounts.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        service.set_password(user, form.password.data)
        db.session.commit()
        logout_user()
        flash(gettext("Je wachtwoord is gewijzigd. Log in met je nieuwe wachtwoord."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Change the password (ends sessions elsewhere)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if service.authenticate(current_user.email, form.current.data) is None:
            db.session.commit()
            form.current.errors.append(gettext("Je huidige wachtwoord klopt niet."))
        else:
            service.set_password(current_user, form.password.data)
            db.session.commit()
            # This session carries the new session version. The user, not the proxy: a proxy
            # stored as the signed-in user would resolve to itself (the locale asks for it).
            login_user(current_user._get_current_object())
            flash(gettext("Je wachtwoord is gewijzigd. Andere sessies zijn uitgelogd."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


def _big_number_unchanged() -> bool:
    return (request.form.get("big_number") or "").strip() == (current_user.big_number or "")


@bp.route("/profiel", methods=["GET", "POST"])
@login_required
# Each change tells whether a BIG number is taken: limited, so the form is no oracle.
@limiter.limit(
    "5 per hour",
    methods=["POST"],
    key_func=lambda: f"big-number:{current_user.id}",
    exempt_when=_big_number_unchanged,
)
def profile() -> Any:
    """Show and edit the name as it will be printed, and the BIG number."""
    form = ProfileForm(obj=current_user)
    form.current_big_number = current_user.big_number
    if form.validate_on_submit():
        current_user.initials = form.initials.data.strip()
        current_user.first_name = form.first_name.data.strip()
        current_user.tussenvoegsel = (form.tussenvoegsel.data or "").strip()
        current_user.surname = form.surname.data.strip()
        current_user.profession = form.profession.data
        current_user.big_number = (form.big_number.data or "").strip() or None
        current_user.booster_opt_out = form.booster_opt_out.data
        current_user.language = form.language.data
        db.session.commit()
        flash(gettext("Je gegevens zijn opgeslagen."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, resend_form=EmptyForm())


@bp.route("/tweestapsverificatie", methods=["GET", "POST"])
@login_required
def two_factor_setup() -> Any:
    """Turn two-factor sign-in on or off (trainers and admins)."""
    if not two_factor.may_use(current_user):
        abort(403)
    form = TotpForm()
    enabled = current_user.totp_secret is not None
    if not enabled:
        secret = session.setdefault("totp_setup_secret", two_factor.new_secret())
    else:
        secret = current_user.totp_secret
    if form.validate_on_submit():
        step = two_factor.accepted_step(secret, form.code.data, current_user.totp_last_step)
        if step is None:
            form.code.errors.append(
                gettext(
                    "Deze code klopt niet. Controleer de tijd op je telefoon en probeer opnieuw."
                )
            )
        else:
            current_user.totp_secret = None if enabled else secret
            current_user.totp_last_step = step
            session.pop("totp_setup_secret", None)
            audit(current_user, "account.two_factor_" + ("off" if enabled else "on"), current_user)
            db.session.commit()
            flash(
                gettext("Tweestapsverificatie staat uit.")
                if enabled
                else gettext("Tweestapsverificatie staat aan."),
                "success",
            )
            return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/two_factor.html",
        form=form,
        enabled=enabled,
        secret=secret,
        uri=None if enabled else two_factor.provisioning_uri(current_user, secret),
    )


@bp.get("/mijn-gegevens")
@login_required
def my_data() -> Any:
    """Explain what is stored; offer the download and account deletion."""
    return render_template("accounts/my_data.html", form=DeleteAccountForm())


@bp.get("/mijn-gegevens.json")
@login_required
def my_data_download() -> Response:
    """Download everything stored about me as JSON."""
    response = jsonify(privacy.export_user_data(current_user))
    response.headers.set("Content-Disposition", "attachment", filename="signaal-mijn-gegevens.json")
    return response


@bp.post("/verwijderen")
@login_required
def delete_account() -> Any:
    """Delete my account after confirming with my password."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if service.authenticate(current_user.email, form.password.data) is None:
            db.session.commit()
            form.password.errors.append(gettext("Je wachtwoord klopt niet."))
        elif is_last_admin(current_user):
            db.session.rollback()
            form.password.errors.append(
                gettext(
                    "Je bent de laatste beheerder. Geef eerst iemand anders de rol beheerder "
                    "(Beheer, Gebruikers); daarna kun je je account verwijderen."
                )
            )
        else:
            privacy.delete_account(current_user)
            db.session.commit()
            privacy.flush_deleted_to_disk()
            logout_user()
            flash(gettext("Je account en je persoonlijke gegevens zijn verwijderd."), "success")
            return redirect(url_for("learning.catalogue"))
    return render_template("accounts/my_data.html", form=form), 400
