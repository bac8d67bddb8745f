"""User notifications over the WebSocket."""

from __future__ import annotations

from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


class NotificationService:
    """Sends notifications to users."""

    async def broadcast_maintenance(self, text: str) -> None:
        manager = WebSocketManager()
        await manager.send_to_user("*", WebSocketMessage(type=MessageType.ERROR, payload={"text": text}))

    async def notify(self, ctx: UserExecutionContext, text: str) -> int:
        manager = WebSocketManager(user_context=ctx)
        message = WebSocketMessage(type=MessageType.AGENT_COMPLETED, payload={"text": text})
        return await manager.send_to_user(ctx.user_id, message)
