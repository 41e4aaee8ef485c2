"""Accounts: register, confirm e-mail, log in and out, password reset and change, profile."""
