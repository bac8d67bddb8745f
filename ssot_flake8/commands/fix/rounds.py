"""One file fixed in rounds to the fixed point, each round verified before it is kept."""

from __future__ import annotations

import ast
import functools
from collections import Counter

import libcst as cst
from pyflakes import checker
from pyflakes import messages as pyflakes_messages

from ssot_flake8.analysis.engine import check_source
from ssot_flake8.commands.fix.graph import ImportGraph
from ssot_flake8.commands.fix.model import FIXABLE_CODES, HAND_CODES, FixError, FixResult, LeftByHand, Plan
from ssot_flake8.commands.fix.planner import Planner
from ssot_flake8.commands.fix.rewriter import Rewriter
from ssot_flake8.policy.model import Policy
from ssot_flake8.rules.suppressions import silenced
from ssot_flake8.source.lines import source_lines
from ssot_flake8.source.text import Finding

MAX_ROUNDS = 8


def fix_source(data: bytes, path: str, policy: Policy, graph: ImportGraph | None = None) -> FixResult:
    """The fixed bytes of one file and what was left to do by hand; FixError if it is refused.

    Like ruff, fixes are applied in rounds until nothing changes: one rewrite can make another
    possible (an import merged upwards binds the canonical name before a use it did not reach).
    `graph` is the run's import graph (one file alone: a fresh one); the kept result updates it.
    """
    graph = graph if graph is not None else ImportGraph(policy)
    result = FixResult(path, data, data)
    for _ in range(MAX_ROUNDS):  # a refusal is tried again: the last round may make it fit
        fixed, count, result.left = fix_once(result.fixed, path, policy, graph)
        if fixed == result.fixed:
            break
        result.fixed, result.fixed_count = fixed, result.fixed_count + count
    if result.changed:
        graph.update(path, result.fixed)
    return result


def fix_once(data: bytes, path: str, policy: Policy, graph: ImportGraph | None = None
             ) -> tuple[bytes, int, list[LeftByHand]]:
    """One round: the rewritten bytes, how many findings it fixed, and what it left.

    A rewrite that would add a finding is not kept: the findings it fixes are tried one by one,
    the ones that add something go to the "left to do by hand" list with why, the rest is kept.
    """
    graph = graph if graph is not None else ImportGraph(policy)
    findings = check_source(data, path, policy)
    broken = [f for f in findings if f.code == "SOT000"]
    if broken:
        raise FixError(broken[0].message)
    lines = source_lines(data.decode("utf-8", "replace"))  # a silenced line: not fixed, not listed
    relevant = [f for f in findings if f.code in HAND_CODES and not silenced(f, lines)]
    if not any(f.code in FIXABLE_CODES for f in relevant):
        return data, 0, [LeftByHand(f) for f in relevant]
    refused: dict[Finding, str] = {}
    while True:
        chosen = [f for f in relevant if f not in refused]
        fixed, plan, refusal = _attempt(data, path, policy, graph, findings, chosen)
        if not refusal:
            break
        if len(plan.fixed) == 1:
            refused[plan.fixed[0]] = refusal
            continue
        # Which of them add something? Taken one by one, each kept if it adds nothing to the
        # ones kept before it: the most that can go through (two that clash only together:
        # the first goes, the second is left).
        others = [f for f in relevant if f.code not in FIXABLE_CODES]
        kept: list[Finding] = []
        for finding in plan.fixed:
            why = _attempt(data, path, policy, graph, findings, [*others, *kept, finding])[2]
            if why:
                refused[finding] = why
            else:
                kept.append(finding)
    left = [*plan.left, *(LeftByHand(f, why) for f, why in refused.items())]
    left.sort(key=lambda item: item.finding)
    if plan.empty():
        return data, 0, left
    return fixed, len(plan.fixed), left


def _attempt(data: bytes, path: str, policy: Policy, graph: ImportGraph, findings: list[Finding],
             chosen: list[Finding]) -> tuple[bytes, Plan, str]:
    """Plan and rewrite the `chosen` findings: (the bytes, the plan, why not to keep it or '')."""
    try:
        module = cst.parse_module(data)
    except Exception as error:  # ParserSyntaxError, and others on odd input
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise FixError(f"{path}: libcst cannot parse it: {first}") from None
    planner = Planner(module, path, policy)
    plan = planner.run(chosen)
    if plan.empty():
        return data, plan, ""
    fixed = planner.module.visit(Rewriter(plan, planner.module.config_for_parsing)).bytes
    return fixed, plan, _refusal(data, fixed, path, policy, findings, graph)


def _layer_hint(policy: Policy) -> str:
    """What to do instead of an import that breaks a layer or closes a cycle."""
    if policy.boundaries.skip_type_checking:
        return "import it under `if TYPE_CHECKING:` or move the shared type down a layer"
    return ("move the shared type down a layer, or import it under `if TYPE_CHECKING:` with "
            "exclude_type_checking_imports = True in the policy")


def _refusal(before: bytes, after: bytes, path: str, policy: Policy, findings: list[Finding],
             graph: ImportGraph) -> str:
    """Why the rewrite must not be kept ("" if it may): it adds a finding of some kind (any SOT
    code, an import cycle, an undefined name, a redefinition). One that only removes findings is
    kept.
    FixError if the result does not compile (that would be a bug of the fixer)."""
    try:
        compile(after, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        raise FixError(f"{path}: the rewrite would not compile ({error}); file left unchanged "
                       "(please report this)") from None
    new_findings = check_source(after, path, policy)
    # Distinct messages per code: merging two identical imports into one is not hiding anything.
    old_counts = Counter(code for code, _ in {(f.code, f.message) for f in findings})
    new_counts = Counter(code for code, _ in {(f.code, f.message) for f in new_findings})
    old_messages = {(f.code, f.message) for f in findings}
    for code in sorted(set(new_counts)):
        if new_counts[code] > old_counts[code]:
            added = next((f for f in sorted(new_findings)
                          if f.code == code and (f.code, f.message) not in old_messages), None)
            what = f"{code} {added.message}" if added else code
            hint = _layer_hint(policy) if code == "SOT005" else "rewrite it by hand"
            return f"the rewrite would add {what}; {hint}"
    cycle = graph.added_cycle(path, before, after)
    if cycle:
        return f"the rewrite would add the import cycle {cycle}; {_layer_hint(policy)}"
    undefined_before, redefined_before = flakes(before)
    undefined_after, redefined_after = flakes(after)
    missing = undefined_after - undefined_before
    if missing:
        return (f"the rewrite would leave {', '.join(sorted(missing))} undefined (flake8 F821); "
                "rewrite this import by hand")
    # Counted, not named: a redefinition that was there already keeps its count when the
    # rewrite renames it (UnifiedWebSocketManager twice -> WebSocketManager twice).
    if len(redefined_after) > len(redefined_before):
        grown = sorted({name for name, _ in redefined_after} - {name for name, _ in redefined_before})
        names = ", ".join(grown) or redefined_after[0][0]
        return f"the rewrite would redefine {names} (flake8 F811); merge these imports by hand"
    return ""


@functools.lru_cache(maxsize=16)  # a file's `before` serves every attempt on it
def flakes(data: bytes) -> tuple[frozenset[str], tuple[tuple[str, int], ...]]:
    """What pyflakes (flake8's F821 and F811) reports: the names left undefined, and every
    redefinition of an unused name as (name, line)."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return frozenset(), ()
    messages = checker.Checker(tree).messages
    undefined = {m.message_args[0] for m in messages if isinstance(m, pyflakes_messages.UndefinedName)}
    redefined = tuple(sorted((m.message_args[0], m.lineno) for m in messages
                             if isinstance(m, pyflakes_messages.RedefinedWhileUnused)))
    return frozenset(undefined), redefined


def redefinitions(data: bytes) -> int:
    """How many redefinitions of unused names pyflakes (flake8's F811) reports."""
    return len(flakes(data)[1])
