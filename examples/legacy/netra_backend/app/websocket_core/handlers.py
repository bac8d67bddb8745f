"""Message handlers (top layer). Uses the canonical import properly."""

from __future__ import annotations

from typing import Any, Dict

from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


class AgentMessageHandler:
    """Relays agent events to the user who started the run."""

    def __init__(self, ctx: UserExecutionContext) -> None:
        self.manager = WebSocketManager(user_context=ctx)

    async def on_connect(self, info: ConnectionInfo) -> None:
        await self.manager.connect(info)

    async def handle(self, raw: Dict[str, Any]) -> int:
        message = WebSocketMessage(type=MessageType(raw["type"]), payload=raw.get("payload", {}))
        return await self.manager.send_to_user(self.manager.user_context.user_id, message)
