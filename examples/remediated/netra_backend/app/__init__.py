"""Application layer of the Netra backend."""
