"""A local stand-in for MNB's exchange-rate web service, for development, demos and tests.

It serves a WSDL at `/arfolyamok.asmx?wsdl` shaped like MNB's (the binding and service in
`http://tempuri.org/`, the contract imported from `?wsdl=wsdl0` in MNB's namespace)
and answers `GetExchangeRates` as MNB does: one `Day` per publication day in the range,
none for Saturdays, Sundays and Hungarian public holidays with a fixed date, a decimal comma,
`unit="100"` for JPY. Rates are made up but repeatable (a function of the day) unless set:

    POST /_control/rates   {"EUR": {"2026-12-04": "390,12"}}   set published rates
    POST /_control/outage  {"count": 2, "style": "fault"}      fail the next calls
                           ("fault": a SOAP fault, HTTP 500; "http": HTTP 503, no SOAP)
    POST /_control/reset
    GET  /_control/calls   how many GetExchangeRates calls were answered or refused

    python -m invoicing.mnb_standin --host 127.0.0.1 --port 8092
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from flask import Flask, Response, jsonify, request
from lxml import etree
from werkzeug.serving import WSGIRequestHandler, make_server

from invoicing.mnb import NAMESPACE

PATH = "/arfolyamok.asmx"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
# Public holidays on fixed dates (Munka törvénykönyve 102. §); Easter and Whit Monday and
# bridging days are left out: a stand-in only needs some holidays to exercise the rule.
FIXED_HOLIDAYS = {(1, 1), (3, 15), (5, 1), (8, 20), (10, 23), (11, 1), (12, 25), (12, 26)}
UNITS = {"JPY": 100}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    rates: dict[tuple[str, date], str] = field(default_factory=dict)
    outages: int = 0
    outage_style: str = "fault"
    calls: int = 0


def publishes(day: date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def made_up_rate(currency: str, day: date) -> str:
    """A plausible, repeatable rate: EUR around 390-400 HUF, others around 300."""
    base = Decimal(390) if currency == "EUR" else Decimal(300)
    return f"{base + Decimal(day.toordinal() % 1000) / 100:.2f}".replace(".", ",")


def rates_document(state: _State, start: date, end: date, currencies: list[str]) -> str:
    days = []
    current = start
    while current <= end and len(days) < 400:
        if publishes(current):
            rates = "".join(
                f'<Rate unit="{UNITS.get(c, 1)}" curr="{c}">'
                f"{state.rates.get((c, current)) or made_up_rate(c, current)}</Rate>"
                for c in currencies
            )
            days.append(f'<Day date="{current.isoformat()}">{rates}</Day>')
        current += timedelta(days=1)
    return f"<MNBExchangeRates>{''.join(days)}</MNBExchangeRates>"


def _envelope(body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{SOAP_ENV}">'
        f"<s:Body>{body}</s:Body></s:Envelope>"
    )


def _fault(code: str, message: str) -> Response:
    body = (
        f"<s:Fault><faultcode>s:{code}</faultcode>"
        f"<faultstring>{escape(message)}</faultstring></s:Fault>"
    )
    return Response(_envelope(body), status=500, content_type="text/xml; charset=utf-8")


def wsdl(address: str, part: str = "") -> str:
    """The stand-in's WSDL pointing at `address`: the main document, or (`part` "wsdl0") the
    contract it imports (invoicing/templates/mnb_standin*.wsdl)."""
    name = "mnb_standin_contract.wsdl" if part == "wsdl0" else "mnb_standin.wsdl"
    text = (Path(__file__).parent / "templates" / name).read_text("utf-8")
    return text.replace("@NS@", NAMESPACE).replace("@ADDRESS@", escape(address))


def _answer(state: _State) -> Response:
    try:
        root = etree.fromstring(request.get_data(), _PARSER)
    except etree.XMLSyntaxError:
        return _fault("Client", "The request is not XML.")
    call = root.find(f"{{{SOAP_ENV}}}Body/{{{NAMESPACE}}}GetExchangeRates")
    if call is None:
        return _fault("Client", "Only GetExchangeRates is answered here.")

    def text(name: str) -> str:
        return (call.findtext(f"{{{NAMESPACE}}}{name}") or "").strip()

    try:
        start, end = date.fromisoformat(text("startDate")), date.fromisoformat(text("endDate"))
    except ValueError:
        return _fault("Client", "startDate and endDate must be dates (YYYY-MM-DD).")
    currencies = [c.strip().upper() for c in text("currencyNames").split(",") if c.strip()]
    with state.lock:
        document = rates_document(state, start, end, currencies)
    body = (
        f'<GetExchangeRatesResponse xmlns="{NAMESPACE}"><GetExchangeRatesResult>'
        f"{escape(document)}</GetExchangeRatesResult></GetExchangeRatesResponse>"
    )
    return Response(_envelope(body), content_type="text/xml; charset=utf-8")


def create_app() -> Flask:
    app = Flask(__name__)
    state = _State()
    app.extensions["mnb_standin"] = state

    @app.get(PATH)
    def service_description() -> Response:
        document = wsdl(request.base_url, request.args.get("wsdl", ""))
        return Response(document, content_type="text/xml; charset=utf-8")

    @app.post(PATH)
    def service() -> Response:
        with state.lock:
            state.calls += 1
            failing = state.outages > 0
            if failing:
                state.outages -= 1
        if failing and state.outage_style == "http":
            return Response("Service Unavailable", status=503, content_type="text/plain")
        if failing:
            return _fault("Server", "The service is temporarily unavailable.")
        return _answer(state)

    @app.post("/_control/rates")
    def set_rates():  # type: ignore[no-untyped-def]
        with state.lock:
            for currency, days in (request.get_json(force=True) or {}).items():
                for day, rate in days.items():
                    state.rates[(currency.upper(), date.fromisoformat(day))] = str(rate)
        return jsonify(ok=True)

    @app.post("/_control/outage")
    def outage():  # type: ignore[no-untyped-def]
        body = request.get_json(force=True) or {}
        with state.lock:
            state.outages = int(body.get("count", 1))
            state.outage_style = "http" if body.get("style") == "http" else "fault"
        return jsonify(ok=True)

    @app.post("/_control/reset")
    def reset():  # type: ignore[no-untyped-def]
        with state.lock:
            state.rates.clear()
            state.outages, state.calls = 0, 0
        return jsonify(ok=True)

    @app.get("/_control/calls")
    def calls():  # type: ignore[no-untyped-def]
        return jsonify(calls=state.calls)

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def serve_in_thread(port: int = 0) -> tuple[str, Callable[[], None]]:
    """Serve the stand-in on 127.0.0.1 in a daemon thread; port 0 picks a free port.
    Returns (MNB_RATES_URL, stop)."""
    server = make_server(
        "127.0.0.1", port, create_app(), threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="mnb-standin", daemon=True
    )
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{server.server_port}{PATH}", stop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local stand-in for MNB's exchange rates")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8092)
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port, create_app(), threaded=True)
    print(f"MNB stand-in on http://{args.host}:{args.port}{PATH}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
