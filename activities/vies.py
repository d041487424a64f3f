"""The VIES check: one call to the EU service, compared letter for letter.

Who is at fault decides what happens (vies/client.py): an invalid or malformed number is the
applicant's (final); VAT_BLOCKED goes to the administrators; the portal's own faults
(IP_BLOCKED, INVALID_REQUESTER_INFO, unknown codes) are retried like an outage and reported to
the operators: a log line at ERROR, the `aos_vies_portal_faults` counter in the worker's
Prometheus metrics, and a row the console's banner shows.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.models import ViesFault
from vies.client import (
    Trader,
    ViesBlockedError,
    ViesClient,
    ViesFinalError,
    ViesPortalFault,
    ViesTransientError,
)
from vies.matching import compare
from vies.splitting import split_address
from workflows import contracts as c

log = logging.getLogger("aos.vies")
PORTAL_FAULT_METRIC = "aos_vies_portal_faults"


def _count_fault(code: str) -> None:
    """The Temporal SDK's meter: exported with the worker's other metrics."""
    try:
        meter = activity.metric_meter()
    except RuntimeError:  # not in a threaded activity (tests' ActivityEnvironment and the like)
        return
    meter.create_counter(
        PORTAL_FAULT_METRIC, "VIES checks that failed through the portal's own fault, by code."
    ).add(1, {"code": code})


class ViesActivities:
    def __init__(self, client: ViesClient, sessions: sessionmaker[Session] | None = None) -> None:
        self._client = client
        self._sessions = sessions

    def _report(self, err: ViesPortalFault, country_code: str) -> None:
        log.error(
            "VIES refuses the portal's request (%s: %s); fix the configuration or network "
            "(VIES_URL, VIES_REQUESTER_VAT, the outgoing IP). Registrations wait meanwhile.",
            err.code,
            err.message,
        )
        _count_fault(err.code)
        if self._sessions is None:
            return
        try:
            with self._sessions.begin() as session:
                session.add(
                    ViesFault(
                        code=err.code[:64], message=err.message[:500], country_code=country_code
                    )
                )
        except Exception:  # the banner is a convenience; the retry must not depend on it
            log.exception("Could not record the VIES fault for the console")

    @activity.defn(name=c.ACTIVITY_CHECK_VAT)
    def check_vat(self, req: c.VatCheckRequest) -> c.VatCheckResult:
        trader = Trader(req.company_name, req.street, req.postcode, req.city)
        try:
            answer = self._client.check(req.country_code, req.vat_number, trader)
        except ViesFinalError as err:
            raise ApplicationError(
                f"VIES refused the check: {err.code}", type=c.ERROR_VAT_FINAL, non_retryable=True
            ) from err
        except ViesBlockedError as err:
            # Not the applicant's fault and not ours: the administrators decide.
            activity.logger.warning("VIES will not check this number (%s)", err.code)
            return c.VatCheckResult(
                valid=True, matches=True, no_data=True, flag_reason=c.VIES_FLAG_VAT_BLOCKED
            )
        except ViesPortalFault as err:
            self._report(err, req.country_code)
            raise ApplicationError(
                f"VIES refuses the portal's request: {err.code}", type=c.ERROR_VIES_PORTAL_FAULT
            ) from err
        except ViesTransientError as err:
            # Retried by the workflow's policy; never reported as "invalid".
            activity.logger.warning("VIES unavailable (%s), will retry", err.code)
            raise ApplicationError(
                f"VIES unavailable: {err.code}", type="ViesTransientError"
            ) from err

        if not answer.valid:
            return c.VatCheckResult(
                valid=False,
                matches=False,
                request_date=answer.request_date,
                request_identifier=answer.request_identifier,
            )
        outcome = compare(
            req.country_code,
            req.company_name,
            req.street,
            req.postcode,
            req.city,
            answer.name,
            answer.address,
            adopted_address=req.adopted_address,
        )
        # Show each address field beside VIES's own spelling of it, where it can be told.
        parts = dict(
            zip(
                ("street", "postcode", "city"),
                split_address(req.country_code, answer.address) or (),
                strict=False,
            )
        )
        return c.VatCheckResult(
            valid=True,
            matches=outcome.matches,
            no_data=outcome.no_data,
            registered_name=answer.name,
            registered_address=answer.address,
            request_date=answer.request_date,
            request_identifier=answer.request_identifier,
            fields=[
                c.FieldComparison(
                    field=f.field,
                    registered=parts.get(f.field) or f.registered,
                    typed=f.typed,
                    matches=f.matches,
                    note=f.note,
                )
                for f in outcome.fields
            ],
            vies_matches=answer.trader_matches,
        )
