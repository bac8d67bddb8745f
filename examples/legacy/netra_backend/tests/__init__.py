"""Tests of the Netra backend (never run by ssot-flake8: parsed only)."""
