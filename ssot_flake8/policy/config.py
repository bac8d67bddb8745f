"""Finding and reading the policy: import-linter configuration files, turned into a Policy.

Discovery follows import-linter: `setup.cfg` and `.importlinter` (an `[importlinter]` section),
then `pyproject.toml` (`[tool.importlinter]`), in the working directory. Unlike import-linter we
then also look in parent directories, so an editor started in a sub-folder finds the policy.
"""

from __future__ import annotations

import ast
import configparser
import difflib
import importlib.util
import re
import sys
from pathlib import Path

from ssot_flake8.policy.boundaries import BoundaryError, parse_boundaries
from ssot_flake8.policy.locate import in_file_order, with_line
from ssot_flake8.policy.model import CONTRACT_CLASS, INI_NAMES, TOML_NAME, Policy, PolicyError, as_list
from ssot_flake8.policy.ssot_contract import ContractParser

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

# -- discovery ---------------------------------------------------------------------------------


def find_config(start: Path | None = None) -> Path:
    """The first directory from `start` upwards holding an import-linter config with a policy."""
    directory = (start or Path.cwd()).resolve()
    for candidate_dir in (directory, *directory.parents):
        found = [candidate_dir / name for name in (*INI_NAMES, TOML_NAME)
                 if (candidate_dir / name).is_file() and _has_importlinter_section(candidate_dir / name)]
        if found:
            _say_which_wins(found)
            return found[0]
    raise PolicyError(
        f"no SSOT policy (an import-linter configuration in setup.cfg, .importlinter or "
        f"pyproject.toml registering {CONTRACT_CLASS}) found in {directory} or its parents"
    )


_TOLD: set[Path] = set()


def _say_which_wins(found: list[Path]) -> None:
    """Two policies in one folder: import-linter reads the first, so do we; say so, once a run."""
    others = " and ".join(path.name for path in found[1:] if _readable(path))  # not just broken
    if others and found[0] not in _TOLD:
        _TOLD.add(found[0])
        print(f"ssot: warning: {found[0].parent}: {found[0].name} and {others} both hold an "
              f"import-linter configuration; using {found[0].name}, as import-linter does",
              file=sys.stderr)


def _readable(path: Path) -> bool:
    try:
        read_raw_config(path)
    except PolicyError:
        return False
    return True


def _has_importlinter_section(path: Path) -> bool:
    """An import-linter config that registers the `ssot` type; others hold no SSOT policy."""
    try:
        session, _ = read_raw_config(path)
    except PolicyError:
        return True  # let load_policy report what is wrong with it
    # `ssot_flake8.` rather than the class: a misspelt class is reported, not passed over
    return bool(session) and "ssot_flake8." in str(session.get("contract_types", ""))


def read_raw_config(path: Path) -> tuple[dict, list[dict]]:
    """import-linter's view of a config file: session options and a list of contract options."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path}: cannot read the configuration: {error}") from None
    if path.suffix == ".toml":
        return read_toml(path, text)
    return read_ini(path, text)


def read_ini(path: Path, text: str) -> tuple[dict, list[dict]]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.ParsingError as error:
        if isinstance(error, configparser.MissingSectionHeaderError):
            raise PolicyError(_ini_error(path, error)) from None
        # configparser reads on past the bad lines: the policy's other problems come too
        problem = PolicyError(_ini_error(path, error))
        problem.partial = _ini_options(parser)
        raise problem from None
    except configparser.Error as error:
        raise PolicyError(_ini_error(path, error)) from None
    return _ini_options(parser)


def _ini_options(parser: configparser.ConfigParser) -> tuple[dict, list[dict]]:
    if "importlinter" not in parser.sections():
        return {}, []
    session = _clean_ini_section(parser["importlinter"])
    contracts = []
    for section in parser.sections():
        if section.startswith("importlinter:"):
            options = {"id": section.split(":")[-1]}
            options.update(_clean_ini_section(parser[section]))
            contracts.append(options)
    return session, contracts


def _ini_error(path: Path, error: configparser.Error) -> str:
    """One line per bad line: `FILE:LINE: not a valid INI file: ...` (configparser lists all the
    lines it could not parse, but in one multi-line message)."""
    if isinstance(error, configparser.ParsingError) and not isinstance(
            error, configparser.MissingSectionHeaderError):
        return "\n".join(f"{path}:{number}: not a valid INI file: cannot parse "
                         f"{line.strip(chr(39)).replace(chr(92) + 'n', '').strip()!r}"
                         for number, line in error.errors)
    first_line = str(error).splitlines()[0]
    first_line = re.sub(r"^While reading from '[^']*' \[line +\d+\]: ", "", first_line)
    number = getattr(error, "lineno", None)
    return f"{path}:{number}: not a valid INI file: {first_line}" if number else \
        f"{path}: not a valid INI file: {first_line}"


def _clean_ini_section(section: configparser.SectionProxy) -> dict:
    cleaned: dict = {}
    for key, value in section.items():
        cleaned[key] = value.strip().split("\n") if "\n" in value else value
    return cleaned


def read_toml(path: Path, text: str) -> tuple[dict, list[dict]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r" \(at line (\d+), column \d+\)$", str(error))
        if where:
            message = str(error)[:where.start()]
            raise PolicyError(f"{path}:{where[1]}: not a valid TOML file: {message}") from None
        raise PolicyError(f"{path}: not a valid TOML file: {error}") from None
    tool = data.get("tool", {})
    section = tool.get("importlinter", {}) if isinstance(tool, dict) else {}
    if not isinstance(section, dict):
        raise PolicyError(f"{path}: [tool.importlinter] must be a table, not a {_kind(section)}")
    session = dict(section)
    contracts = session.pop("contracts", [])
    if not isinstance(contracts, list):
        raise PolicyError(f"{path}: [tool.importlinter]: contracts must be an array of tables "
                          f"([[tool.importlinter.contracts]]), not a {_kind(contracts)}")
    for number, contract in enumerate(contracts):
        if not isinstance(contract, dict):
            raise PolicyError(f"{path}: [tool.importlinter]: contracts[{number}] must be a table, "
                              f"not a {_kind(contract)}")
        contract.setdefault("id", contract.get("id") or str(number))
    return session, contracts


def _kind(value: object) -> str:
    return {str: "string", list: "array", dict: "table", bool: "boolean", int: "integer",
            float: "float"}.get(type(value), type(value).__name__)


# -- parsing -----------------------------------------------------------------------------------


def load_policy(config: Path | str | None = None) -> Policy:
    """Read and validate the policy from `config`, or from the discovered configuration."""
    path = Path(config) if config else find_config()
    if not path.is_file():
        raise PolicyError(f"{path}: no such configuration file")
    base = path.resolve().parent
    try:
        session, contracts = read_raw_config(path)
    except PolicyError as error:
        if not hasattr(error, "partial"):
            raise
        try:  # lines that do not parse, and then what is wrong with the rest
            build_policy(path, *error.partial, [base, base / "src"])
        except PolicyError as more:
            raise PolicyError("\n".join(in_file_order(f"{error}\n{more}".splitlines()))) from None
        raise
    return build_policy(path, session, contracts, [base, base / "src"])


def build_policy(
    path: Path, session: dict, contracts: list[dict], search_dirs: list[Path]
) -> Policy:
    """The policy of a config's session and contract options; modules are found in search_dirs.

    Every problem of the policy is reported at once, one line each, `FILE:LINE: ...`."""
    if not session:
        raise PolicyError(f"{path}: no [importlinter] section")
    root_packages = _root_packages(path, session)
    policy = Policy(
        config_path=path.resolve(),
        root_packages=root_packages,
        source_roots=_source_roots(path, root_packages, search_dirs),
        session=session,
        contracts=tuple(contracts),
    )
    problems: list[tuple[str, str | None]] = []  # (detail without the file name, entry)
    try:
        policy.boundaries = parse_boundaries(session, contracts, policy.is_module)
    except BoundaryError as error:
        problems += [(line, None) for line in str(error).splitlines()]
    # A config with only import-linter's own contracts still gets the editor mirror (SOT005).
    boundaries = bool(policy.boundaries.contracts) or bool(problems)
    aliases = ssot_aliases(path, session, required=not boundaries)
    problems += [(detail, None) for detail in _contract_types(session, contracts, aliases)]
    ssot_contracts = [c for c in contracts if c.get("type") in aliases]
    if not ssot_contracts and not boundaries and not problems:
        raise PolicyError(f"{path}: no contract of type {' or '.join(sorted(aliases))}")
    for options in ssot_contracts:
        problems += [(str(p), getattr(p, "entry", None))
                     for p in ContractParser(path, options, policy).parse()]
    if problems:
        raise PolicyError("\n".join(in_file_order([with_line(path, detail, entry)
                                                   for detail, entry in problems])))
    return policy


# import-linter's own contract types, which every configuration may use without registering.
BUILT_IN_TYPES = ("forbidden", "layers", "independence", "protected", "private_modules",
                  "acyclic_siblings")


def _contract_types(session: dict, contracts: list[dict], aliases: set[str]) -> list[str]:
    """A contract without a `type`, or of a type nothing registers: lint-imports refuses the
    whole configuration, so every front-end does."""
    known = [*BUILT_IN_TYPES, *(entry.partition(":")[0].strip()
                                for entry in as_list(session.get("contract_types", [])))]
    problems = []
    for options in contracts:
        kind = options.get("type")
        where = f"contract {str(options.get('id', '?'))!r}: type"
        if not kind:
            problems.append(f"{where}: this is a required field (one of {', '.join(known)})")
        elif kind not in known:
            hint = difflib.get_close_matches(str(kind), known, n=1)
            suffix = f"; did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(known)})"
            problems.append(f"{where}: {kind!r} is not a contract type{suffix}")
    return problems


def _root_packages(path: Path, session: dict) -> tuple[str, ...]:
    roots = session.get("root_packages") or session.get("root_package")
    if not roots:
        raise PolicyError(with_line(path, "[importlinter]: root_package: this is a required field "
                                     "(or root_packages)"))
    return tuple(as_list(roots))


def ssot_aliases(path: Path, session: dict, required: bool = True) -> set[str]:
    """The contract types the config registers for our SsotContract."""
    aliases = set()
    for entry in as_list(session.get("contract_types", [])):
        alias, sep, target = entry.partition(":")
        if not sep:
            raise PolicyError(with_line(path, f"[importlinter]: contract_types: bad entry {entry!r}",
                                        entry))
        if target.strip().startswith("ssot_flake8.") and not _our_class(target.strip()):
            raise PolicyError(with_line(
                path, f"[importlinter]: contract_types: {target.strip()} does not exist; "
                f"did you mean {CONTRACT_CLASS}?", target.strip()))
        if target.strip() == CONTRACT_CLASS:
            aliases.add(alias.strip())
    if not aliases and required:
        raise PolicyError(with_line(
            path, f"[importlinter]: contract_types: {CONTRACT_CLASS} is not registered "
            f"(add `ssot: {CONTRACT_CLASS}`)"))
    return aliases


def _our_class(qualname: str) -> bool:
    """Whether one of our own modules defines the class (its source is read, not imported)."""
    module, _, name = qualname.rpartition(".")
    try:
        spec = importlib.util.find_spec(module)
        tree = ast.parse(Path(spec.origin).read_bytes()) if spec and spec.origin else None
    except (ImportError, ValueError, OSError, SyntaxError):
        return False
    return tree is not None and any(
        isinstance(node, ast.ClassDef) and node.name == name for node in tree.body)


def _source_roots(path: Path, root_packages: tuple[str, ...], search_dirs: list[Path]) -> tuple[Path, ...]:
    for candidate in search_dirs:
        if all(_package_dir(candidate, root).exists() for root in root_packages):
            return (candidate.resolve(),)
    missing = ", ".join(root_packages)
    where = ", ".join(str(d) for d in search_dirs[:2])
    raise PolicyError(with_line(path, f"[importlinter]: root_package: {missing} not found in {where}",
                                missing))


def _package_dir(root: Path, package: str) -> Path:
    directory = root.joinpath(*package.split("."))
    return directory if directory.is_dir() else directory.with_suffix(".py")


