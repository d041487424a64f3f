"""Payments: the portal's client of the Stripe API (provider.py) and a local stand-in of that
API with a hosted payment page and signed webhooks (standin.py), for development and tests.

A leaf layer like ``vies``: it imports nothing else of ours."""
