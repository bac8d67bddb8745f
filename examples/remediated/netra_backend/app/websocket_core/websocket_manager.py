"""The single source of truth for WebSocket managers.

    from netra_backend.app.websocket_core.websocket_manager import WebSocketManager

    manager = WebSocketManager(user_context=ctx)

One manager per user; no factories, no shared instance. The helpers that
used to live in the deleted factory module are defined here.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any, Dict

from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.connection_manager import ConnectionRegistry
from netra_backend.app.websocket_core.types import UserExecutionContext, WebSocketMessage, WebSocketState


class WebSocketManagerMode(enum.Enum):
    ISOLATED = "isolated"
    TEST = "test"


@dataclass
class WebSocketConnection:
    connection_id: str
    user_id: str
    state: WebSocketState = WebSocketState.CONNECTING


def _serialize_message_safely(message: Dict[str, Any]) -> str:
    return json.dumps(message, default=str)


class WebSocketManager:
    """Delivers real-time events to the connections of exactly one user."""

    def __init__(
        self, user_context: UserExecutionContext, *, mode: WebSocketManagerMode = WebSocketManagerMode.ISOLATED
    ) -> None:
        self.user_context = user_context
        self.mode = mode
        self.registry = ConnectionRegistry()

    async def connect(self, info: ConnectionInfo) -> None:
        if info.user_id != self.user_context.user_id:
            raise PermissionError("connection belongs to another user")
        self.registry.add(info)

    async def disconnect(self, connection_id: str) -> None:
        self.registry.remove(connection_id)

    async def send_to_user(self, user_id: str, message: WebSocketMessage) -> int:
        if user_id != self.user_context.user_id:
            return 0
        _serialize_message_safely({"type": message.type.value, "payload": message.payload})
        return sum(1 for info in self.registry.for_user(user_id) if info.is_open)
