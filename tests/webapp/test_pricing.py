"""Price list: the price in force on a date, the public page, changes in the console."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from core.models import AuditEntry, PriceEntry
from tests.webapp.conftest import csrf_token
from tests.webapp.test_portal import WORKSHOP, applicant_client, console_client, make_applicant
from webapp.pricing import service
from webapp.pricing.products import PRODUCTS


def test_products_are_the_periods_the_regulations_require():
    by_category: dict[str, list[str]] = {}
    for product in PRODUCTS:
        by_category.setdefault(product.category, []).append(product.duration)
    assert by_category == {
        "car": ["hour", "day", "week", "month", "year"],
        "motorcycle": ["day", "month", "year"],
    }
    assert set(service.sample_prices()) == {p.code for p in PRODUCTS}
    assert all(p.example and p.currency == "EUR" for p in service.sample_prices().values())


def test_the_price_in_force_on_a_given_date(app):
    sessions = app.extensions["aos_sessions"]
    sample = service.sample_prices()["car-day"]
    with sessions() as session:
        assert service.price_on(session, "car-day", sample.valid_from - timedelta(days=1)) is None
        assert service.price_on(session, "car-day", sample.valid_from) == sample
        service.add_price(
            session,
            product="car-day",
            net_cents=4000,
            valid_from=date(2030, 1, 1),
            created_by="a@aos.test",
        )
        service.add_price(
            session,
            product="car-day",
            net_cents=4500,
            valid_from=date(2031, 6, 1),
            created_by="a@aos.test",
        )
        session.commit()
        # Entered later for the same day: supersedes the earlier entry of that day.
        service.add_price(
            session,
            product="car-day",
            net_cents=4200,
            valid_from=date(2030, 1, 1),
            created_by="b@aos.test",
        )
        session.commit()

        def cents(on: date) -> int:
            price = service.price_on(session, "car-day", on)
            assert price is not None
            return price.net_cents

        assert cents(date(2029, 12, 31)) == sample.net_cents
        assert service.price_on(session, "car-day", date(2029, 12, 31)).example is True
        assert cents(date(2030, 1, 1)) == 4200
        assert cents(date(2031, 5, 31)) == 4200
        assert cents(date(2031, 6, 1)) == 4500
        assert service.price_on(session, "car-day", date(2031, 6, 1)).example is False
        # Other products are untouched; the whole history is kept, in order of validity.
        assert (
            service.price_on(session, "car-week", date(2031, 6, 1))
            == (service.sample_prices()["car-week"])
        )
        history = [p.net_cents for p in service.history(session, "car-day")]
        assert history == [sample.net_cents, 4000, 4200, 4500]


def test_price_list_is_public_with_net_prices_vat_note_and_example_marks(client):
    page = client.get("/prices?lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for label in ("One hour", "One day", "One week", "One month", "One year"):
        assert label in text
    assert "Cars (BMW, MINI)" in text and "Motorcycles (BMW Motorrad)" in text
    car_hour = re.search(r'id="price-car-hour">.*?</tr>', text, re.S).group(0)
    assert "€12.00" in car_hour and "example" in car_hour
    assert 'id="price-motorcycle-week"' not in text  # no weekly motorcycle access
    assert "do not include VAT" in text
    assert "Prices marked as examples are sample data" in text
    hungarian = client.get("/prices?lang=hu").get_data(as_text=True)
    assert "12,00\xa0EUR" in hungarian


def test_reviewer_changes_a_price_from_a_date_and_the_history_is_kept(app, client):
    console = console_client(app, "reviewer@aos.test", roles="reviewer")
    today = service.today()

    def post(**fields: str):  # type: ignore[no-untyped-def]
        token = csrf_token(console, "/admin/prices?lang=en")
        return console.post("/admin/prices", data={**fields, "csrf_token": token})

    past = post(product="car-hour", net_price="15", valid_from=str(today - timedelta(days=1)))
    assert past.status_code == 400
    assert "cannot start in the past" in past.get_data(as_text=True)
    assert post(product="car-hour", net_price="-3", valid_from=str(today)).status_code == 400
    assert post(product="car-hour", net_price="1.234", valid_from=str(today)).status_code == 400
    assert post(product="bus-hour", net_price="15", valid_from=str(today)).status_code == 400

    assert post(product="car-hour", net_price="15,50", valid_from=str(today)).status_code == 302
    later = today + timedelta(days=30)
    assert post(product="car-hour", net_price="16.00", valid_from=str(later)).status_code == 302

    car_hour = re.search(
        r'id="price-car-hour">.*?</tr>', client.get("/prices?lang=en").get_data(as_text=True), re.S
    ).group(0)
    assert "€15.50" in car_hour and "example" not in car_hour

    page = console.get("/admin/prices?lang=en").get_data(as_text=True)
    history = re.search(r'id="history-car-hour">.*?</section>', page, re.S).group(0)
    assert "€12.00" in history and "€15.50" in history and "€16.00" in history
    assert "scheduled" in history and "in force" in history
    with app.extensions["aos_sessions"]() as session:
        entries = session.scalars(select(PriceEntry).order_by(PriceEntry.id)).all()
        assert [(e.product, e.net_cents, e.created_by) for e in entries] == [
            ("car-hour", 1550, "reviewer@aos.test"),
            ("car-hour", 1600, "reviewer@aos.test"),
        ]
        actions = session.scalars(select(AuditEntry.action)).all()
        assert actions.count("price_set") == 2


def test_only_reviewers_change_prices(app):
    support = console_client(app, "support@aos.test", roles="support")
    assert support.get("/admin/prices").status_code == 403
    make_applicant(app, WORKSHOP)
    applicant = applicant_client(app, WORKSHOP)
    assert applicant.get("/admin/prices").status_code == 302
    token = csrf_token(applicant, "/portal/account")
    data = {"product": "car-hour", "net_price": "1", "valid_from": "2099-01-01"}
    assert applicant.post("/admin/prices", data={**data, "csrf_token": token}).status_code == 403
    with app.extensions["aos_sessions"]() as session:
        assert session.scalars(select(PriceEntry)).all() == []
