"""Connection metrics for dashboards."""

from __future__ import annotations

from typing import Dict

from netra_backend.app.websocket_core import websocket_manager_factory


def connection_counts(user_ids: list) -> Dict[str, int]:
    manager = websocket_manager_factory.get_websocket_manager()
    return {user_id: len(manager.registry.for_user(user_id)) for user_id in user_ids}
