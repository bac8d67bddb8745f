"""`# noqa`: which findings a comment silences, and SOT900, a `# noqa: SOTxxx` that silences none.

The comment syntax and matching are flake8's own (a code silences the codes it is a prefix of,
case-sensitively), so `ssot check` and the flake8 plugin silence the same lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ssot_flake8.rules.base import Rule
from ssot_flake8.source.text import Finding

NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
OURS = "SOT"

UNUSED_NOQA = Rule(
    code="SOT900",
    name="unused-noqa",
    message="unused `noqa` directive (unused: {codes})",
    rationale="A suppression outlives the code it excused, and then silences the next violation "
    "on its line unseen. A `# noqa: SOT...` code that silences no finding on its line is "
    "reported, as ruff's RUF100 does; a bare `# noqa` and other tools' codes are left alone "
    "(they may silence another plugin), and `# noqa: SOT900` keeps a directive on purpose.",
    bad="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager  "
    "# noqa: SOT001",
    good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager",
)

RULES = (UNUSED_NOQA,)


def listed_codes(line: str) -> tuple[re.Match | None, tuple[str, ...] | None]:
    """The `# noqa` of a line and the codes it lists (None: a bare `# noqa`, every code)."""
    if "noqa" not in line.lower():
        return None, None
    match = NOQA.search(line)
    if match is None or match.group("codes") is None:
        return match, None
    return match, tuple(c for c in re.split(r"[,\s]+", match.group("codes")) if c)


def silenced(finding: Finding, lines: Sequence[str]) -> bool:
    """Whether the `# noqa` of the finding's line silences it, as flake8 decides."""
    line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
    match, codes = listed_codes(line)
    if match is None:
        return False
    return codes is None or finding.code.startswith(codes)


def unused_noqa(findings: Sequence[Finding], lines: Sequence[str], path: str) -> list[Finding]:
    """SOT900 for each line whose `# noqa:` lists SOT codes that silence none of `findings`
    (all of the file's findings, before any is silenced). A directive that covers SOT900 itself
    is never reported, nor any in a file with SOT000 (its findings are not all known). `lines`
    may keep their line endings."""
    found: list[Finding] = []
    if not any(OURS in line and "noqa" in line.lower() for line in lines):
        return found
    if any(finding.code == "SOT000" for finding in findings):
        return found
    codes_on: dict[int, list[str]] = {}
    for finding in findings:
        codes_on.setdefault(finding.line, []).append(finding.code)
    for number, line in enumerate(lines, 1):
        if OURS not in line:
            continue
        match, codes = listed_codes(line)
        ours = [code for code in codes or () if code.startswith(OURS)]
        if not ours or any(UNUSED_NOQA.code.startswith(code) for code in ours):
            continue
        reported = codes_on.get(number, [])
        unused = [code for code in ours if not any(r.startswith(code) for r in reported)]
        if unused:
            listed = ", ".join(unused)
            found.append(Finding(path, number, match.start() + 1, UNUSED_NOQA.code,
                                 UNUSED_NOQA.format(codes=listed), listed,
                                 end_line=number, end_col=match.end() + 1))
    return found
