"""Price list ("Árlista"): time-based access products, prices with a valid-from date."""
