"""Compatibility shim: ConnectionInfo moved to websocket_core.connection_info."""

from netra_backend.app.websocket_core.connection_info import ConnectionInfo

__all__ = ["ConnectionInfo"]
