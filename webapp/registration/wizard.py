"""The registration wizard: one concern a step, each validated on the server before the
next, the draft kept on the server (see drafts.py)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from core.models import RegistrationDraft
from core.passwords import hash_password
from vies.matching import is_no_data
from vies.splitting import split_address
from webapp.database import bridge, db
from webapp.registration import decoy, service
from webapp.registration.drafts import current_draft, forget, save_step
from webapp.registration.forms import (
    USER_TYPE_EXPLANATIONS,
    AccessStep,
    CompanyStep,
    CountryStep,
    RegistrationForm,
    UserTypeStep,
)
from webapp.registration.views import fields_from_form, lang, settings, status_url_for
from workflows.contracts import USER_TYPE_LABELS

bp = Blueprint("wizard", __name__, url_prefix="/register")


@bp.context_processor
def _user_type_explanations() -> dict[str, Any]:
    return {"user_type_explanations": USER_TYPE_EXPLANATIONS}


STEPS = ("type", "country", "company", "access", "review")
COMPANY_FIELDS = (
    "company_name street postcode city vat_number billing_differs billing_street "
    "billing_postcode billing_city rep_title rep_first_name rep_last_name"
).split()
ACCESS_FIELDS = ("contact_person", "email", "phone", "accept_terms")


def _draft() -> RegistrationDraft:
    draft = current_draft(db(), create=True)
    assert draft is not None
    return draft


def _guard(draft: RegistrationDraft, step: int) -> Response | None:
    """Steps are taken in order: a later step before the earlier ones are done goes back."""
    if step > draft.completed + 1:
        return redirect(url_for(f"wizard.{STEPS[draft.completed]}"))
    return None


def _page(template: str, draft: RegistrationDraft, step: int, **context: Any) -> str:
    return render_template(
        f"registration/wizard/{template}.html",
        draft=draft,
        step=step,
        steps=STEPS,
        **context,
    )


def _form(cls, draft: RegistrationDraft, **kwargs: Any):  # type: ignore[no-untyped-def]
    """A step's form: what was posted, or else what the draft holds."""
    if request.method == "POST":
        return cls(**kwargs)
    return cls(formdata=None, data=draft.data, **kwargs)


@bp.get("")
def start() -> Response:
    draft = _draft()
    return redirect(url_for(f"wizard.{STEPS[min(draft.completed, 4)]}"))


@bp.route("/type", methods=["GET", "POST"])
def type() -> str | Response:  # noqa: A001 - the step's name in the URL
    draft = _draft()
    form = _form(UserTypeStep, draft)
    if request.method == "POST" and form.validate():
        save_step(db(), draft, 1, {"user_type": form.user_type.data})
        return redirect(url_for("wizard.country"))
    return _page("type", draft, 1, form=form)


@bp.route("/country", methods=["GET", "POST"])
def country() -> str | Response:
    draft = _draft()
    if (back := _guard(draft, 2)) is not None:
        return back
    form = _form(CountryStep, draft, ui_language=lang())
    if request.method == "POST" and form.validate():
        save_step(db(), draft, 2, {"country": form.country.data})
        return redirect(url_for("wizard.company"))
    return _page("country", draft, 2, form=form)


@bp.route("/company", methods=["GET", "POST"])
def company() -> str | Response:
    draft = _draft()
    if (back := _guard(draft, 3)) is not None:
        return back
    form = _form(CompanyStep, draft)
    form.country_code = draft.data.get("country")
    if request.method == "POST" and form.validate():
        values = {name: getattr(form, name).data for name in COMPANY_FIELDS}
        values["vat_number"] = form.normalized_vat or values["vat_number"]
        if not values["billing_differs"]:  # hidden (and maybe autofilled) fields count for nothing
            values.update(billing_street="", billing_postcode="", billing_city="")
        save_step(db(), draft, 3, values)
        return redirect(url_for("wizard.access"))
    vat = draft.vat_result
    split = (
        split_address(draft.data.get("country", ""), vat.get("registered_address", ""))
        if vat
        else None
    )
    return _page(
        "company",
        draft,
        3,
        form=form,
        vat_result=vat,
        split=split,
        adopted_address=draft.data.get("adopted_address"),
    )


def adopted_values(country: str, vat: dict[str, Any]) -> dict[str, str]:
    """The company fields "Use the registered data" fills in, so that the next check matches:
    VIES's name, and its address split into fields, or else kept verbatim ("adopted_address";
    the street, postcode and city fields then stay the contact address)."""
    values: dict[str, str] = {}
    name, address = vat.get("registered_name") or "", vat.get("registered_address") or ""
    if name and not is_no_data(name):
        values["company_name"] = " ".join(name.split())
    if not address or is_no_data(address):
        return values
    split = split_address(country, address)
    if split is None:
        values["adopted_address"] = address
        return values
    values["street"], postcode, values["city"] = split
    if postcode:  # VIES holds none in some member states: the typed one stays
        values["postcode"] = postcode
    values["adopted_address"] = ""
    return values


@bp.post("/company/adopt")
def adopt() -> Response:
    """ "Use the registered data": fill the company fields from the VIES answer."""
    draft = _draft()
    vat = draft.vat_result or {}
    values = adopted_values(draft.data.get("country", ""), vat)
    # Every step was done before the check: nothing else to walk through again.
    to_review = draft.completed >= 4
    if values.get("adopted_address"):
        flash(
            _(
                "We filled in the registered company name and keep the registered address "
                "exactly as VIES holds it. Check your contact address and send the registration."
            )
            if to_review
            else _(
                "We filled in the registered company name and keep the registered address "
                "exactly as VIES holds it. Check your contact address and continue."
            ),
            "success",
        )
    elif values:
        flash(
            _("We filled in the data registered in VIES. Check them and send the registration.")
            if to_review
            else _("We filled in the data registered in VIES. Check them and continue."),
            "success",
        )
    if values:
        draft.vat_result = {**vat, "adopted": True}
    save_step(db(), draft, min(draft.completed, 3), values)
    return redirect(url_for("wizard.review" if to_review else "wizard.company"))


@bp.route("/access", methods=["GET", "POST"])
def access() -> str | Response:
    draft = _draft()
    if (back := _guard(draft, 4)) is not None:
        return back
    form = _form(AccessStep, draft)
    form.country_code = draft.data.get("country")
    form.keep_password = bool(draft.password_hash)
    if request.method == "POST" and form.validate():
        values = {name: getattr(form, name).data for name in ACCESS_FIELDS}
        values["phone"] = form.normalized_phone or values["phone"]
        if form.password.data:
            draft.password_hash = hash_password(form.password.data)
        save_step(db(), draft, 4, values)
        return redirect(url_for("wizard.review"))
    return _page("access", draft, 4, form=form)


def _complete_form(draft: RegistrationDraft) -> RegistrationForm:
    form = RegistrationForm(
        formdata=None, data=draft.data, ui_language=lang(), meta={"csrf": False}
    )
    form.keep_password = bool(draft.password_hash)
    return form


@bp.route("/review", methods=["GET", "POST"])
def review() -> str | Response:
    draft = _draft()
    if (back := _guard(draft, 5)) is not None:
        return back
    form = _complete_form(draft)
    if not form.validate() or not draft.password_hash:
        # Something changed underneath (e.g. the country after the VAT number): go fix it.
        first_bad = next(iter(form.errors), "password")
        step = next(
            (
                s
                for s, names in (
                    ("type", ["user_type"]),
                    ("country", ["country"]),
                    ("company", COMPANY_FIELDS),
                )
                if first_bad in names
            ),
            "access",
        )
        flash(_("Please check this step again."), "error")
        return redirect(url_for(f"wizard.{step}"))
    if request.method == "GET":
        return _page("review", draft, 5, form=form, user_type_labels=USER_TYPE_LABELS)

    fields = {**fields_from_form(form), "adopted_address": draft.data.get("adopted_address") or ""}
    result = service.submit_registration(
        db(), bridge(), settings(), fields, draft.password_hash, lang()
    )
    if result.outcome == "mismatch":
        draft.vat_result = _as_dict(result.view.vat_result if result.view else None)
        db().commit()
        return redirect(url_for("wizard.company"))
    forget(db(), draft)
    if result.outcome == "taken":
        return redirect(
            status_url_for(decoy.new_id(checking=result.vat_pending))
        )  # looks like a new registration
    assert result.registration is not None
    return redirect(status_url_for(result.registration.id))


@bp.post("/discard")
def discard() -> Response:
    forget(db(), current_draft(db()))
    flash(_("Your draft registration has been deleted."))
    return redirect(url_for("registration.home"))


def _as_dict(vat: Any) -> dict[str, Any] | None:
    return asdict(vat) if is_dataclass(vat) else vat
