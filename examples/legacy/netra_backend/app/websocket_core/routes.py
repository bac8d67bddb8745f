"""WebSocket endpoint (top layer). Still uses the singleton accessor."""

from __future__ import annotations

from typing import Mapping

from netra_backend.app.websocket_core import get_websocket_manager
from netra_backend.app.websocket_core.auth import WebSocketAuthenticator
from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.handlers import AgentMessageHandler


async def websocket_endpoint(
    headers: Mapping[str, str], info: ConnectionInfo, authenticator: WebSocketAuthenticator
) -> AgentMessageHandler:
    ctx = await authenticator.authenticate(headers, info)
    manager = get_websocket_manager()
    await manager.connect(info)
    return AgentMessageHandler(ctx)
