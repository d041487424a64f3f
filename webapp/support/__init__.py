"""Help ("Súgó"): support request questionnaires and the support console."""
