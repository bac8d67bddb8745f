"""Compatibility shim for the pre-websocket_core connection manager."""

from netra_backend.app.websocket_core.websocket_manager import WebSocketManager

ConnectionManager = WebSocketManager

__all__ = ["ConnectionManager", "WebSocketManager"]
