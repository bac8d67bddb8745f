"""Runs agents and streams their events to the user."""

from __future__ import annotations

from typing import Any, Dict

from netra_backend.app.websocket_core import get_websocket_manager
from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage


class AgentService:
    """Starts agent runs on behalf of a user."""

    async def start_run(self, ctx: UserExecutionContext, prompt: str) -> Dict[str, Any]:
        manager = get_websocket_manager()
        event = WebSocketMessage(type=MessageType.AGENT_STARTED, payload={"prompt": prompt})
        delivered = await manager.send_to_user(ctx.user_id, event)
        return {"run_id": ctx.run_id, "delivered": delivered}
