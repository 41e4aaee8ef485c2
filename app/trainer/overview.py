"""The cohort overview: one row per learner, filters, sorting and the CSV export.

`load_overview` runs a fixed number of queries (members, progress, assessment, evaluations,
certificates); everything after that is pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import csvsafe
from ..content.model import Course
from ..dates import local_datetime
from ..learning.progress import progress_for_users
from ..models import Cohort, utcnow
from ..quizzes.attempts import assessment_status_for_users
from . import queries
from .queries import Member

#: Filter keys (query argument `filter`) and their labels.
FILTERS = {
    "alle": "Iedereen",
    "niet-gestart": "Niet gestart",
    "bezig": "Bezig met de lessen",
    "inactief": "Al 30 dagen niet actief",
    "vast": "Vast op de toets",
    "geslaagd": "Eindtoets gehaald",
    "zonder-certificaat": "Gehaald, nog geen certificaat",
    "certificaat": "Certificaat ontvangen",
}
#: Sort keys (query argument `sort`) and their column labels.
SORTS = {
    "naam": "Naam",
    "voortgang": "Voortgang",
    "lessen": "Lessen af",
    "activiteit": "Laatste activiteit",
    "pogingen": "Pogingen",
    "score": "Beste score",
    "geslaagd": "Eindtoets",
    "evaluatie": "Evaluatie",
    "certificaat": "Certificaat",
}
INACTIVE_DAYS = 30
PAGE_SIZE = 100


@dataclass(frozen=True)
class LearnerRow:
    member: Member
    percent: int
    lessons_done: int
    lessons_total: int
    started: bool
    last_activity: dt.datetime | None
    #: Attempts started at the final-assessment cases, all cases together.
    attempts: int
    cases_passed: int
    cases_total: int
    #: Mean of the best scores (0..1) over the cases with a graded attempt; None before any.
    best_score: float | None
    passed: bool
    #: Used all attempts at a case without passing it, or failed it twice or more.
    stuck: bool
    evaluated: bool
    certified: bool

    @property
    def user_id(self) -> int:
        return self.member.user_id

    @property
    def best_percent(self) -> int | None:
        return None if self.best_score is None else round(self.best_score * 100)

    @property
    def status(self) -> str:
        if self.certified:
            return "Certificaat"
        if self.passed:
            return "Eindtoets gehaald"
        if self.stuck:
            return "Vast op de toets"
        if not self.started:
            return "Niet gestart"
        return "Bezig"


def _stuck(status: Any) -> bool:
    if status.passed:
        return False
    failed = status.attempts_used - (1 if status.open_attempt else 0)
    return failed >= 2 or (
        status.attempts_allowed is not None and failed >= status.attempts_allowed
    )


def build_rows(
    course: Course,
    members: list[Member],
    progress: Mapping[int, Any],
    statuses: Mapping[int, Mapping[str, Any]],
    evaluated: set[int],
    certified: set[int],
) -> list[LearnerRow]:
    """Combine the per-learner facts into overview rows (pure)."""
    lesson_slugs = {lesson.slug for lesson in course.lessons}
    cases = course.assessment
    rows = []
    for member in members:
        prog = progress.get(member.user_id)
        per_case = statuses.get(member.user_id, {})
        case_statuses = [per_case[slug] for slug in cases if slug in per_case]
        scores = [s.best_score for s in case_statuses if s.best_score is not None]
        passed_cases = sum(1 for s in case_statuses if s.passed)
        attempts = sum(s.attempts_used for s in case_statuses)
        rows.append(
            LearnerRow(
                member=member,
                percent=prog.percent if prog else 0,
                lessons_done=len(prog.completed & lesson_slugs) if prog else 0,
                lessons_total=len(lesson_slugs),
                started=bool(prog and prog.started) or attempts > 0,
                last_activity=prog.last_activity if prog else None,
                attempts=attempts,
                cases_passed=passed_cases,
                cases_total=len(cases),
                best_score=sum(scores) / len(scores) if scores else None,
                passed=bool(cases) and passed_cases == len(cases),
                stuck=any(_stuck(s) for s in case_statuses),
                evaluated=member.user_id in evaluated,
                certified=member.user_id in certified,
            )
        )
    return rows


def load_overview(cohort: Cohort, course: Course) -> list[LearnerRow]:
    """Every learner of the cohort with their progress; a fixed number of queries."""
    members = queries.members(cohort.id)
    user_ids = [m.user_id for m in members]
    if not user_ids:
        return []
    return build_rows(
        course,
        members,
        progress_for_users(user_ids, course),
        assessment_status_for_users(user_ids, course),
        queries.evaluated_user_ids(cohort.id, course.slug),
        queries.certified_user_ids(cohort.id, course.slug),
    )


def matches(row: LearnerRow, key: str, now: dt.datetime | None = None) -> bool:
    """Whether the row passes the filter with this key."""
    if key == "niet-gestart":
        return not row.started
    if key == "bezig":
        return row.started and row.lessons_done < row.lessons_total
    if key == "inactief":
        cutoff = (now or utcnow()) - dt.timedelta(days=INACTIVE_DAYS)
        return (
            row.started
            and not row.passed
            and (row.last_activity is None or row.last_activity < cutoff)
        )
    if key == "vast":
        return row.stuck
    if key == "geslaagd":
        return row.passed
    if key == "zonder-certificaat":
        return row.passed and not row.certified
    if key == "certificaat":
        return row.certified
    return True


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SORT_KEYS = {
    "naam": lambda r: r.member.sort_key,
    "voortgang": lambda r: (r.percent, r.member.sort_key),
    "lessen": lambda r: (r.lessons_done, r.member.sort_key),
    "activiteit": lambda r: (r.last_activity or _EPOCH, r.member.sort_key),
    "pogingen": lambda r: (r.attempts, r.member.sort_key),
    "score": lambda r: (-1 if r.best_score is None else r.best_score, r.member.sort_key),
    "geslaagd": lambda r: (r.passed, r.cases_passed, r.member.sort_key),
    "evaluatie": lambda r: (r.evaluated, r.member.sort_key),
    "certificaat": lambda r: (r.certified, r.member.sort_key),
}


@dataclass(frozen=True)
class View:
    """What the trainer asked for in the query string, cleaned."""

    filter: str = "alle"
    sort: str = "naam"
    descending: bool = False
    search: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> View:
        filter_key = args.get("filter", "alle")
        sort_key = args.get("sort", "naam")
        try:
            page = max(int(args.get("pagina", "1")), 1)
        except ValueError:
            page = 1
        return cls(
            filter=filter_key if filter_key in FILTERS else "alle",
            sort=sort_key if sort_key in SORTS else "naam",
            descending=args.get("volgorde") == "aflopend",
            search=(args.get("zoek") or "").strip()[:100],
            page=page,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query arguments for a link to this view with some changes (defaults left out)."""
        values = {
            "filter": self.filter,
            "sort": self.sort,
            "volgorde": "aflopend" if self.descending else "oplopend",
            "zoek": self.search,
            "pagina": self.page,
        }
        values.update(changes)
        defaults = {
            "filter": "alle",
            "sort": "naam",
            "volgorde": "oplopend",
            "zoek": "",
            "pagina": 1,
        }
        return {k: v for k, v in values.items() if v != defaults[k]}

    def sort_args(self, key: str) -> dict[str, Any]:
        """Link arguments for a column header: sort by it, or reverse when already sorted."""
        descending = not self.descending if key == self.sort else key != "naam"
        return self.args(sort=key, volgorde="aflopend" if descending else "oplopend", pagina=1)


def apply(rows: list[LearnerRow], view: View, now: dt.datetime | None = None) -> list[LearnerRow]:
    """Filter, search and sort the rows as the view asks (pure)."""
    needle = view.search.casefold()
    kept = [
        r
        for r in rows
        if matches(r, view.filter, now)
        and (
            not needle or needle in r.member.name.casefold() or needle in r.member.email.casefold()
        )
    ]
    return sorted(kept, key=_SORT_KEYS[view.sort], reverse=view.descending)


@dataclass(frozen=True)
class Summary:
    learners: int
    not_started: int
    passed: int
    stuck: int
    certified: int
    mean_percent: int


def summarise(rows: list[LearnerRow]) -> Summary:
    """Counts for the top of the overview."""
    return Summary(
        learners=len(rows),
        not_started=sum(1 for r in rows if not r.started),
        passed=sum(1 for r in rows if r.passed),
        stuck=sum(1 for r in rows if r.stuck),
        certified=sum(1 for r in rows if r.certified),
        mean_percent=round(sum(r.percent for r in rows) / len(rows)) if rows else 0,
    )


CSV_HEADERS = (
    "Naam",
    "E-mailadres",
    "Beroep",
    "Lid sinds",
    "Voortgang (%)",
    "Lessen afgerond",
    "Lessen totaal",
    "Laatste activiteit",
    "Pogingen eindtoets",
    "Casussen gehaald",
    "Beste score (%)",
    "Eindtoets gehaald",
    "Vast op de toets",
    "Evaluatie ingevuld",
    "Certificaat uitgegeven",
)


def _yes_no(value: bool) -> str:
    return "ja" if value else "nee"


def to_csv(rows: list[LearnerRow], profession_labels: Mapping[str, str]) -> bytes:
    """The rows as CSV for Dutch Excel: ';' separated, UTF-8 with a byte-order mark."""
    text = csvsafe.to_csv(
        CSV_HEADERS,
        (
            [
                r.member.name,
                r.member.email,
                profession_labels.get(r.member.profession, r.member.profession),
                local_datetime(r.member.joined_at),
                r.percent,
                r.lessons_done,
                r.lessons_total,
                local_datetime(r.last_activity),
                r.attempts,
                f"{r.cases_passed} van {r.cases_total}",
                "" if r.best_percent is None else r.best_percent,
                _yes_no(r.passed),
                _yes_no(r.stuck),
                _yes_no(r.evaluated),
                _yes_no(r.certified),
            ]
            for r in rows
        ),
    )
    return ("\ufeff" + text).encode("utf-8")
