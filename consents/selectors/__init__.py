"""Reads of the consents app, one module per subject (mandates, restriction, …)."""
