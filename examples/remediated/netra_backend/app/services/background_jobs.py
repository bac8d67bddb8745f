"""Background jobs that report progress to the user."""

from __future__ import annotations

from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage


async def report_progress(ctx: UserExecutionContext, percent: int) -> int:
    # Imported lazily: background workers start before the web layer.
    from netra_backend.app.websocket_core.websocket_manager import WebSocketManager

    manager = WebSocketManager(user_context=ctx)
    message = WebSocketMessage(type=MessageType.TOOL_EXECUTING, payload={"percent": percent})
    return await manager.send_to_user(ctx.user_id, message)
