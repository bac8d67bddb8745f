"""Canonical home of ConnectionInfo (the SSOT for per-connection data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Optional

from netra_backend.app.websocket_core.types import WebSocketState


@dataclass
class ConnectionInfo:
    """What the server knows about one open socket."""

    connection_id: str
    user_id: str
    thread_id: Optional[str] = None
    state: WebSocketState = WebSocketState.CONNECTING
    connected_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    metadata: Dict[str, Any] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.state is WebSocketState.OPEN

    def mark_closed(self) -> None:
        self.state = WebSocketState.CLOSED
