"""Cohorts as a learner sees them (under /groep): joining with a code or an e-mail invitation,
the trainers who follow my progress, leaving a cohort. The trainer's side is `app.trainer`.

Thin: the rules are in `trainer/cohorts.py`; these views read the request, call them, commit
once and redirect.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..audit import audit
from ..content import get_catalog
from ..extensions import db, limiter
from ..forms import EmptyForm
from ..models import Cohort
from ..trainer import cohorts
from .forms import JoinForm

bp = Blueprint("groups", __name__, url_prefix="/groep")


def _failed(response: Any) -> bool:
    """Only attempts that did not join count towards the rate limit."""
    return response.status_code != 302


@bp.route("/aansluiten", methods=["GET", "POST"], defaults={"code": None})
@bp.route("/aansluiten/<code>", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"], deduct_when=_failed)
def join(code: str | None) -> Any:
    """Join a cohort with a code (typed in, or from the trainer's link)."""
    form = JoinForm(data={"code": code} if code else None)
    group = cohorts.find_by_code(code) if code else None
    problem = cohorts.join_problem(group) if code else None
    if form.validate_on_submit():
        try:
            group, joined = cohorts.join_with_code(current_user, form.code.data)
        except cohorts.JoinError as exc:
            form.code.errors = [str(exc)]
            return render_template("groups/join.html", form=form, cohort=None, problem=None)
        if joined:
            audit(current_user, "cohort.join", group, via="code")
            db.session.commit()
            flash(
                gettext("Je bent aangesloten bij de groep ‘%(name)s’.", name=group.name), "success"
            )
        else:
            flash(gettext("Je was al lid van de groep ‘%(name)s’.", name=group.name), "info")
        return redirect(url_for("groups.my_trainers"))
    return render_template(
        "groups/join.html",
        form=form,
        cohort=group if problem is None else None,
        problem=problem,
        trainers=sorted(group.trainers, key=lambda t: t.surname) if group else [],
        course=get_catalog().course(group.course_slug) if group else None,
    )


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@login_required
def accept_invite(token: str) -> Any:
    """Accept an e-mail invitation while logged in with the invited address."""
    check = cohorts.check_invite(token, current_user)
    form = EmptyForm()
    if check.problem is None and form.validate_on_submit():
        assert check.invite is not None
        group = cohorts.accept_invite(check.invite, current_user)
        audit(current_user, "cohort.join", group, via="invite")
        db.session.commit()
        flash(gettext("Je bent aangesloten bij de groep ‘%(name)s’.", name=group.name), "success")
        return redirect(url_for("groups.my_trainers"))
    group = db.session.get(Cohort, check.invite.cohort_id) if check.invite else None
    return render_template(
        "groups/accept_invite.html",
        problem=check.problem,
        cohort=group,
        trainers=sorted(group.trainers, key=lambda t: t.surname) if group else [],
        course=get_catalog().course(group.course_slug) if group else None,
        form=form,
    )


@bp.get("/mijn-opleiders")
@login_required
def my_trainers() -> Any:
    """The learner's cohorts and the trainers who follow their progress."""
    return render_template(
        "groups/my_trainers.html",
        followed=cohorts.followed_by(current_user),
        invites=cohorts.pending_invites(current_user),
        unconfirmed=cohorts.UNCONFIRMED_INVITE if current_user.email_confirmed_at is None else "",
        catalog=get_catalog(),
        form=EmptyForm(),
    )


@bp.post("/<int:cohort_id>/verlaten")
@login_required
def leave(cohort_id: int) -> Any:
    """Leave a cohort: its trainers no longer see the learner's progress.

    A cohort that does not exist is answered like one the learner is not in, so ids reveal nothing.
    """
    group = db.session.get(Cohort, cohort_id)
    if group is None:
        return redirect(url_for("groups.my_trainers"))
    if EmptyForm().validate_on_submit() and cohorts.leave(current_user, group):
        audit(current_user, "cohort.leave", group)
        db.session.commit()
        flash(
            gettext(
                "Je bent uit de groep ‘%(name)s’. De opleiders zien je voortgang niet meer.",
                name=group.name,
            ),
            "success",
        )

    return redirect(url_for("groups.my_trainers"))
