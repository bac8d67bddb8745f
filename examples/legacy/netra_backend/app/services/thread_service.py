"""Thread lifecycle: creating threads and announcing them over the socket."""

from __future__ import annotations

import netra_backend.app.websocket_core.websocket_manager_factory as wmf
from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage


class ThreadService:
    """Creates chat threads."""

    async def create_thread(self, ctx: UserExecutionContext, title: str) -> str:
        manager = wmf.create_websocket_manager(ctx)
        await manager.send_to_user(
            ctx.user_id,
            WebSocketMessage(type=MessageType.AGENT_THINKING, payload={"thread": title}),
        )
        return ctx.thread_id
