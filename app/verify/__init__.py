"""Public, login-free routes: certificate verification (page and JSON API) and /healthz."""
