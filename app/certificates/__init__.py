"""Certificates for learners: checklist, evaluation, confirm and issue, download.

Rules live in eligibility.py (pure), issuing.py (exactly once), pdf.py and signing.py; these
views parse forms, call them, commit once and redirect."""
