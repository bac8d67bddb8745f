"""Integration: agent execution core emits its events through the manager."""

from __future__ import annotations

import asyncio

from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage, WebSocketState
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


def test_execution_core_reports_tool_events():
    ctx = UserExecutionContext(user_id="u-int", thread_id="t-int", run_id="r-int")
    manager = WebSocketManager(user_context=ctx)

    async def scenario() -> int:
        await manager.connect(ConnectionInfo(connection_id="c-int", user_id="u-int", state=WebSocketState.OPEN))
        return await manager.send_to_user("u-int", WebSocketMessage(type=MessageType.TOOL_COMPLETED))

    assert asyncio.run(scenario()) == 1
