"""Administration (role admin only): users and roles, certificates and revocation, audit log,
evaluations, export."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import Select, func, select

from .. import mail as outbox
from ..accounts.access import role_required
from ..accounts.roles import admin_count
from ..audit import audit
from ..certificates import export as exporting
from ..certificates import issuing
from ..certificates.evaluation import evaluation_summary
from ..certificates.facts import facts_of, lines
from ..content import get_catalog
from ..extensions import db
from ..forms import offer_courses
from ..models import PROFESSIONS, ROLE_LABELS, AuditEvent, Certificate, User
from ..web import Paged, page_number, paged
from . import audit_text, users
from .certificates import search as certificate_search
from .forms import ExportForm, RevokeForm, RoleForm, SearchForm, UserSearchForm
from .study_load import study_load_check

bp = Blueprint("admin", __name__, url_prefix="/beheer")
PAGE_SIZE = 50


@bp.before_request
@role_required("admin")
def _admins_only() -> None:
    """Every page here is for admins: others get 403 (or the login page)."""


@bp.get("")
def index() -> Any:
    """Overview: counts and where to go."""
    count = db.session.scalar
    stats = {
        "users": count(select(func.count(User.id)).where(User.deleted_at.is_(None))),
        "valid": count(select(func.count(Certificate.id)).where(Certificate.status == "valid")),
        "revoked": count(select(func.count(Certificate.id)).where(Certificate.status == "revoked")),
        "not_exported": count(
            select(func.count(Certificate.id)).where(
                Certificate.status == "valid",
                Certificate.kind == "accreditation",
                Certificate.exported_at.is_(None),
            )
        ),
    }
    return render_template("admin/index.html", stats=stats, courses=get_catalog().courses.values())


def _course_languages() -> dict[str, str]:
    """Each course's language: certificates print course titles and facts in it."""
    return {slug: course.language for slug, course in get_catalog().courses.items()}


def _paged(statement: Select[Any]) -> Paged[Any]:
    """The page of the statement's rows the query string asks for."""
    return paged(
        lambda limit, offset: db.session.scalars(statement.limit(limit).offset(offset)),
        page_number(request.args),
        PAGE_SIZE,
    )


@bp.get("/certificaten")
def certificates() -> Any:
    """List certificates, newest first, with search."""
    form = SearchForm(request.args)
    query = (form.q.data or "").strip()
    found = _paged(certificate_search(query, form.status.data or ""))
    # Names and BIG numbers are personal data: record who looked them up.
    audit(current_user, "admin.view_certificates", q=query, shown=len(found.rows))
    db.session.commit()
    return render_template(
        "admin/certificates.html",
        form=form,
        rows=found.rows,
        page=found.page,
        has_next=found.has_next,
        args={k: v for k, v in request.args.items() if k != "pagina"},
        languages=_course_languages(),
    )


def _certificate_or_404(number: str) -> Certificate:
    certificate = issuing.find_by_number(number)
    if certificate is None:
        abort(404)
    return certificate


def _render_certificate(certificate: Certificate, form: RevokeForm, status: int = 200) -> Any:
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "certificate", AuditEvent.target_id == str(certificate.id))
        .order_by(AuditEvent.created_at.desc())
    )
    return (
        render_template(
            "admin/certificate.html",
            certificate=certificate,
            facts=lines(facts_of(certificate)),
            facts_language=_course_languages().get(certificate.course_slug, "nl"),
            form=form,
            events=list(events),
        ),
        status,
    )


@bp.get("/certificaten/<number>")
def certificate(number: str) -> Any:
    """One certificate: its facts, its history and the revoke form."""
    found = _certificate_or_404(number)
    # The facts include the full BIG number. No target: the page's history shows only changes.
    audit(current_user, "admin.view_certificate", number=found.number)
    db.session.commit()
    return _render_certificate(found, RevokeForm())


@bp.post("/certificaten/<number>/intrekken")
def revoke(number: str) -> Any:
    """Revoke a certificate with a reason (audit-logged)."""
    certificate = _certificate_or_404(number)
    form = RevokeForm()
    if certificate.status == "revoked":
        flash(gettext("Dit certificaat was al ingetrokken."), "info")
        return redirect(url_for("admin.certificate", number=number))
    if not form.validate_on_submit():
        return _render_certificate(certificate, form, 400)
    issuing.revoke(certificate, form.reason.data, current_user)
    holder = issuing.holder_of(certificate)
    if holder is not None:
        issuing.mail_revocation(certificate, holder, current_app.config["PUBLIC_BASE_URL"])
    db.session.commit()  # the revocation and its mail to the holder together
    if holder is None:
        message = gettext(
            "Certificaat %(number)s is ingetrokken. De controlepagina toont het nu als "
            "ingetrokken; de deelnemer kan een nieuw certificaat aanmaken. Het account bestaat "
            "niet meer: er is niemand gemaild.",
            number=number,
        )
    else:
        message = gettext(
            "Certificaat %(number)s is ingetrokken. De controlepagina toont het nu als "
            "ingetrokken; de deelnemer kan een nieuw certificaat aanmaken. De deelnemer krijgt "
            "een mail met de reden en wat te doen.",
            number=number,
        )
    flash(message, "success")
    return redirect(url_for("admin.certificate", number=number))


@bp.get("/auditlog")
def audit_log() -> Any:
    """Who did what, newest first."""
    events = _paged(select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()))
    return render_template(
        "admin/audit_log.html",
        rows=list(zip(events.rows, audit_text.sentences(events.rows), strict=True)),
        page=events.page,
        has_next=events.has_next,
    )


@bp.get("/mail")
def mail() -> Any:
    """Mail that did not go out at the first try: waiting for a retry, or given up."""
    stuck = _paged(outbox.stuck_messages())
    # Recipients are e-mail addresses: record who looked them up.
    audit(current_user, "admin.view_mail", shown=len(stuck.rows))
    db.session.commit()
    return render_template(
        "admin/mail.html",
        rows=stuck.rows,
        page=stuck.page,
        has_next=stuck.has_next,
        max_attempts=outbox.MAX_ATTEMPTS,
    )


@bp.get("/evaluaties")
def evaluations() -> Any:
    """The course evaluations and the study load check, per course."""
    return render_template(
        "admin/evaluations.html",
        summaries=[
            (course, evaluation_summary(course.slug), study_load_check(course))
            for course in get_catalog().courses.values()
        ],
    )


def _export_form() -> ExportForm:
    form = ExportForm()
    offer_courses(form.course)
    return form


def _render_export(form: ExportForm, status: int = 200, nothing: str = "") -> Any:
    warnings = [exporting.pending_warning(c) for c in get_catalog().courses.values()]
    return (
        render_template(
            "admin/export.html",
            form=form,
            columns=exporting.COLUMNS,
            warnings=[w for w in warnings if w],
            nothing=nothing,
        ),
        status,
    )


@bp.route("/export", methods=["GET", "POST"])
def export() -> Any:
    """Download the attendance list for the accreditation register (marks rows exported)."""
    form = _export_form()
    if form.validate_on_submit():
        course = get_catalog().course(form.course.data)
        if course is None:
            abort(404)
        result = exporting.export(
            course,
            form.date_from.data,
            form.date_until.data,
            current_app.config["PROVIDER_NAME"],
            only_new=form.only_new.data,
        )
        if result.count == 0:
            # A file with only the header row would look like a successful, empty export.
            nothing = (
                gettext(
                    "Er zijn geen nieuwe certificaten om te exporteren: alle certificaten van "
                    "deze cursus en periode zijn al eerder geëxporteerd. Er is geen bestand "
                    "gemaakt."
                )
                if form.only_new.data
                else gettext(
                    "Er zijn geen certificaten om te exporteren in deze cursus en periode. "
                    "Er is geen bestand gemaakt."
                )
            )
            return _render_export(form, nothing=nothing)
        audit(
            current_user,
            "certificate.export",
            course=course.slug,
            date_from=form.date_from.data.isoformat(),
            date_until=form.date_until.data.isoformat(),
            only_new=bool(form.only_new.data),
            count=result.count,
        )
        db.session.commit()
        response = Response(
            result.csv_text.encode(exporting.ENCODING), content_type="text/csv; charset=utf-8"
        )
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{exporting.filename(course, form.date_from.data, form.date_until.data)}"'
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    return _render_export(form, 400 if form.is_submitted() else 200)


@bp.get("/gebruikers", endpoint="users")
def users_index() -> Any:
    """List accounts with search; each row can get another role."""
    form = UserSearchForm(request.args)
    query = (form.q.data or "").strip() if form.validate() else ""
    role = form.role.data if form.role.data in ROLE_LABELS else ""
    found = _paged(users.search(query, role))
    # Names and e-mail addresses are personal data: record who looked them up.
    audit(current_user, "admin.view_users", q=query, role=role, shown=len(found.rows))
    db.session.commit()
    return render_template(
        "admin/users.html",
        form=form,
        rows=found.rows,
        page=found.page,
        has_next=found.has_next,
        args={k: v for k, v in request.args.items() if k != "pagina"},
        labels=ROLE_LABELS,
        admins=admin_count(),
    )


@bp.get("/gebruikers/<int:user_id>", endpoint="user")
def user_detail(user_id: int) -> Any:
    """One account: role, groups, certificates and what it recently did or had done to it."""
    user = db.get_or_404(User, user_id)
    if user.deleted_at is not None:
        abort(404)
    found = users.account(user)
    audit(current_user, "admin.view_user", user)
    db.session.commit()
    return render_template(
        "admin/user.html",
        account=found,
        events=list(zip(found.events, audit_text.sentences(found.events), strict=True)),
        labels=ROLE_LABELS,
        professions=PROFESSIONS,
        catalog=get_catalog(),
    )


@bp.post("/gebruikers/<int:user_id>/rol")
def change_role(user_id: int) -> Any:
    """Give an account another role (audit-logged; the last admin keeps theirs)."""
    user = db.get_or_404(User, user_id)
    if user.deleted_at is not None:
        abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(gettext("Kies een van de rollen in de lijst en probeer het opnieuw."), "error")
        return redirect(url_for("admin.users", q=user.email))
    myself = user.id == current_user.id
    try:
        changed = users.change_role(current_user, user, form.role.data)
    except users.RoleError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.users", q=user.email))
    db.session.commit()
    label = str(ROLE_LABELS[form.role.data]).lower()
    if not changed:
        flash(gettext("%(email)s had de rol %(role)s al.", email=user.email, role=label), "info")
    elif myself and form.role.data != "admin":
        flash(
            gettext(
                "Je hebt nu de rol %(role)s; het beheer is voor jou niet meer toegankelijk.",
                role=label,
            ),
            "info",
        )
        return redirect(url_for("learning.catalogue"))
    else:
        flash(
            gettext("%(email)s heeft nu de rol %(role)s.", email=user.email, role=label), "success"
        )
    return redirect(url_for("admin.users", q=user.email))
