"""Stripe's request encoding, read back: ``application/x-www-form-urlencoded`` with nested
keys in brackets (``line_items[0][price_data][currency]=huf``, ``metadata[order]=7``), the
way stripe-python's ``_api_encode`` writes them; and Stripe's error answers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


class StripeFault(Exception):
    """An answer in Stripe's error shape: ``{"error": {"type", "code", "message", "param"}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = (
            status,
            message,
            type,
            code,
            param,
        )

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}


def missing(param: str) -> StripeFault:
    return StripeFault(
        400, f"Missing required param: {param}.", code="parameter_missing", param=param
    )


def invalid(param: str, message: str) -> StripeFault:
    return StripeFault(400, message, code="parameter_invalid_string", param=param)


def no_such(kind: str, ident: str, param: str = "id") -> StripeFault:
    return StripeFault(404, f"No such {kind}: '{ident}'", code="resource_missing", param=param)


def _keys(name: str) -> list[str]:
    head, _, rest = name.partition("[")
    return [head, *_SEGMENT.findall("[" + rest)] if rest else [head]


def _listify(value: Any) -> Any:
    # {"0": a, "1": b} -> [a, b]: stripe-python writes lists with their indexes.
    if isinstance(value, dict):
        value = {k: _listify(v) for k, v in value.items()}
        if value and all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
    return value


def decode(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Form pairs -> nested dicts and lists; a key seen twice keeps the last value."""
    root: dict[str, Any] = {}
    for name, value in pairs:
        keys = _keys(name)
        node = root
        for key in keys[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            node = child
        node[keys[-1] or str(len(node))] = value
    return _listify(root)


def integer(
    params: dict[str, Any], name: str, *, minimum: int = 0, label: str | None = None
) -> int | None:
    """An optional whole-number parameter, as Stripe checks it (``label``: its full name)."""
    raw = params.get(name)
    name = label or name
    if raw is None or raw == "":
        return None
    try:
        value = int(str(raw))
    except ValueError:
        raise StripeFault(
            400, f"Invalid integer: {raw}", code="parameter_invalid_integer", param=name
        ) from None
    if value < minimum:
        raise StripeFault(
            400,
            f"This value must be greater than or equal to {minimum}.",
            code="parameter_invalid_integer",
            param=name,
        )
    return value


def metadata(params: dict[str, Any], name: str = "metadata") -> dict[str, str]:
    """Stripe's metadata limits: 50 keys, keys up to 40 and values up to 500 characters."""
    raw = params.get(name) or {}
    if not isinstance(raw, dict):
        raise invalid(name, "Invalid object")
    if len(raw) > 50:
        raise invalid(name, "You can specify up to 50 metadata keys.")
    for key, value in raw.items():
        if len(key) > 40 or len(str(value)) > 500:
            raise invalid(
                f"{name}[{key}]",
                "Metadata keys can be up to 40 characters and values up to 500 characters.",
            )
    return {str(k): str(v) for k, v in raw.items()}


def line_items(params: dict[str, Any]) -> tuple[list[dict[str, Any]], str, int]:
    """A payment session's ``line_items`` with ``price_data``: (items, currency, total)."""
    items = params.get("line_items")
    if not isinstance(items, list) or not items:
        raise missing("line_items")
    currency, total = "", 0
    for index, item in enumerate(items):
        at = f"line_items[{index}]"
        price = item.get("price_data") if isinstance(item, dict) else None
        if not isinstance(price, dict):
            if isinstance(item, dict) and item.get("price"):
                raise no_such("price", str(item["price"]), f"{at}[price]")
            raise missing(f"{at}[price_data]")
        product = price.get("product_data")
        if not isinstance(product, dict) or not product.get("name"):
            raise missing(f"{at}[price_data][product_data][name]")
        unit = integer(price, "unit_amount", label=f"{at}[price_data][unit_amount]")
        if unit is None:
            raise missing(f"{at}[price_data][unit_amount]")
        quantity = integer(item, "quantity", minimum=1, label=f"{at}[quantity]")
        if quantity is None:
            raise missing(f"{at}[quantity]")
        item_currency = str(price.get("currency") or "").lower()
        if not item_currency:
            raise missing(f"{at}[price_data][currency]")
        if currency and currency != item_currency:
            raise invalid(f"{at}[price_data][currency]", "All line items must share a currency.")
        currency, total = item_currency, total + unit * quantity
    return items, currency, total
