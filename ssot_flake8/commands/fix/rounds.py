"""One file fixed in rounds to the fixed point, each round verified before it is kept."""

from __future__ import annotations

from collections import Counter

import libcst as cst

from ssot_flake8.analysis.engine import check_source
from ssot_flake8.commands.fix.model import FIXABLE_CODES, HAND_CODES, FixError, FixResult, LeftByHand
from ssot_flake8.commands.fix.names import _undefined, undefined_names
from ssot_flake8.commands.fix.planner import Planner
from ssot_flake8.commands.fix.rewriter import Rewriter
from ssot_flake8.policy.model import Policy
from ssot_flake8.source.text import Finding

MAX_ROUNDS = 8


def fix_source(data: bytes, path: str, policy: Policy) -> FixResult:
    """The fixed bytes of one file and what was left to do by hand; FixError if it is refused.

    Like ruff, fixes are applied in rounds until nothing changes: one rewrite can make another
    possible (an import merged upwards binds the canonical name before a use it did not reach).
    """
    result = FixResult(path, data, data)
    for _ in range(MAX_ROUNDS):
        fixed, count, result.left = fix_once(result.fixed, path, policy)
        if fixed == result.fixed:
            break
        result.fixed, result.fixed_count = fixed, result.fixed_count + count
    return result


def fix_once(data: bytes, path: str, policy: Policy) -> tuple[bytes, int, list[LeftByHand]]:
    """One round: the rewritten bytes, how many findings it fixed, and what it left."""
    findings = check_source(data, path, policy)
    broken = [f for f in findings if f.code == "SOT000"]
    if broken:
        raise FixError(broken[0].message)
    relevant = [f for f in findings if f.code in HAND_CODES]
    if not any(f.code in FIXABLE_CODES for f in relevant):
        return data, 0, [LeftByHand(f) for f in relevant]
    try:
        module = cst.parse_module(data)
    except Exception as error:  # ParserSyntaxError, and others on odd input
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise FixError(f"{path}: libcst cannot parse it: {first}") from None
    planner = Planner(module, path, policy)
    plan = planner.run(relevant)
    left = sorted(plan.left, key=lambda item: item.finding)
    if plan.empty():
        return data, 0, left
    fixed = planner.module.visit(Rewriter(plan, planner.module.config_for_parsing)).bytes
    _verify(_undefined(planner.all_scopes, planner.has_star), fixed, path, policy, findings)
    return fixed, len(plan.fixed), left


def _verify(undefined_before: set[str], after: bytes, path: str, policy: Policy,
            findings: list[Finding]) -> None:
    """Refuse a result that does not compile, hides a finding or leaves an undefined name."""
    try:
        compile(after, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        raise FixError(f"{path}: the rewrite would not compile ({error}); file left unchanged") from None
    new_findings = check_source(after, path, policy)
    # Distinct messages per code: merging two identical imports into one is not hiding anything.
    old_counts = Counter(code for code, _ in {(f.code, f.message) for f in findings})
    new_counts = Counter(code for code, _ in {(f.code, f.message) for f in new_findings})
    for code in set(old_counts) | set(new_counts):
        grew = new_counts[code] > old_counts[code] and code in FIXABLE_CODES
        hidden = new_counts[code] < old_counts[code] and code not in FIXABLE_CODES
        if grew or hidden:
            raise FixError(f"{path}: the rewrite would change the {code} findings; file left "
                           "unchanged (please report this)")
    missing = undefined_names(after) - undefined_before
    if missing:
        raise FixError(f"{path}: the rewrite would leave {', '.join(sorted(missing))} undefined; "
                       "file left unchanged (please report this)")
