"""ssot-flake8: keep a Python code base on a single source of truth."""

__version__ = "0.1.0"
