"""Shared value types of the real-time layer (bottom layer: imports nothing of the package)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Optional


class WebSocketState(enum.Enum):
    """Lifecycle of one client connection."""

    CONNECTING = "connecting"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


class MessageType(str, enum.Enum):
    """Events the agent pipeline sends to the browser."""

    AGENT_STARTED = "agent_started"
    AGENT_THINKING = "agent_thinking"
    TOOL_EXECUTING = "tool_executing"
    TOOL_COMPLETED = "tool_completed"
    AGENT_COMPLETED = "agent_completed"
    ERROR = "error"


@dataclass(frozen=True)
class UserExecutionContext:
    """Who a manager works for; every manager must be bound to exactly one user."""

    user_id: str
    thread_id: str
    run_id: str
    request_id: Optional[str] = None


@dataclass
class WebSocketMessage:
    """One message on the wire."""

    type: MessageType
    payload: Dict[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
