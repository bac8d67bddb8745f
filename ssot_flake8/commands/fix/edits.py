"""The `fix` of each fixable finding in `ssot check --output-format json`, shaped as ruff's.

Each finding's fix is what `ssot fix` would do for that finding alone: planned and rewritten by
the same planner, verified the same way (it adds no finding, cycle, undefined name or
redefinition), then turned into edits (the changed text, `location` to `end_location`, rows and
1-based character columns like ruff). One libcst parse per file serves all its findings. A fix
`ssot fix` would refuse is not offered (`fix` is null); the others are applied by `ssot fix`
with no extra flag, which is what ruff calls "safe".
"""

from __future__ import annotations

import copy
import difflib
from collections import defaultdict
from collections.abc import Sequence

import libcst as cst

from ssot_flake8.analysis.engine import check_source
from ssot_flake8.commands.fix.graph import ImportGraph
from ssot_flake8.commands.fix.model import FIXABLE_CODES, Plan
from ssot_flake8.commands.fix.planner import Planner
from ssot_flake8.commands.fix.rewriter import Rewriter
from ssot_flake8.commands.fix.rounds import _refusal
from ssot_flake8.policy.model import Policy
from ssot_flake8.source.lines import source_lines
from ssot_flake8.source.text import Finding, SourceError, decode_as_flake8

# What a planner collects while it plans; a copy starts each finding from the parsed state.
_PLANNING_STATE = {"plan": Plan, "planned_locals": dict, "canonical_for": dict, "covered": set,
                   "anchor_of": dict, "providers": dict}


def json_fixes(findings: Sequence[Finding], policy: Policy) -> dict[Finding, dict]:
    """Finding -> ruff's `fix` object, for every fixable finding `ssot fix` would fix alone."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.code in FIXABLE_CODES:
            by_path[finding.path].append(finding)
    graph = ImportGraph(policy)
    fixes: dict[Finding, dict] = {}
    for path, wanted in by_path.items():
        try:
            fixes.update(_file_fixes(path, wanted, policy, graph))
        except Exception:  # an odd file costs its fixes, never the report
            continue
    return fixes


def _file_fixes(path: str, wanted: list[Finding], policy: Policy, graph: ImportGraph
                ) -> dict[Finding, dict]:
    with open(path, "rb") as stream:
        data = stream.read()
    findings = check_source(data, path, policy)
    present = set(findings)
    wanted = [f for f in wanted if f in present]  # the file changed since: nothing to offer
    if not wanted or any(f.code == "SOT000" for f in findings):
        return {}
    parsed = Planner(cst.parse_module(data), path, policy)
    fixes = {}
    for finding in wanted:
        planner = copy.copy(parsed)
        for name, make in _PLANNING_STATE.items():
            setattr(planner, name, make())
        plan = planner.run([finding])
        if finding not in plan.fixed:
            continue
        fixed = planner.module.visit(Rewriter(plan, planner.module.config_for_parsing)).bytes
        if fixed == data or _refusal(data, fixed, path, policy, findings, graph):
            continue
        fixes[finding] = {"applicability": "safe", "edits": edits(data, fixed),
                          "message": fix_message(finding)}
    return fixes


def fix_message(finding: Finding) -> str:
    if finding.code == "SOT001":
        module, _, name = finding.target.rpartition(".")
        return f"Import `{name}` from `{module}`"
    return f"Import from `{finding.target}`"


def edits(before: bytes, after: bytes) -> list[dict]:
    """The changes from `before` to `after` as ruff's edits: each the smallest run of changed
    characters within a run of changed lines, `location` inclusive, `end_location` exclusive."""
    old, new = _text(before), _text(after)
    old_lines, new_lines = source_lines(old, keepends=True), source_lines(new, keepends=True)
    result = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, added = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        start = 0
        while start < min(len(removed), len(added)) and removed[start] == added[start]:
            start += 1
        end = 0
        while (end < min(len(removed), len(added)) - start
               and removed[len(removed) - 1 - end] == added[len(added) - 1 - end]):
            end += 1
        # Whole names, as ruff's edits are: never start or stop inside an identifier.
        while start and _word(removed, start - 1) and _word(removed, start):
            start -= 1
        while end and _word(removed, len(removed) - end - 1) and _word(removed, len(removed) - end):
            end -= 1
        result.append({
            "content": added[start:len(added) - end],
            "location": _position(removed, start, i1 + 1),
            "end_location": _position(removed, len(removed) - end, i1 + 1),
        })
    return result


def _word(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


def _text(data: bytes) -> str:
    try:
        text, _ = decode_as_flake8(data)
    except SourceError:
        text = data.decode("utf-8", "replace")
    return text


def _position(chunk: str, offset: int, first_row: int) -> dict:
    before = source_lines(chunk[:offset] + "x", keepends=True)  # "x": a line for offset 0
    return {"column": len(before[-1]), "row": first_row + len(before) - 1}
