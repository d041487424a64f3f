"""The stand-in's hosted payment page: the labelled fields ``Card number``, ``Expiry date``
and ``CVC``, a ``Pay`` button, Stripe's documented test cards, and the extra authentication
step (3D Secure) as a second page with Complete / Fail. Plain HTML forms: works without
JavaScript, by keyboard and at 375 px."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from flask import render_template_string

# Stripe's test cards (docs.stripe.com/testing): number -> outcome.
PAID, DECLINED, AUTHENTICATE = "paid", "declined", "authenticate"
TEST_CARDS = {
    "4242424242424242": (PAID, ""),
    "5555555555554444": (PAID, ""),  # Mastercard
    "4000000000000002": (DECLINED, "generic_decline"),
    "4000000000009995": (DECLINED, "insufficient_funds"),
    "4000002500003155": (AUTHENTICATE, ""),
}
DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "authentication_failed": "We are unable to authenticate your payment method. Please "
    "choose a different payment method and try again.",
    "live_card": "Your card was declined. Your request was in test mode, but used a non "
    "test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.",
}


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


@dataclass
class CardForm:
    number: str = ""
    expiry: str = ""
    cvc: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def digits(self) -> str:
        return "".join(c for c in self.number if c.isdigit())

    def validate(self, today: datetime.date) -> bool:
        digits = self.digits
        if len(digits) < 13 or len(digits) > 19 or not self.number.replace(" ", "").isdigit():
            self.errors["number"] = "Your card number is incomplete."
        elif not luhn_ok(digits):
            self.errors["number"] = "Your card number is invalid."
        month, _, year = self.expiry.replace(" ", "").partition("/")
        if not (month.isdigit() and year.isdigit() and len(year) in (2, 4)):
            self.errors["expiry"] = "Your card's expiration date is incomplete."
        elif not 1 <= int(month) <= 12:
            self.errors["expiry"] = "Your card's expiration month is invalid."
        else:
            full_year = int(year) + (2000 if len(year) == 2 else 0)
            if (full_year, int(month)) < (today.year, today.month):
                self.errors["expiry"] = "Your card's expiration date is in the past."
        if not (self.cvc.isdigit() and len(self.cvc) in (3, 4)):
            self.errors["cvc"] = "Your card's security code is incomplete."
        return not self.errors

    def outcome(self) -> tuple[str, str]:
        return TEST_CARDS.get(self.digits, (DECLINED, "live_card"))


def money(amount: int, currency: str) -> str:
    return f"{amount / 100:,.2f} {currency.upper()}".replace(",", " ")


_BASE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} – Stripe stand-in</title>
<style>
*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,sans-serif;color:#1a1a1a;background:#f6f8fa}
main{max-width:28rem;margin:0 auto;padding:1.25rem 1rem}
h1{font-size:1.35rem;margin:.5rem 0 1rem}
.box{background:#fff;border:1px solid #c4c9d0;border-radius:.5rem;padding:1rem;margin-bottom:1rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;font:inherit;padding:.6rem;border:1px solid #6b7280;border-radius:.35rem}
input[aria-invalid=true]{border:2px solid #b00020}
.row{display:flex;gap:.75rem}.row>div{flex:1;min-width:0}
.err{color:#b00020;margin:.25rem 0 0}
.alert{border:2px solid #b00020;background:#fff5f5;padding:0 .75rem;border-radius:.35rem;
margin-bottom:1rem}
button{font:inherit;font-weight:600;width:100%;margin-top:1.25rem;padding:.75rem;border:0;
border-radius:.35rem;background:#2b3990;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#2b3990;border:2px solid #2b3990}
a{color:#1d3b8a}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
table{width:100%;border-collapse:collapse}td{padding:.25rem 0}td:last-child{text-align:right}
.note{font-size:.9rem;color:#444}
</style></head><body><main>
{% block body %}{% endblock %}
<p class="note">Test mode: the project's local stand-in of Stripe Checkout.</p>
</main></body></html>"""

_SUMMARY = """<section class="box" aria-label="Order summary"><table>
{% for item in items %}<tr><td>{{ item.name }}{% if item.quantity > 1 %} × {{ item.quantity
}}{% endif %}</td><td>{{ item.amount }}</td></tr>{% endfor %}
<tr><td><strong>Total</strong></td><td><strong>{{ total }}</strong></td></tr></table></section>"""

PAY_PAGE = _BASE.replace(
    "{% block body %}{% endblock %}",
    """<h1>Pay {{ total }}</h1>"""
    + _SUMMARY
    + """
{% if message %}<div class="alert" role="alert" id="payment-error"><p>{{ message }}</p>
{% if retry %}<p>Please try again or use a different card.</p>{% endif %}</div>{% endif %}
<form method="post" class="box" novalidate>
{% for name, label, auto, hint in fields %}
{% if name == "expiry" %}<div class="row"><div>{% elif name == "cvc" %}<div>{% endif %}
<label for="{{ name }}">{{ label }}</label>
<input id="{{ name }}" name="{{ name }}" value="{{ values[name] }}" autocomplete="{{ auto }}"
 inputmode="numeric" placeholder="{{ hint }}"
 {% if errors[name] %}aria-invalid="true" aria-describedby="{{ name }}-error"{% endif %}>
{% if errors[name] %}<p class="err" id="{{ name }}-error">{{ errors[name] }}</p>{% endif %}
{% if name == "expiry" %}</div>{% elif name == "cvc" %}</div></div>{% endif %}
{% endfor %}
<button type="submit">Pay</button>
</form>
{% if cancel_url %}<p><a href="{{ cancel_url }}">Cancel and return to the shop</a></p>{% endif %}
""",
)
PAY_FIELDS = [
    ("number", "Card number", "cc-number", "1234 1234 1234 1234"),
    ("expiry", "Expiry date", "cc-exp", "MM / YY"),
    ("cvc", "CVC", "cc-csc", "CVC"),
]

AUTH_PAGE = _BASE.replace(
    "{% block body %}{% endblock %}",
    """<h1>Authenticate this payment</h1>"""
    + _SUMMARY
    + """<div class="box"><p>Your bank asks you to confirm the payment of {{ total }}.
This is a test authentication page: choose what the bank answers.</p>
<form method="post"><input type="hidden" name="action" value="complete">
<button type="submit">Complete authentication</button></form>
<form method="post"><input type="hidden" name="action" value="fail">
<button type="submit" class="secondary">Fail authentication</button></form></div>""",
)

CLOSED_PAGE = _BASE.replace(
    "{% block body %}{% endblock %}",
    """<h1>{{ heading }}</h1><div class="box"><p>{{ text }}</p>
{% if link %}<p><a href="{{ link }}">{{ link_text }}</a></p>{% endif %}</div>""",
)


def summary(session: dict) -> dict:
    items = []
    for item in session["line_items"]:
        price, quantity = item["price_data"], int(item["quantity"])
        amount = int(price["unit_amount"]) * quantity
        items.append(
            {
                "name": price["product_data"]["name"],
                "quantity": quantity,
                "amount": money(amount, session["currency"]),
            }
        )
    return {"items": items, "total": money(session["amount_total"], session["currency"])}


def render_pay(session: dict, form: CardForm, message: str = "", retry: bool = False) -> str:
    values = {"number": form.number, "expiry": form.expiry, "cvc": form.cvc}
    errors = {name: form.errors.get(name, "") for name in values}
    return render_template_string(
        PAY_PAGE,
        title="Pay",
        fields=PAY_FIELDS,
        values=values,
        errors=errors,
        message=message,
        retry=retry,
        cancel_url=session.get("cancel_url"),
        **summary(session),
    )


def render_auth(session: dict) -> str:
    return render_template_string(AUTH_PAGE, title="Authenticate", **summary(session))


def render_closed(session: dict) -> str:
    if session["status"] == "complete":
        heading, text = "Payment complete", "This payment has been made. Thank you."
        link, link_text = session.get("success_url"), "Return to the shop"
    else:
        heading, text = "Session expired", "This checkout session has expired; nothing was paid."
        link, link_text = session.get("cancel_url"), "Return to the shop"
    return render_template_string(
        CLOSED_PAGE, title=heading, heading=heading, text=text, link=link, link_text=link_text
    )
