"""Benchmarks: the app under gunicorn driven by wrk, against baselines measured in the same run.

`make bench` (or `python -m bench --help`) runs them and prints the tables; they are not tests.
"""
