"""Boosters: a short case mailed 3, 6 and 12 months after the certificate, and its retention view."""
