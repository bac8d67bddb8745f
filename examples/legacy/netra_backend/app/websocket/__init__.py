"""Legacy ``netra_backend.app.websocket`` package, kept as a compatibility layer."""

from netra_backend.app.websocket_core import *  # noqa: F401,F403
from netra_backend.app.websocket.connection_info import ConnectionInfo
from netra_backend.app.websocket.connection_manager import ConnectionManager

__all__ = [
    "ConnectionInfo",
    "ConnectionManager",
    "UnifiedWebSocketManager",
    "WebSocketManager",
    "get_websocket_manager",
]
