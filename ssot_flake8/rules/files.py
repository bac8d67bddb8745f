"""SOT000: a file the engine cannot analyse. The reading itself is in `source.text`."""

from __future__ import annotations

from ssot_flake8.rules.base import Rule
from ssot_flake8.source.text import Finding, SourceError

UNPARSABLE = Rule(
    code="SOT000",
    name="unparsable-file",
    message="{path} could not be analysed: {error}",
    rationale="A file that does not parse or decode hides its imports from every checker; "
    "it is reported once and the rest of the run goes on. Only a file that may hold a finding "
    "is parsed: one that names nothing of the policy is judged from its bytes, and its syntax "
    "errors are flake8's `E999` (`ssot audit` counts those files as not parsed).",
    bad="from netra_backend.app.websocket_core.websocket_manager import (\n    WebSocketManager,",
    good="# the file parses under the Python that runs the checks",
)

RULES = (UNPARSABLE,)


def unparsable(error: SourceError, path: str) -> Finding:
    """The one finding for a file that cannot be read, decoded or parsed."""
    message = UNPARSABLE.format(path=path, error=str(error))
    return Finding(path, error.line, error.col, UNPARSABLE.code, message)
