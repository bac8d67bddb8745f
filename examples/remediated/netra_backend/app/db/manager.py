"""Database session manager (unrelated to websockets; a true negative)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, List


class Session:
    """A unit of work against the database."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.pending: List[Dict[str, Any]] = []

    async def commit(self) -> None:
        self.pending.clear()


class SessionManager:
    """Hands out one session per request."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Session]:
        session = Session(self.dsn)
        try:
            yield session
            await session.commit()
        finally:
            session.pending.clear()


def create_session_manager(dsn: str) -> SessionManager:
    return SessionManager(dsn)
