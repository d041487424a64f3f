"""A local stand-in for NAV Online Számla API v3.0, for development, demos and tests.

It validates every request against invoiceApi.xsd and each invoice's decoded data against
invoiceData.xsd, checks the technical user's password hash and the request signature, and
answers as NAV does: tokenExchange with an AES-encrypted token, manageInvoice with a
transaction id, queryTransactionStatus with RECEIVED, PROCESSING, SAVED and then DONE (with
any WARN messages) or ABORTED (schema or business ERROR messages with NAV's codes). Control
endpoints make it fail as a real service does:

    POST /_control/fault  {"mode": "503" | "500" | "timeout", "count": 3,
                           "operation": "queryTransactionStatus"}  (no count: until reset;
                           no operation: every one)
    POST /_control/polls  {"count": 2}   queries answered before the final status
    POST /_control/reset
    GET  /_control/calls  requests seen, and how many were refused by a fault

    python -m nav.standin --host 127.0.0.1 --port 8091
    NAV_API_URL=http://127.0.0.1:8091/invoiceService/v3
"""

from __future__ import annotations

import argparse
import base64
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Response, jsonify, request
from lxml import etree
from werkzeug.serving import WSGIRequestHandler, make_server

from nav import crypto
from nav.client import TechnicalUser
from nav.dev import DEV_USER, STANDIN_PORT
from nav.schemas import API_NS, COMMON_NS, api_errors, data_errors
from nav.standin_rules import (
    Finding,
    Refusal,
    business_findings,
    check_user,
    exception_response,
    messages,
    response,
    technical_message,
)

PREFIX = "/invoiceService/v3"
TOKEN_LIFETIME = timedelta(minutes=5)
_NS = {"api": API_NS, "common": COMMON_NS}


@dataclass
class _Transaction:
    operations: list[tuple[str, str, bytes]]  # (index, operation, invoice data)
    final: list[tuple[str, list[Finding]]] = field(default_factory=list)  # per operation
    polls: int = 0


@dataclass
class _State:
    users: dict[str, TechnicalUser]
    lock: threading.Lock = field(default_factory=threading.Lock)
    wake: threading.Event = field(default_factory=threading.Event)
    tokens: dict[str, datetime] = field(default_factory=dict)
    transactions: dict[str, _Transaction] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)
    fault_mode: str | None = None
    fault_count: int | None = None  # None: until reset
    fault_operation: str | None = None  # only this operation fails (None: all)
    polls_before_final: int = 2
    calls: int = 0
    refused: int = 0
    timeout_seconds: float = 5.0


def _xml(doc: etree._Element, status: int = 200) -> Response:
    body = etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
    return Response(body, status=status, mimetype="application/xml")


def _evaluate(state: _State, operation: str, data: bytes) -> tuple[str, list[Finding]]:
    """The final status of one invoice and NAV's messages about it."""
    errors = data_errors(data)
    if errors:
        return "ABORTED", [
            Finding("ERROR", "SCHEMA_VIOLATION", message=error, technical=True)
            for error in errors[:5]
        ]
    document = etree.fromstring(data)
    findings = business_findings(document, operation, state.reported)
    if any(f.result_code == "ERROR" for f in findings):
        return "ABORTED", findings
    state.reported.add(document.findtext(f"{{{document.nsmap[None]}}}invoiceNumber") or "")
    return "DONE", findings


def create_app(users: dict[str, TechnicalUser] | None = None) -> Flask:
    app = Flask(__name__)
    state = _State(users=users or {DEV_USER.login: DEV_USER})
    app.extensions["nav_standin"] = state

    def fault() -> Response | None:
        with state.lock:
            state.calls += 1
            mode = state.fault_mode
            if state.fault_operation and not request.path.endswith(state.fault_operation):
                mode = None
            if mode and state.fault_count is not None:
                state.fault_count -= 1
                if state.fault_count <= 0:
                    state.fault_mode, state.fault_count = None, None
                    state.fault_operation = None
            if mode:
                state.refused += 1
        if mode == "timeout":
            state.wake.wait(state.timeout_seconds)
            return Response("", status=504)
        if mode == "500":  # what NAV itself answers when it fails inside
            return _xml(exception_response(), 500)
        if mode == "503":
            return Response(b"Service Unavailable", status=503, mimetype="text/plain")
        return None

    def handle(root: str, answer: Callable[[etree._Element, etree._Element], etree._Element]):
        if (failed := fault()) is not None:
            return failed
        body = request.get_data()
        software = None
        request_id = "UNKNOWN"
        try:
            errors = api_errors(body)
            if errors:
                raise Refusal(400, "SCHEMA_VIOLATION", "Request schema violation", errors[:5])
            doc = etree.fromstring(body)
            request_id = doc.findtext("common:header/common:requestId", namespaces=_NS) or ""
            software = doc.find("api:software", _NS)
            if etree.QName(doc).localname != root.replace("Response", "Request"):
                raise Refusal(
                    400, "SCHEMA_VIOLATION", f"Expected {root.replace('Response', 'Request')}"
                )
            with state.lock:
                return _xml(answer(doc, response(root, request_id, software)))
        except Refusal as refusal:
            error = response(
                "GeneralErrorResponse", request_id, software, "ERROR", refusal.code, refusal.message
            )
            for message in refusal.details:
                technical_message(error, refusal.code, message)
            return _xml(error, refusal.status)

    @app.post(f"{PREFIX}/tokenExchange")
    def token_exchange() -> Any:
        def answer(doc: etree._Element, out: etree._Element) -> etree._Element:
            user = check_user(state.users, doc, [])
            token = f"{secrets.token_hex(16)}{secrets.token_hex(6).upper()}"
            now = datetime.now(UTC)
            state.tokens[token] = now + TOKEN_LIFETIME
            etree.SubElement(out, f"{{{API_NS}}}encodedExchangeToken").text = crypto.encrypt_token(
                token, user.exchange_key
            )
            for name, moment in (
                ("tokenValidityFrom", now),
                ("tokenValidityTo", now + TOKEN_LIFETIME),
            ):
                etree.SubElement(out, f"{{{API_NS}}}{name}").text = moment.strftime(
                    "%Y-%m-%dT%H:%M:%S.000Z"
                )
            return out

        return handle("TokenExchangeResponse", answer)

    @app.post(f"{PREFIX}/manageInvoice")
    def manage_invoice() -> Any:
        def answer(doc: etree._Element, out: etree._Element) -> etree._Element:
            items = [
                (
                    item.findtext("api:index", namespaces=_NS),
                    item.findtext("api:invoiceOperation", namespaces=_NS),
                    item.findtext("api:invoiceData", namespaces=_NS),
                )
                for item in doc.iterfind("api:invoiceOperations/api:invoiceOperation", _NS)
            ]
            check_user(state.users, doc, [(op, data) for _, op, data in items])
            token = doc.findtext("api:exchangeToken", namespaces=_NS) or ""
            valid_until = state.tokens.pop(token, None)  # single use
            if valid_until is None or valid_until < datetime.now(UTC):
                raise Refusal(400, "INVALID_EXCHANGE_TOKEN", "Invalid exchange token!")
            transaction_id = secrets.token_hex(8).upper()
            state.transactions[transaction_id] = _Transaction(
                [(index, op, base64.b64decode(data)) for index, op, data in items]
            )
            etree.SubElement(out, f"{{{API_NS}}}transactionId").text = transaction_id
            return out

        return handle("ManageInvoiceResponse", answer)

    @app.post(f"{PREFIX}/queryTransactionStatus")
    def query_transaction_status() -> Any:
        def answer(doc: etree._Element, out: etree._Element) -> etree._Element:
            check_user(state.users, doc, [])
            transaction = state.transactions.get(doc.findtext("api:transactionId", namespaces=_NS))
            if transaction is None:
                return out  # NAV: OK without processingResults
            transaction.polls += 1
            if transaction.polls > state.polls_before_final and not transaction.final:
                transaction.final = [
                    _evaluate(state, op, data) for _, op, data in transaction.operations
                ]
            results = etree.SubElement(out, f"{{{API_NS}}}processingResults")
            for i, (index, _op, _data) in enumerate(transaction.operations):
                result = etree.SubElement(results, f"{{{API_NS}}}processingResult")
                etree.SubElement(result, f"{{{API_NS}}}index").text = index
                if transaction.final:
                    status, findings = transaction.final[i]
                else:
                    status = ("RECEIVED", "PROCESSING", "SAVED")[min(transaction.polls - 1, 2)]
                    findings = []
                etree.SubElement(result, f"{{{API_NS}}}invoiceStatus").text = status
                messages(result, findings)
                etree.SubElement(result, f"{{{API_NS}}}compressedContentIndicator").text = "false"
            etree.SubElement(results, f"{{{API_NS}}}originalRequestVersion").text = "3.0"
            return out

        return handle("QueryTransactionStatusResponse", answer)

    @app.post("/_control/fault")
    def control_fault() -> Any:
        body = request.get_json(silent=True) or {}
        mode = str(body.get("mode", "503"))
        if mode not in {"500", "503", "timeout"}:
            return jsonify(error="mode is 500, 503 or timeout"), 400
        with state.lock:
            state.fault_mode = mode
            state.fault_count = int(body["count"]) if body.get("count") is not None else None
            state.fault_operation = body.get("operation") or None
            state.timeout_seconds = float(body.get("seconds", state.timeout_seconds))
            state.wake.clear()
        return jsonify(ok=True)

    @app.post("/_control/polls")
    def control_polls() -> Any:
        with state.lock:
            state.polls_before_final = int((request.get_json(silent=True) or {}).get("count", 2))
        return jsonify(ok=True)

    @app.post("/_control/reset")
    def control_reset() -> Any:
        with state.lock:
            state.fault_mode, state.fault_count, state.polls_before_final = None, None, 2
            state.fault_operation = None
            state.tokens.clear()
            state.transactions.clear()
            state.reported.clear()
            state.calls = state.refused = 0
            state.wake.set()
        return jsonify(ok=True)

    @app.get("/_control/calls")
    def control_calls() -> Any:
        with state.lock:
            return jsonify(calls=state.calls, refused=state.refused)

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def serve_in_thread(port: int = 0, users: dict[str, TechnicalUser] | None = None):
    """Start on 127.0.0.1 (0: any free port): (the API base URL, the app, stop())."""
    app = create_app(users)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="nav-standin", daemon=True)
    thread.start()

    def stop() -> None:
        app.extensions["nav_standin"].wake.set()
        server.shutdown()
        thread.join(timeout=5)

    return f"http://127.0.0.1:{server.server_port}{PREFIX}", app, stop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local stand-in for NAV Online Számla API v3.0")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=STANDIN_PORT)
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port, create_app(), threaded=True)
    print(f"NAV stand-in on http://{args.host}:{args.port}{PREFIX} (login {DEV_USER.login})")
    server.serve_forever()


if __name__ == "__main__":
    main()
