"""User notifications over the WebSocket."""

from __future__ import annotations

from typing import Iterable

from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


class NotificationService:
    """Sends notifications to users."""

    async def broadcast_maintenance(self, contexts: Iterable[UserExecutionContext], text: str) -> int:
        delivered = 0
        for ctx in contexts:
            delivered += await self.notify(ctx, text)
        return delivered

    async def notify(self, ctx: UserExecutionContext, text: str) -> int:
        manager = WebSocketManager(user_context=ctx)
        message = WebSocketMessage(type=MessageType.AGENT_COMPLETED, payload={"text": text})
        return await manager.send_to_user(ctx.user_id, message)
