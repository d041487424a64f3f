"""What the worker says at start about settings that would fail later (mail, VIES)."""

from __future__ import annotations

import logging
import smtplib

from core.config import Settings
from vies.vatnumber import requester_vat_problem

log = logging.getLogger("aos.worker")


def check_smtp(settings: Settings) -> None:
    """Say at start what is wrong with the mail settings; mail itself is retried later."""
    cfg = settings.mail
    try:
        cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        with cls(str(cfg["MAIL_SERVER"]), int(cfg["MAIL_PORT"]), timeout=5) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(str(cfg["MAIL_USERNAME"]), str(cfg["MAIL_PASSWORD"] or ""))
            smtp.noop()
    except (OSError, smtplib.SMTPException) as err:
        log.error(
            "SMTP check failed for %s:%s (%s). Emails wait and are retried until it works.",
            cfg["MAIL_SERVER"],
            cfg["MAIL_PORT"],
            err,
        )
    else:
        log.info("SMTP server %s:%s answers.", cfg["MAIL_SERVER"], cfg["MAIL_PORT"])


def check_requester_vat(settings: Settings) -> None:
    """Outside production (which refuses it) a malformed VIES_REQUESTER_VAT is said at start:
    VIES would answer every check with INVALID_REQUESTER_INFO."""
    problem = requester_vat_problem(settings.vies_requester_vat)
    if problem:
        log.error("%s Every VAT check will wait until it is fixed.", problem)
