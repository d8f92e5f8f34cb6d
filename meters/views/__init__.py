"""Homeowner pages of the meters app, one module per subject."""
