"""`ssot init PACKAGE`: write a starter SSOT policy (and pre-commit config) for a package.

The scan (summary.py) and the proposal (proposal.py) live beside it; this module writes them into
the config file the user picks, never overwriting without --force,
and checks that the result loads as a policy.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ssot_flake8.commands.init.proposal import Proposal
from ssot_flake8.commands.init.proposal import propose as propose_policy
from ssot_flake8.commands.init.summary import scan
from ssot_flake8.policy.config import build_policy, read_ini, read_raw_config, read_toml
from ssot_flake8.policy.model import CONTRACT_CLASS, PolicyError
from ssot_flake8.services.options import UsageError, shown
from ssot_flake8.support.atomic_write import write_atomic

OUTPUTS = (".importlinter", "setup.cfg", "pyproject.toml")
PRE_COMMIT = ".pre-commit-config.yaml"


def add_parser(verbs) -> None:
    parser = verbs.add_parser("init", help="scan a package and write a starter SSOT policy")
    parser.add_argument("package", help="the package to scan, e.g. netra_backend")
    parser.add_argument("--root", default=".", help="the project directory holding the package "
                        "(or its src/); the files are written there (default: .)")
    parser.add_argument("--output", choices=OUTPUTS, default=".importlinter",
                        help="the import-linter config to write the policy into (default: .importlinter)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing ssot contract / add to an existing pre-commit config")
    parser.set_defaults(handler=run_init)


# -- writing ---------------------------------------------------------------------------------------


def render_ini(proposal: Proposal, alias: str = "ssot") -> str:
    """The contract section (the `[importlinter]` session is rendered by render_ini_session)."""
    lines = [
        f"[importlinter:contract:{proposal.contract_id}]",
        f"name = {_contract_name(proposal)}",
        f"type = {alias}",
    ]
    for name, entries in proposal.fields().items():
        if entries:
            lines.append(f"{name} =")
            lines += [f"    {entry}" for entry in entries]
    return "\n".join(lines) + "\n"


def render_ini_session(proposal: Proposal) -> str:
    return (
        "# Starter SSOT policy written by `ssot init`: review every entry before adopting it\n"
        "# (docs/policy-format.md describes the fields).\n"
        "[importlinter]\n"
        f"root_package = {proposal.root_package}\n"
        "contract_types =\n"
        f"    ssot: {CONTRACT_CLASS}\n"
    )


def _contract_name(proposal: Proposal) -> str:
    names = ", ".join(g.name for g in proposal.groups)
    return f"{names} {'has' if len(proposal.groups) == 1 else 'have'} a single source of truth"


SECTION = re.compile(r"^\[([^\]\n]+)\][ \t]*$", re.M)


def write_ini(text: str, proposal: Proposal, force: bool, path: Path) -> str:
    """`text` with the policy added: appended when the file has no `[importlinter]` section, or
    (with --force) the contract section replaced and the contract type registered."""
    sections = {m.group(1).strip(): m for m in SECTION.finditer(text)}
    if "importlinter" not in sections:
        separator = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
        return text + separator + render_ini_session(proposal) + "\n" + render_ini(proposal)
    if not force:
        raise UsageError(f"{path} already holds an import-linter configuration; "
                         f"re-run with --force to add the ssot contract to it")
    text, alias = _register_ini(text, sections["importlinter"], path, proposal)
    section = render_ini(proposal, alias)
    matches = {m.group(1).strip(): m for m in SECTION.finditer(text)}
    ours = matches.get(f"importlinter:contract:{proposal.contract_id}")
    if ours is None:
        return text + ("" if text.endswith("\n") else "\n") + "\n" + section
    following = [m.start() for m in SECTION.finditer(text) if m.start() > ours.start()]
    end = following[0] if following else len(text)
    lines = text[ours.start():end].splitlines(keepends=True)
    # Keep the blank lines and comments after the section's last value: they introduce what follows.
    last = max(i for i, line in enumerate(lines) if line.strip() and line.lstrip()[0] not in "#;")
    return text[:ours.start()] + section + "".join(lines[last + 1:]) + text[end:]


def _register_ini(text: str, header: re.Match, path: Path, proposal: Proposal) -> tuple[str, str]:
    """Make sure `contract_types` registers our contract type; return the text and its alias."""
    following = [m.start() for m in SECTION.finditer(text) if m.start() > header.start()]
    end = following[0] if following else len(text)
    body = text[header.end():end]
    roots = re.search(r"^root_packages?[ \t]*[=:](.*(?:\n[ \t]+.+)*)", body, re.M)
    root_list = roots.group(1).split() if roots else []
    if proposal.root_package not in root_list:
        raise UsageError(f"{path}: [importlinter] root_package is not {proposal.root_package}")
    registered = re.search(rf"^[ \t]*(\w+)[ \t]*:[ \t]*{re.escape(CONTRACT_CLASS)}[ \t]*$", body, re.M)
    if registered:
        return text, registered.group(1)
    entry = f"    ssot: {CONTRACT_CLASS}\n"
    key = re.search(r"^contract_types[ \t]*[=:].*\n(?:[ \t]+.+\n)*", body, re.M)
    if key:
        at = header.end() + key.end()
        return text[:at] + entry + text[at:], "ssot"
    at = header.end() + 1
    return text[:at] + "contract_types =\n" + entry + text[at:], "ssot"


def write_toml(text: str, proposal: Proposal, force: bool, path: Path) -> str:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        document = tomlkit.parse(text)
    except TOMLKitError as error:
        raise UsageError(f"{path}: not valid TOML: {error}") from None
    tool = document.setdefault("tool", tomlkit.table(is_super_table=True))
    existing = tool.get("importlinter")
    contract = tomlkit.table()
    contract["id"] = proposal.contract_id
    contract["name"] = _contract_name(proposal)
    contract["type"] = "ssot"
    for name, entries in proposal.fields().items():
        if entries:
            contract[name] = _multiline(entries)
    if existing is None:
        session = tomlkit.table()
        session.add(tomlkit.comment("Starter SSOT policy written by `ssot init`: review every entry"))
        session.add(tomlkit.comment("before adopting it (docs/policy-format.md describes the fields)."))
        session["root_package"] = proposal.root_package
        session["contract_types"] = [f"ssot: {CONTRACT_CLASS}"]
        session.add(tomlkit.nl())
        session["contracts"] = tomlkit.aot()
        session["contracts"].append(contract)
        tool["importlinter"] = session
        return tomlkit.dumps(document)
    if not force:
        raise UsageError(f"{path} already holds [tool.importlinter]; "
                         f"re-run with --force to add the ssot contract to it")
    return _merge_toml(document, existing, contract, proposal, path)


def _merge_toml(document, session, contract, proposal: Proposal, path: Path) -> str:
    import tomlkit

    roots = session.get("root_packages") or [session.get("root_package")]
    if proposal.root_package not in roots:
        raise UsageError(f"{path}: [tool.importlinter] root_package is not {proposal.root_package}")
    types = session.setdefault("contract_types", [])
    alias = next((t.partition(":")[0].strip() for t in types if t.partition(":")[2].strip()
                  == CONTRACT_CLASS), None)
    if alias is None:
        types.append(f"ssot: {CONTRACT_CLASS}")
        alias = "ssot"
    contract["type"] = alias
    contracts = session.setdefault("contracts", tomlkit.aot())
    for number, item in enumerate(contracts):
        if item.get("id") == proposal.contract_id:
            contracts[number] = contract
            break
    else:
        contracts.append(contract)
    return tomlkit.dumps(document)


def _multiline(entries: list[str]):
    import tomlkit

    array = tomlkit.array()
    array.extend(entries)
    return array.multiline(True)


PRE_COMMIT_REPO = """\
  # ssot-flake8's hooks (its .pre-commit-hooks.yaml). Replace the placeholder URL with the
  # repository you install ssot-flake8 from and `rev` with a tag of it.
  - repo: https://example.com/REPLACE-ME/ssot-flake8
    rev: v0.1.0
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
    config = root / args.output
    _refuse_early(root, args.output, args.force)  # before a long scan, not after it
    modules, warnings = scan(args.package, source_root)
    for warning in warnings:
        print(f"ssot init: warning: {warning}", file=sys.stderr)
    proposal = propose_policy(args.package, modules)
    report(proposal, len(modules))
    if not proposal.groups:
        print("No duplicated class with evidence of drift: no policy written.")
        return 0
    old = _read(config)
    writer = write_toml if args.output == "pyproject.toml" else write_ini
    new = writer(old, proposal, args.force, shown(config))
    _validate(config, new)
    write_atomic(config, new)
    counts = ", ".join(f"{len(v)} {k}" for k, v in proposal.fields().items())
    print(f"wrote {shown(config)}: contract {proposal.contract_id!r} ({counts})")
    hooks = root / PRE_COMMIT
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


def _refuse_early(root: Path, output: str, force: bool) -> None:
    """No overwrite without --force; and import-linter reads the first config holding
    `[importlinter]`, so a policy written into another file would be ignored."""
    config = root / output
    if config.is_file() and read_raw_config(config)[0] and not force:  # a broken file: PolicyError
        what = "[tool.importlinter]" if output == "pyproject.toml" else "an import-linter configuration"
        raise UsageError(f"{shown(config)} already holds {what}; "
                         f"re-run with --force to add the ssot contract to it")
    for name in OUTPUTS:
        other = root / name
        if name != output and other.is_file() and _holds_importlinter(other):
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


def _validate(config: Path, text: str) -> None:
    """Load the proposed policy the way every front-end will, before anything is written."""
    read = read_toml if config.suffix == ".toml" else read_ini
    base = config.resolve().parent
    try:
        session, contracts = read(config, text)
        build_policy(config, session, contracts, [base, base / "src"])
    except PolicyError as error:
        raise UsageError(f"the proposed policy does not load, nothing written: {error}") from None


def report(proposal: Proposal, scanned: int) -> None:
    print(f"Scanned {scanned} modules of {proposal.package}.")
    for group in proposal.groups:
        print(f"\nduplicate implementations of {group.name} "
              f"({len(group.definitions)} classes, {len(group.aliases)} aliases):")
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
        print(f"\n{len(proposal.unwritten)} more class names are defined in several modules without "
              f"evidence of drift; not written: {shown_names}")
    print()
