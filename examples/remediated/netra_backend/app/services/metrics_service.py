"""Connection metrics for dashboards (the caller passes in each user's manager)."""

from __future__ import annotations

from typing import Dict, Iterable

from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


def connection_counts(managers: Iterable[WebSocketManager]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for manager in managers:
        user_id = manager.user_context.user_id
        counts[user_id] = len(manager.registry.for_user(user_id))
    return counts
