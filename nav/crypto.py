"""The protocol's hashes and the exchange token's cipher (NAV Online Számla API 3.0, ch. 1.5).

- passwordHash: SHA-512 of the technical user's password, upper-case hex.
- requestSignature: SHA3-512 of requestId + timestamp (yyyyMMddHHmmss, UTC) + signature key,
  for manageInvoice followed by each operation's SHA3-512 of operation + base64 invoice data;
  upper-case hex.
- exchange token: NAV sends it AES-128-ECB encrypted (PKCS#7) with the exchange key, base64.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def password_hash(password: str) -> str:
    return hashlib.sha512(password.encode()).hexdigest().upper()


def sha3_512(text: str) -> str:
    return hashlib.sha3_512(text.encode()).hexdigest().upper()


def signature_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def operation_hash(operation: str, invoice_data_b64: str) -> str:
    return sha3_512(operation + invoice_data_b64)


def request_signature(
    request_id: str,
    moment: datetime,
    signature_key: str,
    operations: Iterable[tuple[str, str]] = (),
) -> str:
    """`operations`: (CREATE/MODIFY/STORNO, base64 invoice data) of a manageInvoice, in
    index order; none for the other operations."""
    hashes = [operation_hash(op, data) for op, data in operations]
    return signature_from_hashes(request_id, moment, signature_key, hashes)


def signature_from_hashes(
    request_id: str, moment: datetime, signature_key: str, hashes: Iterable[str]
) -> str:
    return sha3_512(request_id + signature_timestamp(moment) + signature_key + "".join(hashes))


def _cipher(exchange_key: str) -> Cipher:
    key = exchange_key.encode()
    if len(key) != 16:
        raise ValueError("The NAV exchange key is 16 characters (AES-128).")
    return Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305 - NAV's protocol


def decrypt_token(encoded: str, exchange_key: str) -> str:
    decryptor = _cipher(exchange_key).decryptor()
    padded = decryptor.update(base64.b64decode(encoded)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(padded) + unpadder.finalize()).decode()


def encrypt_token(token: str, exchange_key: str) -> str:
    """What NAV does (the stand-in uses it)."""
    padder = padding.PKCS7(128).padder()
    padded = padder.update(token.encode()) + padder.finalize()
    encryptor = _cipher(exchange_key).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()
