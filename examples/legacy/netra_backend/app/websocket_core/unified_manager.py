"""Unified WebSocket manager: the real implementation behind the SSOT alias.

Two manager classes grew in this file: the process-wide unified manager and a
per-user ``WebSocketManager`` added during the isolation work.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from netra_backend.app.websocket_core.ssot_validation_enhancer import validate_manager
from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.connection_manager import ConnectionRegistry
from netra_backend.app.websocket_core.types import UserExecutionContext, WebSocketMessage


class UnifiedWebSocketManager:
    """Process-wide manager: one instance is shared by every user."""

    _instance: Optional["UnifiedWebSocketManager"] = None

    def __new__(cls, *args: Any, **kwargs: Any) -> "UnifiedWebSocketManager":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __init__(self, user_context: Optional[UserExecutionContext] = None) -> None:
        self.user_context = user_context
        self.registry = ConnectionRegistry()

    async def connect(self, info: ConnectionInfo) -> None:
        validate_manager(self)
        self.registry.add(info)

    async def send_to_user(self, user_id: str, message: WebSocketMessage) -> int:
        return len(self.registry.for_user(user_id))

    async def disconnect(self, connection_id: str) -> None:
        self.registry.remove(connection_id)


class WebSocketManager:
    """Per-user manager (second implementation, never merged with the first)."""

    def __init__(self, user_context: UserExecutionContext) -> None:
        self.user_context = user_context
        self._connections: Dict[str, ConnectionInfo] = {}

    async def connect(self, info: ConnectionInfo) -> None:
        self._connections[info.connection_id] = info

    async def send(self, message: WebSocketMessage) -> int:
        return sum(1 for info in self._connections.values() if info.is_open)
