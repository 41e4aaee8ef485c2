"""Public, login-free routes: certificate verification (page and JSON API) and /healthz."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from sqlalchemy import text

from ..certificates import issuing, numbers
from ..extensions import csrf, db, limiter
from ..models import BIG_REQUIRED
from ..web import file_size
from . import checks
from .forms import LookupForm, UploadForm

bp = Blueprint("verify", __name__)


@bp.get("/healthz")
@csrf.exempt
def healthz() -> Any:
    """Report whether the app and its database answer."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        db.session.rollback()
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=database), status


def _lookup_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _upload_limit() -> str:
    return current_app.config["VERIFY_UPLOAD_RATE_LIMIT"]


def _verification_url(number: str) -> str:
    return numbers.verification_url(current_app.config["PUBLIC_BASE_URL"], number)


@bp.get("/verify")
@limiter.limit(_lookup_limit)
def lookup() -> Any:
    """Enter a certificate number; a submitted number goes to its verification page."""
    form = LookupForm(request.args)
    if request.args and form.validate():
        parsed = numbers.parse(form.number.data)
        return redirect(url_for("verify.show", number=parsed.number or form.number.data.strip()))
    status = 400 if request.args else 200
    return render_template("verify/lookup.html", form=form), status


def _render_show(number: str, upload_form: UploadForm, upload: Any = None, status: int = 0) -> Any:
    result = checks.verdict(number)
    certificate = result.certificate
    return (
        render_template(
            "verify/show.html",
            result=result,
            certificate=certificate,
            facts=checks.public_lines(certificate) if certificate else [],
            form=upload_form,
            lookup_form=LookupForm(formdata=None, number=number),
            upload=upload,
            replaced=result.status == "revoked" and issuing.has_replacement(certificate),
            max_upload=_max_upload(),
            big_required=BIG_REQUIRED,
        ),
        status or (200 if certificate else 404),
    )


@bp.get("/verify/<number>")
@limiter.limit(_lookup_limit)
def show(number: str) -> Any:
    """Say whether a certificate is valid, revoked, unknown or mistyped, with its facts."""
    parsed = numbers.parse(number)
    if parsed.ok and parsed.number != number:
        return redirect(url_for("verify.show", number=parsed.number), 301)
    return _render_show(number, UploadForm())


def _max_upload() -> int:
    return current_app.config["VERIFY_UPLOAD_MAX"]


@bp.post("/verify/<number>")
@limiter.limit(_upload_limit)
def upload(number: str) -> Any:
    """Compare an uploaded PDF with the issued one; the file is read in memory, never stored."""
    if (request.content_length or 0) > _max_upload() + 64 * 1024:
        abort(413)
    result = checks.verdict(number)
    if result.certificate is None:
        return _render_show(number, UploadForm())
    form = UploadForm()
    if not form.validate_on_submit():
        return _render_show(number, form, status=400)
    data = form.pdf.data.stream.read(_max_upload() + 1)
    if not data:
        form.pdf.errors.append(
            gettext("Dit bestand is leeg (0 bytes). Kies het PDF-bestand van het certificaat.")
        )
        return _render_show(number, form, status=400)
    if len(data) > _max_upload():
        form.pdf.errors.append(
            gettext(
                "Dit bestand is groter dan %(limit)s: een certificaat is veel kleiner.",
                limit=file_size(_max_upload()),
            )
        )
        return _render_show(number, form, status=413)
    outcome = checks.check_upload(result.certificate, data, current_app.config["SIGNING_CERT"])
    return _render_show(number, UploadForm(formdata=None), upload=outcome, status=200)


@bp.get("/api/v1/certificates/<number>")
@limiter.limit(_lookup_limit)
def api(number: str) -> Any:
    """The certificate's status and printed facts as JSON (see README)."""
    result = checks.verdict(number)
    body = checks.as_json(result, _verification_url(result.number))
    status = 200 if result.certificate is not None else 404
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
