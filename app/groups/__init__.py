"""Cohorts as a learner sees them: joining with a code or an invitation, my trainers, leaving."""
