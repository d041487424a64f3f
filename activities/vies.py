"""The VIES check: one call to the EU service, compared letter for letter."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from vies.client import ViesClient, ViesFinalError, ViesTransientError
from vies.matching import compare
from workflows import contracts as c


class ViesActivities:
    def __init__(self, client: ViesClient) -> None:
        self._client = client

    @activity.defn(name=c.ACTIVITY_CHECK_VAT)
    def check_vat(self, req: c.VatCheckRequest) -> c.VatCheckResult:
        try:
            answer = self._client.check(req.country_code, req.vat_number)
        except ViesFinalError as err:
            raise ApplicationError(
                f"VIES refused the check: {err.code}", type=c.ERROR_VAT_FINAL, non_retryable=True
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
                    field=f.field, registered=f.registered, typed=f.typed, matches=f.matches
                )
                for f in outcome.fields
            ],
        )
