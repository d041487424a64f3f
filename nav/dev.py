"""The stand-in's technical user and address: what development uses when NAV_* are unset.
NAV issues real technical users on onlineszamla.nav.gov.hu; these open only the stand-in."""

from __future__ import annotations

from nav.client import Software, TechnicalUser

STANDIN_PORT = 8091
STANDIN_URL = f"http://127.0.0.1:{STANDIN_PORT}/invoiceService/v3"
DEV_USER = TechnicalUser(
    login="aosportaldev01",
    password="aos-dev-password",
    signature_key="aos-dev-signature-key-0123456789",
    exchange_key="aosdevexchange16",
    tax_number="12345676",
)
DEV_SOFTWARE = Software(software_id="HU12345676-AOS-001")
