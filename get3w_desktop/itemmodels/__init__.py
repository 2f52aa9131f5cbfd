"""itemmodels layer."""
