"""Event dispatch with an injected manager provider (true negative: shadowing)."""

from __future__ import annotations

from typing import Any, Callable

from netra_backend.app.websocket_core.types import WebSocketMessage


async def dispatch(
    user_id: str, message: WebSocketMessage, get_websocket_manager: Callable[[], Any]
) -> int:
    """The parameter is a provider injected by the caller, not the singleton."""
    manager = get_websocket_manager()
    return await manager.send_to_user(user_id, message)
