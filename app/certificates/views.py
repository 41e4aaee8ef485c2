"""Certificates for learners: checklist, evaluation, confirm and issue, download.

Rules live in eligibility.py (pure), issuing.py (exactly once), pdf.py and signing.py; these
views parse forms, call them, commit once and redirect.
"""

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
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from ..accounts import privacy
from ..accounts.access import role_required
from ..accreditation import bookings
from ..content import Course
from ..extensions import db
from ..models import TRAINER_ROLES
from ..web import course_or_404
from . import evaluation as evaluations
from . import issuing
from .eligibility import ChecklistItem
from .facts import facts_of, kind_label, lines
from .forms import ConfirmForm, EvaluationForm
from .signing import SigningError

bp = Blueprint("certificates", __name__, url_prefix="/certificaat")
# A deleted account's certificates lose their PDF and BIG number but stay verifiable.
bp.record_once(lambda state: privacy.on_account_deletion(state.app, issuing.forget_certificates_of))


def _link(item: ChecklistItem) -> str | None:
    """The item's link, or None when that page does not exist (yet)."""
    if item.endpoint is None:
        return None
    try:
        return url_for(item.endpoint, **item.values)
    except BuildError:
        return None


def _settings() -> issuing.Settings:
    return issuing.Settings.from_config(current_app.config)


def _render_course(course: Course, form: ConfirmForm, status: int = 200) -> Any:
    standing = issuing.standing(current_user, course)
    preview = issuing.preview_facts(
        current_user, course, standing, _settings().provider, number="(volgt)"
    )
    form.shown_name.data = preview.name
    form.shown_big_number.data = preview.big_number or ""
    current = issuing.valid_certificate(current_user.id, course)
    return (
        render_template(
            "certificates/course.html",
            course=course,
            standing=standing,
            checklist=[(item, _link(item)) for item in standing.eligibility.checklist],
            preview=preview,
            preview_lines=[row for row in lines(preview) if row[0] != "Certificaatnummer"],
            current=current,
            points=bookings.points_status(current) if current else None,
            current_kind=kind_label(facts_of(current)) if current else "",
            history=issuing.certificates_of(current_user.id, course.slug),
            form=form,
        ),
        status,
    )


@bp.get("/<course_slug>")
@login_required
def course(course_slug: str) -> Any:
    """Show what is done and missing, then the facts to print and the button to issue."""
    return _render_course(course_or_404(course_slug), ConfirmForm())


@bp.post("/<course_slug>")
@login_required
def issue(course_slug: str) -> Any:
    """Issue the certificate once the learner confirmed name and BIG number."""
    course = course_or_404(course_slug)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_course(course, form, 400)
    existing = issuing.valid_certificate(current_user.id, course)
    confirmed = issuing.confirmed_facts_match(
        current_user, form.shown_name.data or "", form.shown_big_number.data or ""
    )
    if existing is None and not confirmed:
        flash(
            gettext(
                "Je naam of BIG-nummer is intussen gewijzigd. Controleer ze hieronder opnieuw."
            ),
            "warning",
        )
        return redirect(url_for("certificates.course", course_slug=course.slug))
    try:
        certificate, created = issuing.issue(current_user, course, _settings())
    except issuing.NotEligible:
        db.session.rollback()
        flash(
            gettext(
                "Je voldoet nog niet aan alle voorwaarden. Bekijk hieronder wat nog ontbreekt."
            ),
            "error",
        )
        return redirect(url_for("certificates.course", course_slug=course.slug))
    except SigningError:
        db.session.rollback()
        current_app.logger.exception("certificate signing unavailable")
        flash(
            gettext(
                "Je certificaat kan nu niet worden ondertekend. Er is niets verloren gegaan: "
                "probeer het over een paar minuten opnieuw."
            ),
            "error",
        )
        return redirect(url_for("certificates.course", course_slug=course.slug))
    if created:
        issuing.mail_certificate(
            certificate, current_user, _settings().verification_url(certificate.number)
        )
    db.session.commit()
    if created:
        flash(
            gettext(
                "Je certificaat %(number)s is aangemaakt. We mailen het ook naar %(email)s.",
                number=certificate.number,
                email=current_user.email,
            ),
            "success",
        )
    else:
        flash(gettext("Je certificaat %(number)s bestond al.", number=certificate.number), "info")
    return redirect(url_for("certificates.course", course_slug=course.slug))


@bp.get("/<course_slug>/<number>.pdf")
@login_required
def download(course_slug: str, number: str) -> Any:
    """Download my issued PDF (owner only; others get 404)."""
    certificate = issuing.find_by_number(number)
    if (
        certificate is None
        or certificate.user_id != current_user.id
        or certificate.course_slug != course_slug
        or certificate.status != "valid"
        or certificate.pdf is None
    ):
        abort(404)
    response = Response(certificate.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{issuing.pdf_filename(certificate)}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<course_slug>/evaluatie", methods=["GET", "POST"])
@login_required
def evaluation(course_slug: str) -> Any:
    """Fill in the course evaluation, once."""
    course = course_or_404(course_slug)
    existing = evaluations.evaluation_of(current_user.id, course.slug)
    form = EvaluationForm()
    if existing is None and form.validate_on_submit():
        _, created = evaluations.submit_evaluation(
            current_user.id,
            course,
            relevance=int(form.relevance.data),
            content_quality=int(form.content_quality.data),
            didactics=int(form.didactics.data),
            study_time=form.study_time.data,
            comments=form.comments.data or "",
        )
        db.session.commit()
        if created:
            flash(gettext("Dank je wel: je evaluatie is opgeslagen."), "success")
        return redirect(url_for("certificates.course", course_slug=course.slug))
    status = 400 if form.is_submitted() and existing is None else 200
    return (
        render_template(
            "certificates/evaluation.html", course=course, form=form, existing=existing
        ),
        status,
    )


@bp.get("/<course_slug>/evaluaties")
@role_required(*TRAINER_ROLES)
def evaluation_summary(course_slug: str) -> Any:
    """The evaluations of a course, aggregated: admins all, trainers their own cohorts'."""
    course = course_or_404(course_slug)
    if current_user.has_role("admin"):
        summary = evaluations.evaluation_summary(course.slug)
    else:
        summary = evaluations.cohort_evaluation_summary(course.slug, current_user)
    return render_template("certificates/evaluation_summary.html", course=course, summary=summary)
