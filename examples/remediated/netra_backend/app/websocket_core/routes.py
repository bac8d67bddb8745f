"""WebSocket endpoint (top layer): authenticate, then one manager for this user."""

from __future__ import annotations

from typing import Mapping

from netra_backend.app.websocket_core.auth import WebSocketAuthenticator
from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.handlers import AgentMessageHandler


async def websocket_endpoint(
    headers: Mapping[str, str], info: ConnectionInfo, authenticator: WebSocketAuthenticator
) -> AgentMessageHandler:
    ctx = await authenticator.authenticate(headers, info)
    handler = AgentMessageHandler(ctx)
    await handler.on_connect(info)
    return handler
