"""Log-in, sessions, API tokens, CSRF and the audit trail of the web app."""
