"""Accreditation: booking attendance in PE-online (GAIA) and the manual paste list."""
