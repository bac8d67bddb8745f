"""Health probe for the real-time layer."""

from __future__ import annotations

from typing import Dict

from netra_backend.app.websocket_core.types import UserExecutionContext
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


async def websocket_health(ctx: UserExecutionContext) -> Dict[str, str]:
    manager = WebSocketManager(user_context=ctx)
    status = "ok" if manager.user_context is not None else "degraded"
    return {"websocket": status, "manager": type(manager).__name__}
