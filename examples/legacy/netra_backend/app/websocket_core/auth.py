"""Canonical home of WebSocket authentication."""

from __future__ import annotations

import hmac
from typing import Mapping, Optional

from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.types import UserExecutionContext


class AuthenticationError(Exception):
    """Raised when a handshake carries no valid token."""


class WebSocketAuthenticator:
    """Validates the handshake token and builds the user's execution context."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    async def authenticate(
        self, headers: Mapping[str, str], connection: ConnectionInfo
    ) -> UserExecutionContext:
        token = self._extract_token(headers)
        if token is None or not self._verify(token):
            raise AuthenticationError("missing or invalid token")
        return UserExecutionContext(
            user_id=connection.user_id,
            thread_id=connection.thread_id or "default",
            run_id=connection.connection_id,
        )

    @staticmethod
    def _extract_token(headers: Mapping[str, str]) -> Optional[str]:
        value = headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else None

    def _verify(self, token: str) -> bool:
        expected = hmac.new(self._secret, b"ws", "sha256").hexdigest()
        return hmac.compare_digest(token, expected)
