"""The unsubscribe link in every booster mail: works without logging in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template

from ..audit import audit
from ..extensions import db
from ..forms import EmptyForm
from ..models import User
from .schedule import user_for_token

bp = Blueprint("boosters", __name__, url_prefix="/boosters")


def _user_or_404(token: str) -> User:
    user = user_for_token(token)
    if user is None:
        abort(404)
    return user


@bp.get("/afmelden/<token>")
def opt_out(token: str) -> Any:
    """Ask to confirm (a link scanner following the link unsubscribes nobody)."""
    user = _user_or_404(token)
    return render_template("boosters/opt_out.html", user=user, form=EmptyForm(), done=False)


@bp.post("/afmelden/<token>")
def confirm_opt_out(token: str) -> Any:
    """Stop booster mails for the learner the token belongs to."""
    user = _user_or_404(token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not user.booster_opt_out:
        user.booster_opt_out = True
        audit(None, "booster.opt_out", user)
    db.session.commit()
    return render_template("boosters/opt_out.html", user=user, form=None, done=True)
