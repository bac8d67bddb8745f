"""Integration: agent execution core emits its events through the manager."""

from __future__ import annotations

import asyncio

from netra_backend.app.websocket_core.canonical_imports import WebSocketManagerFactory
from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage


def test_execution_core_reports_tool_events():
    ctx = UserExecutionContext(user_id="u-int", thread_id="t-int", run_id="r-int")
    manager = WebSocketManagerFactory.create_manager(user_context=ctx)

    async def scenario() -> int:
        await manager._delegate.connect(ConnectionInfo(connection_id="c-int", user_id="u-int"))
        return await manager.send_to_user("u-int", WebSocketMessage(type=MessageType.TOOL_COMPLETED))

    assert asyncio.run(scenario()) >= 0
