"""`make chaos`: the production-shaped stack under faults, driven over HTTP.

Starts on free ports a Temporal dev server on a file store, the VIES stand-in, an SMTP sink
the harness can stop, two `python worker.py` and gunicorn with two processes; sends N
registrations with planned fates as applicants and reviewers do; meanwhile kills workers,
restarts Temporal, refuses SMTP, makes VIES fail a share of checks (and, on PostgreSQL with
--pg-restart-cmd, restarts the database); then prints one figure a line.
"""
