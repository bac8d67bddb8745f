"""Time the bundle against ruff, flake8-tidy-imports and lint-imports on one generated tree.

    python benchmarks/run.py [--tree benchmarks/trees/big] [--runs 3] [--output benchmarks/RESULTS.md]
    NETRA_SNAPSHOT=/work/snapshots/0914 python benchmarks/run.py --output /tmp/real-0914.md
    python benchmarks/run.py --before /tmp/main-checkout ...   # before/after in the same rounds

With NETRA_SNAPSHOT set, the tree is that real snapshot instead, which stays read-only: its
`.py` and `.gitignore` files are copied once to a scratch tree (NETRA_COPY, default
/tmp/ssot-bench-<snapshot name>) given the policy NETRA_POLICY (default
benchmarks/real.importlinter) and its own git repository, and every tool runs there.

Every tool runs as a subprocess in the tree, `--runs` times, the rounds interleaved (so a load
spike on a shared machine hits every tool alike). Per run: wall time, CPU time (user + system of
the process and its children: steadier than wall time when other work shares the machine), peak
RSS (of the largest single process) and the findings the tool printed. The report gives medians,
ratios against ruff, the targets the code is tuned for, and the machine and tool versions.
A tool that is not installed is skipped with a note. Progress goes to stderr on a TTY.

The edit rows (benchmarks/edits.py) time `ssot check` right after one edit to
websocket_core/handlers.py: inside a function, and a new function. `--before DIR` runs every
ssot row a second time with another checkout of ssot_flake8 on PYTHONPATH, in the same rounds,
and the report sets the two side by side as ratios to the same ruff runs.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from edits import EDITED, ModuleEdit, edit_target
from report import checkout, report

HERE = Path(__file__).resolve().parent
DEFAULT_TREE = HERE / "trees" / "big"
FLAKE8_DEFAULT_PLUGINS = "E,F,W,C90"  # what flake8 itself ships: pycodestyle, pyflakes, mccabe
FINDING_LINE = re.compile(r"^.+?:\d+:\d+: ([A-Z]+[0-9]+)\b", re.MULTILINE)
# The ssot contract's report, one `-   l.N: SOTnnn message` line per finding under its module.
CONTRACT_FINDING = re.compile(r"^-\s+l\.\d+: (SOT\d{3})\b", re.MULTILINE)
READ_ALL = """
import os, sys
total = 0
for root, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith(".py"):
            with open(os.path.join(root, name), "rb") as handle:
                total += len(handle.read())
print(total)
"""


# -- running one command -------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    exit_code: int
    output: str


def measure(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run argv to completion; os.wait4 gives this child's resource usage (with its children).

    Linux keeps the pre-exec high-water mark in ru_maxrss, so a child forked from this Python
    process never shows less than its RSS; GNU time, a small C program, is used to fork the tool
    when it is there. Either way the figure is the largest single process, not a sum.
    """
    env = {**(env or os.environ), "COLUMNS": "10000"}  # no wrapped lines in rich output
    # An installed package has its bytecode; a machine that forbids writing it (these sandboxes
    # set PYTHONDONTWRITEBYTECODE) would charge every Python tool ~0.1 s of compiling per run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as rss_file:
        command = [GNU_TIME, "-f", "%M", "-o", rss_file.name, *argv] if GNU_TIME else argv
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
        timed = rss_file.read().split()
    rss_kb = int(timed[-1]) if GNU_TIME and timed and timed[-1].isdigit() else usage.ru_maxrss
    return Sample(wall, usage.ru_utime + usage.ru_stime, rss_kb / 1024, process.returncode, output)


def gnu_time() -> str | None:
    path = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    if not path:
        return None
    probe = subprocess.run([path, "-f", "%M", "true"], capture_output=True, text=True, check=False)
    return path if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


GNU_TIME = gnu_time()


# -- the tools -----------------------------------------------------------------------------------


@dataclass
class Tool:
    key: str
    label: str
    argv: list[str]
    tree: Path  # the working directory: the tree the tool checks
    count: Callable[[str], collections.Counter] | None = None  # findings by code, from the output
    prepare: Callable[[], None] | None = None  # before each timed run (e.g. drop a cache)
    ok_codes: tuple[int, ...] = (0, 1)
    env: dict[str, str] | None = None  # None: this process's environment
    samples: list[Sample] = field(default_factory=list)
    skipped: str = ""  # why the tool did not run

    def findings(self) -> collections.Counter | None:
        return self.count(self.samples[-1].output) if self.count and self.samples else None


def codes_in(output: str, prefix: str = "") -> collections.Counter:
    return collections.Counter(c for c in FINDING_LINE.findall(output) if c.startswith(prefix))


def lint_imports_findings(output: str) -> collections.Counter:
    """The SSOT findings the ssot contract lists (`-   l.N: SOTnnn ...`) and broken contracts."""
    found = collections.Counter(CONTRACT_FINDING.findall(output))
    broken = re.search(r"(\d+) broken", output)
    if broken:
        found["broken contracts"] = int(broken.group(1))
    return found


def remove(path: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(path, ignore_errors=True)


class Tools:
    """Finds the executables (the running interpreter's bin dir first, then PATH)."""

    def __init__(self, tree: Path, work: Path, flake8_tree: Path | None = None,
                 before: Path | None = None) -> None:
        self.tree = tree
        self.before = before
        self.flake8_tree = flake8_tree or tree
        self.work = work
        self.bin = Path(sys.executable).parent

    def which(self, name: str) -> str | None:
        local = self.bin / name
        return str(local) if local.exists() else shutil.which(name)

    def has_module(self, distribution: str) -> bool:
        try:
            metadata.version(distribution)
            return True
        except metadata.PackageNotFoundError:
            return False

    def build(self) -> list[Tool]:
        tree, python, flake8_tree = self.tree, sys.executable, self.flake8_tree
        flake8 = [python, str(HERE / "flake8_plugins.py")]
        on = f" (tree `{flake8_tree.name}`)" if flake8_tree != tree else ""
        tools = [
            Tool("floor-python", "floor: read every .py (Python loop)",
                 [python, "-c", READ_ALL, "."], tree),
            Tool("floor-cat", "floor: `cat` every .py (find, xargs)",
                 ["sh", "-c", "find . -name '*.py' -print0 | xargs -0 cat > /dev/null"], tree),
            Tool("floor-parse",
                 "floor: `ast.parse` of the files past the pre-filter (without the index), every core",
                 [python, str(HERE / "floor_parse.py"), "."], tree),
        ]
        tools += self.ssot_rows()
        ruff = self.which("ruff")
        tools.append(Tool(
            "ruff", "`ruff check --select TID251 --no-cache`",
            [ruff or "ruff", "check", "--select", "TID251", "--no-cache", "--config",
             str(self.work / "ruff.toml"), "--output-format", "concise", "."],
            tree, lambda o: codes_in(o, "TID"),
        ))
        tools.append(Tool(
            "ruff-warm", "`ruff check --select TID251` warm (its cache primed)",
            [ruff or "ruff", "check", "--select", "TID251", "--config",
             str(self.work / "ruff.toml"), "--output-format", "concise", "."],
            tree, lambda o: codes_in(o, "TID"), self.prime_ruff(ruff)))
        if not ruff:
            self.skip(tools[-2:], "ruff is not installed")
        tools += [
            Tool("flake8-default", f"flake8 default checks alone (E,F,W,C90){on}",
                 [*flake8, FLAKE8_DEFAULT_PLUGINS, "--", "."], flake8_tree, codes_in),
            Tool("flake8-default-sot", f"flake8 default checks + SOT plugin{on}",
                 [*flake8, f"{FLAKE8_DEFAULT_PLUGINS},SOT", "--", "."], flake8_tree, codes_in),
            Tool("flake8-none", f"flake8 with no checker (reads, tokenizes, parses){on}",
                 [*flake8, "none", "--", "."], flake8_tree, codes_in),
            Tool("flake8-sot", f"`flake8 --select SOT` (SOT plugin only){on}",
                 [*flake8, "SOT", "--", "--select", "SOT", "."], flake8_tree,
                 lambda o: codes_in(o, "SOT")),
            Tool("flake8-tidy",
                 f"flake8-tidy-imports `--select I251 --banned-modules` (same bans){on}",
                 [*flake8, "I25", "--", "--select", "I251", "--banned-modules",
                  (self.work / "banned-modules.txt").read_text(encoding="utf-8"), "."],
                 flake8_tree, lambda o: codes_in(o, "I25")),
        ]
        if not self.which("flake8"):
            self.skip(tools[-5:], "flake8 is not installed")
        elif not self.has_module("flake8-tidy-imports"):
            self.skip(tools[-1:], "flake8-tidy-imports is not installed")
        lint_imports = self.which("lint-imports")
        cache = tree / ".import_linter_cache"
        tools += [
            Tool("lint-imports-cold", "`lint-imports` cold (no cache)",
                 [lint_imports or "lint-imports", ".importlinter"],
                 tree, lint_imports_findings, remove(cache)),
            Tool("lint-imports-cached", "`lint-imports` cached (second run)",
                 [lint_imports or "lint-imports", ".importlinter"],
                 tree, lint_imports_findings),
        ]
        boundaries = boundary_only(tree / ".importlinter", self.work)
        tools += [
            Tool("lint-imports-boundary-cold",
                 "the boundary contracts alone (no ssot contract): `lint-imports` cold",
                 [lint_imports or "lint-imports", str(boundaries or "")],
                 tree, lint_imports_findings, remove(cache)),
            Tool("lint-imports-boundary-cached",
                 "the boundary contracts alone (no ssot contract): `lint-imports` cached",
                 [lint_imports or "lint-imports", str(boundaries or "")],
                 tree, lint_imports_findings),
        ]
        if not lint_imports:
            self.skip(tools[-4:], "lint-imports is not installed")
        elif boundaries is None:
            self.skip(tools[-2:], "the policy has no contract besides the ssot one")
        tools += self.ssot_verb_rows()
        return tools

    def ssot_verb_rows(self) -> list[Tool]:
        """audit (cold, warm), fix --diff (check's cache warm) and, with NETRA_HISTORY (a git
        checkout whose .importlinter is the policy), audit --history 10 there."""
        tree, ssot = self.tree, self.which("ssot") or "ssot"
        history = os.environ.get("NETRA_HISTORY")
        rows = [
            Tool("ssot-audit-cold", "`ssot audit` cold (no cache)", [ssot, "audit", "."], tree,
                 None, remove(tree / ".ssot_cache")),
            Tool("ssot-audit-warm", "`ssot audit` warm (second run)", [ssot, "audit", "."], tree),
            Tool("ssot-fix-diff", "`ssot fix --diff` on the whole tree (check's cache warm)",
                 [ssot, "fix", "--diff", "."], tree, lambda o: codes_in(o, "SOT")),
            Tool("ssot-audit-history", "`ssot audit --history 10` (NETRA_HISTORY checkout)",
                 [ssot, "audit", "--history", "10", "--config", ".importlinter"],
                 Path(history or tree), None, remove(Path(history or tree) / ".ssot_cache")),
        ]
        if not history:
            self.skip(rows[-1:], "NETRA_HISTORY (a git checkout with the policy) is not set")
        if not self.which("ssot"):
            self.skip(rows, "ssot is not installed")
        return rows

    def ssot_rows(self) -> list[Tool]:
        """Cold, warm and the two edit rows; with `before`, the same rows again for that
        checkout of ssot_flake8 (run with PYTHONPATH=before, so it shadows the installed one)."""
        tree, ssot = self.tree, self.which("ssot") or "ssot"
        edited = edit_target(tree)
        where = f"`{edited.relative_to(tree).as_posix().split('app/')[-1]}`" if edited else "a module"
        variants = [("ssot", "", None)]
        if self.before:
            variants.append(("before-ssot", f" — before ({checkout(self.before).split(' ', 1)[0]})",
                             {**os.environ, "PYTHONPATH": str(self.before)}))
        rows = []
        for key, suffix, env in variants:
            argv = [ssot, "check", "."]
            count = lambda o: codes_in(o, "SOT")  # noqa: E731
            rows += [
                Tool(f"{key}-cold", f"`ssot check` cold (no cache){suffix}", argv, tree, count,
                     remove(tree / ".ssot_cache"), env=env),
                Tool(f"{key}-warm", f"`ssot check` warm (second run){suffix}", argv, tree, count,
                     env=env),
            ]
            for kind, what in (("body", "editing one function in"), ("add", "adding a function to")):
                rows.append(Tool(
                    f"{key}-{kind}", f"`ssot check` after {what} {where}{suffix}", argv, tree,
                    count, ModuleEdit(edited, kind, argv, tree, env) if edited else None, env=env))
                if not edited:
                    self.skip(rows[-1:], f"no {EDITED} nor any function under its package")
        if not self.which("ssot"):
            self.skip(rows, "ssot is not installed")
        return rows

    def prime_ruff(self, ruff: str | None) -> Callable[[], None]:
        """Before the first warm ruff run, one untimed run that fills its cache."""
        def prime() -> None:
            if ruff and not (self.tree / ".ruff_cache").is_dir():
                subprocess.run([ruff, "check", "--select", "TID251", "--config",
                                str(self.work / "ruff.toml"), "."], cwd=self.tree,
                               capture_output=True, check=False)
        return prime

    @staticmethod
    def skip(tools: list[Tool], why: str) -> None:
        for tool in tools:
            tool.skipped = why


def boundary_only(config: Path, work: Path) -> Path | None:
    """A copy of the policy without its ssot contracts (work/boundaries.ini), or None when
    nothing else is left: what `lint-imports` costs without our contract, for the ratio."""
    sections = re.split(r"(?m)^(?=\[)", config.read_text(encoding="utf-8"))
    ssot = re.compile(r"(?m)^type\s*=\s*ssot\s*$")
    kept = [part for part in sections if not ssot.search(part)]
    if not any(part.startswith("[importlinter:contract:") for part in kept):
        return None
    (work / "boundaries.ini").write_text("".join(kept), encoding="utf-8")
    return work / "boundaries.ini"


# -- the bans ruff and flake8-tidy-imports get -------------------------------------------------


def write_bans(tree: Path, work: Path, ssot: str | None) -> str:
    """Write work/ruff.toml (TID251) and work/banned-modules.txt (I251) with the policy's bans.

    `ssot sync-ruff` writes the ruff config when this ssot has the verb; otherwise the same bans
    are derived here from the policy. flake8-tidy-imports gets exactly the bans ruff got.
    """
    config = work / "ruff.toml"
    config.write_text("", encoding="utf-8")
    source = "config written by `ssot sync-ruff`"
    synced = ssot and subprocess.run(
        [ssot, "sync-ruff", "--config", str(tree / ".importlinter"), "--pyproject", str(config)],
        cwd=tree, capture_output=True, check=False,
    ).returncode == 0
    if synced:
        from ssot_flake8.policy.config import tomllib

        bans = {name: entry["msg"] for name, entry in tomllib.loads(config.read_text())
                ["lint"]["flake8-tidy-imports"]["banned-api"].items()}
    else:
        bans = policy_bans(tree / ".importlinter")
        config.write_text(ruff_toml(bans), encoding="utf-8")
        source = "bans derived from the policy by benchmarks/run.py: `ssot sync-ruff` not available"
    (work / "banned-modules.txt").write_text(
        "".join(f"{name} = {message}\n" for name, message in bans.items()), encoding="utf-8")
    return source


def policy_bans(config: Path) -> dict[str, str]:
    """What `ssot sync-ruff` bans: deprecated modules, banned calls and non-canonical names."""
    from ssot_flake8.policy.config import load_policy
    from ssot_flake8.rules.calls import BY_KIND

    policy = load_policy(config)
    bans = {module: f"[ssot] SOT002 deprecated module{d.instead}"
            for module, d in policy.deprecated.items()}
    bans.update({name: f"[ssot] {BY_KIND[call.kind].code} {call.instead}"
                 for name, call in policy.banned.items()})
    bans.update({name: f"[ssot] SOT001 use `{symbol.import_line}`"
                 for name, symbol in policy.names.items() if name != symbol.qualname})
    return dict(sorted(bans.items()))


def ruff_toml(bans: dict[str, str]) -> str:
    lines = ["[lint.flake8-tidy-imports.banned-api]"]
    lines += [f"{json.dumps(name)}.msg = {json.dumps(message)}" for name, message in bans.items()]
    return "\n".join(lines) + "\n"


# -- the run -------------------------------------------------------------------------------------


class Progress:
    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.tty = sys.stderr.isatty()

    def step(self, text: str) -> None:
        self.done += 1
        if self.tty:
            sys.stderr.write(f"\r\033[K[{self.done}/{self.total}] {text}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\r\033[K")


def run_all(tools: list[Tool], runs: int) -> None:
    active = [tool for tool in tools if not tool.skipped]
    progress = Progress(runs * len(active))
    for round_number in range(1, runs + 1):
        for tool in active:
            progress.step(f"{tool.label} (run {round_number}/{runs})")
            if tool.prepare:
                tool.prepare()
            sample = measure(tool.argv, tool.tree, tool.env)
            if sample.exit_code not in tool.ok_codes:
                progress.close()
                last = sample.output.strip().splitlines()[-1:] or ["no output"]
                tool.skipped = f"failed (exit {sample.exit_code}): {last[0][:200]}"
                print(f"run.py: {tool.key}: {tool.skipped}", file=sys.stderr)
                active = [t for t in active if t is not tool]
                continue
            tool.samples.append(sample)
    progress.close()


def snapshot_copy(snapshot: Path) -> Path:
    """A writable copy of a real snapshot's `.py` and `.gitignore` files, with the policy."""
    if not (snapshot / "netra_backend").is_dir():
        sys.exit(f"run.py: NETRA_SNAPSHOT={snapshot}: no netra_backend package there")
    copy = Path(os.environ.get("NETRA_COPY") or f"/tmp/ssot-bench-{snapshot.name}").resolve()
    if copy == snapshot or snapshot in copy.parents:
        sys.exit(f"run.py: NETRA_COPY={copy}: must be outside the snapshot")
    if not (copy / ".copied").is_file():
        print(f"run.py: copying {snapshot}'s .py files to {copy} ...", file=sys.stderr)
        shutil.rmtree(copy, ignore_errors=True)
        for root, dirs, names in os.walk(snapshot):
            dirs[:] = [d for d in dirs if d not in (".git", "node_modules")]
            for name in names:
                if name.endswith(".py") or name == ".gitignore":
                    source = Path(root, name)
                    target = copy / source.relative_to(snapshot)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, target)
        (copy / ".copied").write_text(str(snapshot), encoding="utf-8")
    policy = Path(os.environ.get("NETRA_POLICY") or HERE / "real.importlinter")
    shutil.copyfile(policy, copy / ".importlinter")
    return copy


def ensure_tree(tree: Path) -> None:
    if not (tree / ".importlinter").is_file():
        print(f"run.py: generating {tree} (benchmarks/generate.py) ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(tree)], check=True)
    # A real backend is its own repository, and `ssot check` lists a repository's files with
    # git: the tree gets a repository of its own so discovery is timed the way it runs there.
    top = subprocess.run(["git", "-C", str(tree), "rev-parse", "--show-toplevel"],
                         capture_output=True, text=True, check=False)
    if shutil.which("git") and Path(top.stdout.strip() or "/").resolve() != tree.resolve():
        subprocess.run(["git", "init", "-q", str(tree)], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE,
                        help="a tree from benchmarks/generate.py (generated when missing)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--flake8-tree", type=Path,
                        help="run the flake8 rows on this (smaller) tree instead: full flake8 "
                        "takes minutes per run on the default tree")
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="a checkout of ssot-flake8 (e.g. main before a change): every ssot "
                        "row runs again with it on PYTHONPATH, and the report sets them side by side")
    parser.add_argument("--only", help="comma-separated tool keys to run (default: all)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    snapshot = os.environ.get("NETRA_SNAPSHOT")
    tree = snapshot_copy(Path(snapshot).resolve()) if snapshot else args.tree.resolve()
    ensure_tree(tree)
    flake8_tree = args.flake8_tree.resolve() if args.flake8_tree else tree
    ensure_tree(flake8_tree)
    with tempfile.TemporaryDirectory(prefix="ssot-bench-") as work_dir:
        work = Path(work_dir)
        finder = Tools(tree, work, flake8_tree, args.before.resolve() if args.before else None)
        bans_source = write_bans(tree, work, finder.which("ssot"))
        tools = finder.build()
        if args.only:
            wanted = set(args.only.split(","))
            unknown = wanted - {tool.key for tool in tools}
            if unknown:
                parser.error(f"unknown tool key(s): {', '.join(sorted(unknown))}")
            tools = [tool for tool in tools if tool.key in wanted]
        load_start = os.getloadavg()[0]
        try:
            run_all(tools, args.runs)
        finally:
            for tool in tools:
                if isinstance(tool.prepare, ModuleEdit):
                    tool.prepare.restore()
        text = report(tools, tree, flake8_tree, args.runs, bans_source,
                      (load_start, os.getloadavg()[0]))
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
