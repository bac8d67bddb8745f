"""The report benchmarks/run.py writes: the targets, a row per tool, before and after."""

from __future__ import annotations

import collections
import datetime
import json
import os
import platform
import statistics
import subprocess
from importlib import metadata
from pathlib import Path

# -- figures -------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def wall(tool) -> float:
    return median([s.wall for s in tool.samples])


def cpu(tool) -> float:
    return median([s.cpu for s in tool.samples])


def findings_text(counts: collections.Counter | None) -> str:
    if counts is None:
        return "–"
    contracts = counts.pop("broken contracts", None)
    parts = ", ".join(f"{code} {n}" for code, n in sorted(counts.items()))
    text = f"{sum(counts.values())} ({parts})" if parts else "0"
    return text + (f"; {contracts} broken contract(s)" if contracts is not None else "")


def results_table(tools: list) -> list[str]:
    by_key = {tool.key: tool for tool in tools}
    ruff = by_key.get("ruff")
    ruff_wall = wall(ruff) if ruff and ruff.samples else None
    rows = ["| tool | findings | wall s (median) | wall min–max | CPU s (median) | × ruff (wall) "
            "| peak RSS MB |", "|---|---|---:|---:|---:|---:|---:|"]
    for tool in tools:
        if tool.skipped:
            rows.append(f"| {tool.label} | skipped: {tool.skipped} | | | | | |")
            continue
        walls = [s.wall for s in tool.samples]
        same_tree = ruff is not None and tool.tree == ruff.tree
        ratio = f"{wall(tool) / ruff_wall:.2f}" if ruff_wall and same_tree else "–"
        rss = max(s.rss_mb for s in tool.samples)
        rows.append(f"| {tool.label} | {findings_text(tool.findings())} | {wall(tool):.2f} "
                    f"| {min(walls):.2f}–{max(walls):.2f} | {cpu(tool):.2f} | {ratio} | {rss:.0f} |")
    return rows


def targets(tools: list) -> list[str]:
    """Each target judged on median wall time and on median CPU time."""
    by_key = {tool.key: tool for tool in tools if tool.samples}
    lines = []

    def verdict(on_wall: bool, on_cpu: bool) -> str:
        def word(ok: bool) -> str:
            return "met" if ok else "not met"
        return f"**{word(on_wall)}** on wall time, **{word(on_cpu)}** on CPU time"

    if {"ssot-cold", "ruff"} <= by_key.keys():
        cold, ruff = by_key["ssot-cold"], by_key["ruff"]
        lines.append(f"- `ssot check` cold at or below ruff: {wall(cold):.2f} s vs {wall(ruff):.2f} s "
                     f"wall, {cpu(cold):.2f} s vs {cpu(ruff):.2f} s CPU: "
                     f"{verdict(wall(cold) <= wall(ruff), cpu(cold) <= cpu(ruff))}")
    if {"floor-parse", "ruff"} <= by_key.keys():
        floor, ruff = by_key["floor-parse"], by_key["ruff"]
        lines.append(f"  - under it, `ast.parse` alone of the files past the pre-filter (no index, no "
                     f"walk): {wall(floor):.2f} s wall, {cpu(floor):.2f} s CPU, "
                     f"{wall(floor) / wall(ruff):.2f}x ruff's wall: what CPython's parser costs "
                     "there is a floor no change to the walk removes")
    if {"ssot-cold", "ssot-warm"} <= by_key.keys():
        cold, warm = by_key["ssot-cold"], by_key["ssot-warm"]
        lines.append(f"- warm at most a fifth of cold: {wall(warm):.2f} s vs {wall(cold):.2f} s wall, "
                     f"{cpu(warm):.2f} s vs {cpu(cold):.2f} s CPU: "
                     f"{verdict(wall(warm) <= wall(cold) / 5, cpu(warm) <= cpu(cold) / 5)}")
    if {"ssot-warm", "ruff-warm"} <= by_key.keys():
        warm, ruff = by_key["ssot-warm"], by_key["ruff-warm"]
        lines.append(f"- `ssot check` warm at or below ruff warm: {wall(warm):.2f} s vs "
                     f"{wall(ruff):.2f} s wall, {cpu(warm):.2f} s vs {cpu(ruff):.2f} s CPU: "
                     f"{verdict(wall(warm) <= wall(ruff), cpu(warm) <= cpu(ruff))}")
    if "ssot-cold" in by_key:
        peak = max(s.rss_mb for s in by_key["ssot-cold"].samples)
        lines.append(f"- peak memory of a cold `ssot check` at most 300 MB (largest process): "
                     f"{peak:.0f} MB: **{'met' if peak <= 300 else 'not met'}**")
    for kind in ("body", "add"):
        if {"ssot-cold", "ssot-warm", f"ssot-{kind}"} <= by_key.keys():
            lines.append(edit_target_line(by_key["ssot-cold"], by_key["ssot-warm"],
                                          by_key[f"ssot-{kind}"]))
    if {"flake8-default", "flake8-default-sot"} <= by_key.keys():
        alone, both = by_key["flake8-default"], by_key["flake8-default-sot"]
        on_wall = (wall(both) - wall(alone)) / wall(alone) * 100
        on_cpu = (cpu(both) - cpu(alone)) / cpu(alone) * 100
        lines.append(f"- the flake8 plugin at most 5% on top of flake8 alone: {on_wall:+.1f}% wall, "
                     f"{on_cpu:+.1f}% CPU: {verdict(on_wall <= 5, on_cpu <= 5)}")
    if {"flake8-default", "flake8-sot", "flake8-none"} <= by_key.keys():
        alone, sot, none = by_key["flake8-default"], by_key["flake8-sot"], by_key["flake8-none"]
        own = (cpu(sot) - cpu(none)) / cpu(alone) * 100
        lines.append(f"  - the plugin's own work, less noisy than that difference of two long runs: "
                     f"`flake8 --select SOT` minus flake8 with no checker = "
                     f"{cpu(sot) - cpu(none):.2f} s CPU, {own:+.1f}% of flake8 alone")
    return lines


def edit_target_line(cold, warm, edit) -> str:
    """An edit re-checks only what it can change: judged by the findings (equal to the cold
    run's) and by CPU time within a fifth of the way from warm to cold."""
    same = edit.findings() == cold.findings()
    near_warm = cpu(edit) <= cpu(warm) + (cpu(cold) - cpu(warm)) / 5
    return (f"- {edit.label.split(' after ')[1]}: re-checks only what it can change: "
            f"{wall(edit):.2f} s wall, {cpu(edit):.2f} s CPU, vs warm {wall(warm):.2f} s and cold "
            f"{wall(cold):.2f} s wall; findings {'equal' if same else 'DIFFER FROM'} the cold "
            f"run's: **{'met' if same and near_warm else 'not met'}** (judged on the findings and "
            "on CPU time within a fifth of the way from warm to cold)")


def before_after(tools: list) -> list[str]:
    """Each ssot row beside its twin from the `--before` checkout, as ratios to ruff."""
    by_key = {tool.key: tool for tool in tools if tool.samples}
    ruff = by_key.get("ruff")
    pairs = [(by_key[f"before-{key}"], tool) for key, tool in by_key.items()
             if f"before-{key}" in by_key]
    if not pairs or ruff is None:
        return []
    rows = ["| row | before: wall s, × ruff | after: wall s, × ruff | before: CPU s, × ruff "
            "| after: CPU s, × ruff | after / before (CPU) |", "|---|---:|---:|---:|---:|---:|"]
    for before, after in pairs:
        rows.append(
            f"| {after.label} | {wall(before):.2f}, {wall(before) / wall(ruff):.2f} "
            f"| {wall(after):.2f}, {wall(after) / wall(ruff):.2f} "
            f"| {cpu(before):.2f}, {cpu(before) / cpu(ruff):.2f} "
            f"| {cpu(after):.2f}, {cpu(after) / cpu(ruff):.2f} | {cpu(after) / cpu(before):.2f} |")
    return ["## Before and after", "",
            f"The same rows for `{before.label.rpartition('before (')[2].rstrip(')')}` (the "
            f"`--before` checkout), interleaved with the others in each round; ruff: "
            f"{wall(ruff):.2f} s wall, {cpu(ruff):.2f} s CPU.", "", *rows, ""]


def machine() -> list[str]:
    model = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    memory = next((line.split()[1] for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal")), None)
    memory_text = f"{int(memory) / 1024 / 1024:.1f} GiB" if memory else "unknown"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [f"- {cores} cores ({model}), {memory_text} memory, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}"]


def versions() -> str:
    names = ("ssot-flake8", "ruff", "flake8", "flake8-tidy-imports", "import-linter", "grimp")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def checkout(where: Path) -> str:
    """`<commit> <subject>` of a git checkout, or its path."""
    described = subprocess.run(
        ["git", "-C", str(where), "log", "-1", "--format=%h %s"], capture_output=True, text=True,
        check=False).stdout.strip()
    return described or str(where)


def measured_code() -> str:
    """Which ssot_flake8 was measured: its checkout's branch and commit, when it is one."""
    try:
        import ssot_flake8
    except ImportError:
        return "ssot_flake8 not importable"
    where = Path(ssot_flake8.__file__).resolve().parents[1]
    described = subprocess.run(
        ["git", "-C", str(where), "log", "-1", "--format=%h %s"], capture_output=True, text=True,
        check=False).stdout.strip()
    branch = subprocess.run(["git", "-C", str(where), "branch", "--show-current"],
                            capture_output=True, text=True, check=False).stdout.strip()
    return f"branch `{branch}` at {described[:90]}" if described else f"{where}"


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def tree_summary(tree: Path) -> str:
    try:
        manifest = json.loads((tree / "MANIFEST.json").read_text(encoding="utf-8"))
        return (f"{manifest['modules']:,} modules, {manifest['lines']:,} lines, "
                f"{manifest['bytes'] / 1e6:.0f} MB")
    except (OSError, ValueError, KeyError):
        pass
    files = sizes = 0
    for root, dirs, names in os.walk(tree):
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules", ".venv", "venv")]
        for name in names:
            if name.endswith(".py"):
                files += 1
                sizes += os.path.getsize(os.path.join(root, name))
    return f"{files:,} .py files, {sizes / 1e6:.0f} MB"


def edit_note(tools: list) -> list[str]:
    notes = []
    for tool in tools:
        edit = tool.prepare
        if tool.key.startswith("ssot-") and not tool.skipped and hasattr(edit, "what"):
            notes.append(f"- \"{tool.label}\": before each run the file is put back, the cache "
                         f"brought up to date with it (an untimed `ssot check`), then edited: "
                         f"{edit.what}.")
    return notes


def report(tools: list, tree: Path, flake8_tree: Path, runs: int, bans_source: str,
           load: tuple) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    trees = f"tree `{tree.name}` ({tree_summary(tree)})"
    if flake8_tree != tree:
        trees += (f"; the flake8 rows on tree `{flake8_tree.name}` ({tree_summary(flake8_tree)}): "
                  "a full flake8 run over the big tree takes minutes")
    lines = [
        "# Benchmark results",
        "",
        f"Written by `benchmarks/run.py` on {now}: {trees}; {runs} run(s) per tool, rounds "
        "interleaved. Medians; peak RSS is the largest single process (the maximum over the runs).",
        "",
        "## Machine",
        "",
        *machine(),
        f"- {versions()}",
        f"- ssot_flake8 measured: {measured_code()}",
        f"- load average {load[0]:.1f} at the start, {load[1]:.1f} at the end: the machine was "
        "shared with other work while this ran, so wall times are noisy; CPU time (user + system, "
        "children included) is the steadier figure.",
        "",
        "## Targets",
        "",
        *targets(tools),
        "",
        "## All tools",
        "",
        *results_table(tools),
        "",
        *before_after(tools),
        "## Notes",
        "",
        f"- ruff and flake8-tidy-imports get the same bans: {bans_source}.",
        *edit_note(tools),
        "- flake8 runs every installed checker whatever `--select` says, so the flake8 rows load "
        "only the named checkers (`benchmarks/flake8_plugins.py`); \"default checks\" are the ones "
        "flake8 ships (pycodestyle E/W, pyflakes F, mccabe C90).",
        "- Findings are counted from each tool's own output, by code. The tools do not check the "
        "same rules: ruff TID251 and flake8-tidy-imports I251 see the import bans only; "
        "`ssot check` and the SOT plugin report the whole catalog; lint-imports reports broken "
        "contracts (and the ssot contract's findings).",
    ]
    return "\n".join(lines) + "\n"


