"""Netra backend (example tree for ssot-flake8: the legacy, drifted state)."""
