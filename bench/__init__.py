"""Measurements, not tests: `make bench`, `make chaos` (not collected by pytest)."""
