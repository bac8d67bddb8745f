"""Compatibility shim: old import path for the WebSocket managers."""

from netra_backend.app.websocket_core.websocket_manager import WebSocketManager
from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager

__all__ = ["WebSocketManager", "UnifiedWebSocketManager"]
