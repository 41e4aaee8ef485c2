"""Trainers: cohorts and join codes, the cohort overview, learner detail, item analysis, CSV.

Trainer pages live under /groepen; the learner-facing join pages under /groep (same blueprint,
full rules, no url_prefix).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("trainer", __name__)

from . import views  # noqa: E402, F401  (registers the routes on bp)
