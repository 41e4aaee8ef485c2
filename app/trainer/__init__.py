"""Trainers: cohorts and join codes, the cohort overview, learner detail, item analysis, CSV."""
