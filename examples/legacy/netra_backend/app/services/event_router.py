"""Routes agent events to the manager of the run (annotation-only import)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict

from netra_backend.app.websocket_core.types import WebSocketMessage

if TYPE_CHECKING:
    from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager


class EventRouter:
    """Keeps one manager per run and forwards events to it."""

    def __init__(self) -> None:
        self._managers: Dict[str, "UnifiedWebSocketManager"] = {}

    def register(self, run_id: str, manager: "UnifiedWebSocketManager") -> None:
        self._managers[run_id] = manager

    async def route(self, run_id: str, user_id: str, message: WebSocketMessage) -> int:
        return await self._managers[run_id].send_to_user(user_id, message)
