"""Health probe for the real-time layer (import fallback for old deployments)."""

from __future__ import annotations

from typing import Dict

try:
    from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager
except ImportError:
    from netra_backend.app.websocket_core.websocket_manager import WebSocketManager as UnifiedWebSocketManager

from netra_backend.app.websocket_core.types import UserExecutionContext


async def websocket_health(ctx: UserExecutionContext) -> Dict[str, str]:
    manager = UnifiedWebSocketManager(user_context=ctx)
    status = "ok" if manager.user_context is not None else "degraded"
    return {"websocket": status, "manager": type(manager).__name__}
