"""`ssot init TARGET`: write a starter SSOT policy (and pre-commit config) for a package.

The scan (summary.py), the proposal (proposal.py), the boundary contracts (layering.py) and the
writers (write.py) live beside it; this module runs them, never overwriting without --force, and
checks that the result loads as a policy before it writes.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ssot_flake8.commands.init.layering import build_graph, propose_layers
from ssot_flake8.commands.init.proposal import DEFAULT_MAX, Proposal
from ssot_flake8.commands.init.proposal import propose as propose_policy
from ssot_flake8.commands.init.summary import scan
from ssot_flake8.commands.init.write import write_ini, write_toml
from ssot_flake8.policy.config import build_policy, read_ini, read_raw_config, read_toml
from ssot_flake8.policy.model import PolicyError
from ssot_flake8.services.options import UsageError, shown
from ssot_flake8.support.atomic_write import write_atomic

OUTPUTS = (".importlinter", "setup.cfg", "pyproject.toml")
PRE_COMMIT = ".pre-commit-config.yaml"


def add_parser(verbs) -> None:
    parser = verbs.add_parser("init", help="scan a package and write a starter SSOT policy")
    parser.add_argument("package", metavar="TARGET",
                        help="the package or sub-package to write the policy for, e.g. netra_backend or "
                        "netra_backend.app.websocket_core (its whole root package is scanned for evidence)")
    parser.add_argument("--root", default=".", help="the project directory holding the package "
                        "(or its src/); the files are written there (default: .)")
    parser.add_argument("--output", default=".importlinter", metavar="PATH",
                        help="the import-linter config to write the policy into, relative to --root: "
                        ".importlinter (default), setup.cfg, pyproject.toml, or any path (a .toml "
                        "file is written as pyproject.toml, anything else as INI); the pre-commit "
                        "config goes next to it")
    parser.add_argument("--max", type=_positive, default=DEFAULT_MAX, metavar="N",
                        help=f"register at most N symbols, those with the most evidence "
                        f"(default: {DEFAULT_MAX})")
    parser.add_argument("--no-boundaries", action="store_true",
                        help="write only the ssot contract, no layers contract")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing ssot contract / add to an existing pre-commit config")
    parser.set_defaults(handler=run_init)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return int(text)


# -- the pre-commit config -------------------------------------------------------------------------



PRE_COMMIT_REPO = """\
  # ssot-flake8's hooks (its .pre-commit-hooks.yaml). Replace the placeholder URL with the
  # repository you install ssot-flake8 from, then run `pre-commit autoupdate`: it writes the
  # sha of that repository's newest commit over COMMIT (it has no release tags).
  - repo: https://example.com/REPLACE-ME/ssot-flake8
    rev: COMMIT
    hooks:
      - id: ssot-fix           # rewrites non-canonical imports; fails when it changed a file
      - id: ssot-check         # the standalone checker on the changed files
      - id: ssot-lint-imports  # import-linter: your contracts and the ssot contract
      # - id: ssot-flake8      # the same rules through flake8, if flake8 runs in your hooks
      # - id: ssot-sync-check  # after `ssot sync-ruff`: ruff's banned-api must match the policy
"""


def pre_commit_config(existing: str | None, force: bool) -> tuple[str | None, str]:
    """The new pre-commit config text (None: leave it) and a line saying what happened."""
    if existing is None:
        return "# Written by `ssot init`.\nrepos:\n" + PRE_COMMIT_REPO, "wrote {path}"
    if re.search(r"^\s*-\s*id:\s*ssot-", existing, re.M):
        return None, "kept {path} (it already uses the ssot hooks)"
    if not force:
        return None, "kept {path} (it exists; re-run with --force to add the ssot hooks)"
    lines = existing.rstrip("\n").split("\n")
    top_level = [i for i, line in enumerate(lines) if re.match(r"^[A-Za-z_][\w-]*\s*:", line)]
    if not top_level or lines[top_level[-1]].strip() != "repos:":
        return None, "kept {path} (`repos:` is not its last top-level key: add the ssot hooks by hand)"
    return existing.rstrip("\n") + "\n" + PRE_COMMIT_REPO, "added the ssot hooks to {path}"


# -- the command ----------------------------------------------------------------------------------


def run_init(args: argparse.Namespace) -> int:
    root = Path(args.root)
    if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", args.package):
        raise UsageError(f"{args.package!r} is not a dotted package name")
    source_root = _source_root(root, args.package)
    root_package = args.package.split(".")[0]
    config = root / args.output
    toml = config.suffix == ".toml"
    _refuse_early(config, args.force)  # before a long scan, not after it
    modules, warnings = scan(root_package, source_root)
    for warning in warnings:
        print(f"ssot init: warning: {warning}", file=sys.stderr)
    proposal = propose_policy(args.package, modules, args.max)
    if proposal.groups and not args.no_boundaries:
        graph = build_graph(root_package, source_root)
        layers = graph and propose_layers(graph, args.package, set(proposal.deprecated))
        proposal.boundaries = [layers] if layers else []
    report(proposal, len(modules))
    if not proposal.groups:
        print("No class with evidence of drift: no policy written.")
        return 0
    old = _read(config)
    writer = write_toml if toml else write_ini
    new = writer(old, proposal, args.force, shown(config))
    _validate(config, new, source_root)
    if new != old:
        write_atomic(config, new)
    counts = ", ".join(f"{len(v)} {k}" for k, v in proposal.fields().items())
    print(f"wrote {shown(config)}: contract {proposal.contract_id!r} ({counts})")
    for boundary in proposal.boundaries:
        print(f"wrote {shown(config)}: contract {boundary.id!r} ({len(boundary.layers)} layers, "
              f"{len(boundary.ignore_imports)} ignore_imports)")
    hooks = config.parent / PRE_COMMIT
    text, what = pre_commit_config(_read(hooks) if hooks.exists() else None, args.force)
    if text is not None:
        write_atomic(hooks, text)
    print(what.format(path=shown(hooks)))
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{shown(path)}: cannot read: {error}") from None


def _refuse_early(config: Path, force: bool) -> None:
    """No overwrite without --force; and import-linter reads the first config holding
    `[importlinter]`, so a policy written into another file would be ignored."""
    if config.is_file() and read_raw_config(config)[0] and not force:  # a broken file: PolicyError
        what = "[tool.importlinter]" if config.suffix == ".toml" else "an import-linter configuration"
        raise UsageError(f"{shown(config)} already holds {what}; "
                         f"re-run with --force to add the ssot contract to it")
    for name in OUTPUTS:
        other = config.parent / name
        if name != config.name and other.is_file() and _holds_importlinter(other):
            raise UsageError(f"{shown(other)} already holds the import-linter configuration; "
                             f"write the policy there with --output {name}")


def _holds_importlinter(path: Path) -> bool:
    try:
        return bool(read_raw_config(path)[0])
    except PolicyError:
        return True  # unreadable: certainly not ours to write next to


def _source_root(root: Path, package: str) -> Path:
    for candidate in (root, root / "src"):
        base = candidate.joinpath(*package.split("."))
        if base.is_dir() or base.with_suffix(".py").is_file():
            return candidate
    raise UsageError(f"package {package} not found in {root} or {root / 'src'}")


def _validate(config: Path, text: str, source_root: Path) -> None:
    """Load the proposed policy the way every front-end will, before anything is written."""
    read = read_toml if config.suffix == ".toml" else read_ini
    base = config.resolve().parent
    try:
        session, contracts = read(config, text)
        build_policy(config, session, contracts, [base, base / "src", source_root.resolve()])
    except PolicyError as error:
        raise UsageError(f"the proposed policy does not load, nothing written: {error}") from None


def report(proposal: Proposal, scanned: int) -> None:
    print(f"Scanned {scanned} modules of {proposal.root_package}; the policy is for {proposal.package}.")
    for number, group in enumerate(proposal.groups):
        print(f"\n{number + 1}. {group.name} (score {proposal.scores[number]}: "
              f"{proposal.evidence[number].summary(group)}):")
        for home in group.homes:
            kind = "class" if home in group.definitions else "alias"
            mark = "canonical" if home == group.canonical else "old name"
            print(f"  {mark:9} {home}  ({kind}, imported {group.imports[home]}x)")
        for path in sorted(group.reexports):
            print(f"  re-export {path}")
    if proposal.deprecated:
        print("\ndeprecated modules:")
        for module, (replacement, why) in proposal.deprecated.items():
            print(f"  {module} ({why})" + (f" -> {replacement}" if replacement else ""))
    if proposal.banned:
        print("\nsingleton getters and factories:")
        for builder in proposal.builders.values():
            print(f"  {builder.kind:9} {builder.qualname} ({builder.how})")
        for path in sorted(set(proposal.banned) - set(proposal.builders)):
            print(f"  re-export {path}")
    for instance in proposal.instances:
        print(f"  module-level instance at {shown(Path(instance))} (SOT201 reports it)")
    if proposal.unwritten:
        shown_names = ", ".join(proposal.unwritten[:10]) + (", ..." if len(proposal.unwritten) > 10 else "")
        print(f"\n{len(proposal.unwritten)} more class names are repeated or drifted with less evidence "
              f"(or beyond --max); not written: {shown_names}")
    for boundary in proposal.boundaries:
        print(f"\nlayers of {boundary.container} (top first); imports breaking them today, recorded "
              f"in ignore_imports: {len(boundary.ignore_imports)}")
        for line, _ in boundary.layer_lines():
            print(f"  {line}")
    print()
