"""Measurements of the whole system (`make bench`): figures, not tests; pytest does not
collect this package."""
