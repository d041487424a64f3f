"""NAV Online Számla v3 (the Hungarian tax authority's real-time invoice reporting).

A leaf like `vies/`: it imports nothing of ours. The invoice data builder (`invoice_xml`),
the protocol's hashes and token cipher (`crypto`), a client (`client`), the official schemas
(`xsd/`, loaded by `schemas`) and a local stand-in that answers as NAV does (`standin`).
"""
