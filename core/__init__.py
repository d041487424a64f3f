"""The domain both the web app and the worker stand on: settings, engine and sessions, the
models, the outbox, tokens, passwords, email rendering and the mail app. Imports nothing
of ours except the leaf modules workflows.contracts and vies (see ARCHITECTURE.md)."""
