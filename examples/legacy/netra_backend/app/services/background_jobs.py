"""Background jobs that report progress to the user."""

from __future__ import annotations

from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage


async def report_progress(ctx: UserExecutionContext, percent: int) -> int:
    # Imported here to dodge the import cycle in websocket_core.
    from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager

    manager = create_websocket_manager(ctx)
    message = WebSocketMessage(type=MessageType.TOOL_EXECUTING, payload={"percent": percent})
    return await manager.send_to_user(ctx.user_id, message)
