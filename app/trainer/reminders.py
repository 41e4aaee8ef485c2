"""Reminders a trainer sends to a filtered selection of the cohort, through the mail outbox.

Which selections may get a reminder and what it says; the mail names the learner by first name
only and links to the course page, nothing else about them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale, lazy_gettext
from sqlalchemy import select

from ..content.model import Course
from ..extensions import db
from ..i18n import DEFAULT_LANGUAGE
from ..mail import queue_mail
from ..models import Cohort, CohortMember, User
from ..web import public_url
from .overview import Overview, View

#: The filters a reminder may go to, with the subject of its mail. Everybody ("alle") and the
#: learners who are done are left out on purpose: a reminder asks for a next step.
SUBJECTS = {
    "niet-gestart": lazy_gettext("Je cursus in Signaal staat voor je klaar"),
    "bezig": lazy_gettext("Een herinnering: de lessen in Signaal"),
    "inactief": lazy_gettext("Een herinnering: je cursus in Signaal"),
    "vast": lazy_gettext("Hulp bij de eindtoets in Signaal"),
    "zonder-certificaat": lazy_gettext("Je certificaat in Signaal kan worden aangevraagd"),
}
#: Shown in the preview where the mail will have the learner's own first name.
FIRST_NAME_PLACEHOLDER = lazy_gettext("[voornaam van de deelnemer]")


@dataclass(frozen=True)
class Recipient:
    first_name: str
    email: str
    #: The learner's interface language: the mail is written in it.
    language: str


def allowed(view: View) -> bool:
    """Whether the view's selection may get a reminder."""
    return view.filter in SUBJECTS


def recipients(overview: Overview, view: View) -> Iterator[Recipient]:
    """The learners the view selects (filter and search), streamed."""
    languages = dict(
        db.session.execute(
            select(User.id, User.language)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == overview.cohort_id)
        ).all()
    )
    for row in overview.rows(view):
        language = languages.get(row.member.user_id) or DEFAULT_LANGUAGE
        yield Recipient(row.member.first_name, row.member.email, language)


def body(view: View, cohort: Cohort, course: Course, first_name: str) -> str:
    """The text of the reminder for this selection, addressed to one first name."""
    link = public_url("learning.course", course_slug=course.slug)
    return render_template(
        "trainer/mail_reminder.txt",
        kind=view.filter,
        first_name=first_name,
        cohort=cohort,
        course=course,
        link=link,
    )


def queue(overview: Overview, view: View, cohort: Cohort, course: Course) -> int:
    """Queue one reminder per selected learner (added to the session); how many were queued."""
    count = 0
    for person in recipients(overview, view):
        # Sent on the trainer's request, read by the learner: in the learner's language.
        with force_locale(person.language):
            queue_mail(
                person.email,
                str(SUBJECTS[view.filter]),
                body(view, cohort, course, person.first_name),
            )
        count += 1

    return count
