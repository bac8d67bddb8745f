"""Real-time layer of the Netra backend (legacy state: re-exports everything)."""

from .websocket_manager_factory import (
    WebSocketManagerFactory,
    create_websocket_manager,
    get_websocket_manager,
)
from .unified_manager import UnifiedWebSocketManager
from .websocket_manager import WebSocketManager

__all__ = [
    "WebSocketManager",
    "UnifiedWebSocketManager",
    "WebSocketManagerFactory",
    "create_websocket_manager",
    "get_websocket_manager",
]
