"""Chat replies (true negative: canonical import, one manager per user)."""

from __future__ import annotations

from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


class ChatService:
    """Sends the agent's final answer to the user who asked."""

    async def reply(self, ctx: UserExecutionContext, text: str) -> int:
        manager = WebSocketManager(user_context=ctx)
        message = WebSocketMessage(type=MessageType.AGENT_COMPLETED, payload={"text": text})
        return await manager.send_to_user(ctx.user_id, message)
