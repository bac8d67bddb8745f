"""Thread lifecycle: creating threads and announcing them over the socket."""

from __future__ import annotations

from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


class ThreadService:
    """Creates chat threads."""

    async def create_thread(self, ctx: UserExecutionContext, title: str) -> str:
        manager = WebSocketManager(user_context=ctx)
        await manager.send_to_user(
            ctx.user_id,
            WebSocketMessage(type=MessageType.AGENT_THINKING, payload={"thread": title}),
        )
        return ctx.thread_id
