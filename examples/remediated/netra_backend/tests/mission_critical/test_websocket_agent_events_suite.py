"""Mission critical: every agent run emits the five events the UI relies on."""

from __future__ import annotations

import asyncio

from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage, WebSocketState
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager

REQUIRED_EVENTS = [
    MessageType.AGENT_STARTED,
    MessageType.AGENT_THINKING,
    MessageType.TOOL_EXECUTING,
    MessageType.TOOL_COMPLETED,
    MessageType.AGENT_COMPLETED,
]


def test_all_required_events_are_delivered():
    ctx = UserExecutionContext(user_id="u1", thread_id="t1", run_id="r1")
    manager = WebSocketManager(user_context=ctx)

    async def scenario() -> int:
        await manager.connect(ConnectionInfo(connection_id="c1", user_id="u1", state=WebSocketState.OPEN))
        delivered = 0
        for event_type in REQUIRED_EVENTS:
            delivered += await manager.send_to_user("u1", WebSocketMessage(type=event_type))
        return delivered

    assert asyncio.run(scenario()) == len(REQUIRED_EVENTS)
