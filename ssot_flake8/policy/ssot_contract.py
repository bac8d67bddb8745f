"""Validating one `ssot` contract's options and adding them to the policy's tables."""

from __future__ import annotations

import ast
import difflib
from pathlib import Path

from ssot_flake8.policy.model import (
    ALERT_LEVELS,
    BANNED_KINDS,
    COMMON_FIELDS,
    DOTTED,
    LIST_FIELDS,
    STRING_FIELDS,
    BannedCall,
    DeprecatedModule,
    Policy,
    PolicyError,
    Symbol,
    as_list,
    module_path,
)


class ContractParser:
    """Validates one `ssot` contract's options and adds them to the policy's tables."""

    def __init__(self, path: Path, options: dict, policy: Policy) -> None:
        self.path = path
        self.options = options
        self.policy = policy
        self.contract = options.get("id", "?")
        self.problems: list[PolicyError] = []  # every problem of the contract, not just the first
        self.failed: set[str] = set()  # canonical entries that failed: no follow-up errors

    def error(self, field_name: str, message: str, entry: str | None = None) -> PolicyError:
        """A problem without the file name: build_policy adds `FILE:LINE: ` in front."""
        problem = PolicyError(f"contract {self.contract!r}: {field_name}: {message}")
        problem.entry = entry
        return problem

    def attempt(self, step, *arguments) -> bool:
        try:
            step(*arguments)
        except PolicyError as problem:
            self.problems.append(problem)
            return False
        return True

    def entries(self, field_name: str) -> list[str]:
        return as_list(self.options.get(field_name, []))

    def parse(self) -> list[PolicyError]:
        """Adds what is valid to the policy; returns every problem found (in file order)."""
        self.check_field_names()
        canonical = self.entries("canonical")
        if not canonical:
            self.problems.append(self.error("canonical", "this is a required field"))
        for entry in canonical:
            if not self.attempt(self.add_canonical, entry):
                self.failed.add(entry.strip())
        for field_name, step in (("required_arguments", self.add_required_arguments),
                                 ("old_names", self.add_old_name),
                                 ("deprecated_modules", self.add_deprecated),
                                 ("banned_calls", self.add_banned)):
            for entry in self.entries(field_name):
                self.attempt(step, entry)
        for entry in self.entries("exempt_modules"):
            # wildcards are allowed
            if self.attempt(self.dotted, "exempt_modules", entry.replace("*", "x")):
                self.policy.exempt_patterns += (entry,)
        self.attempt(self.parse_type_checking)
        self.attempt(self.parse_ignores)
        self.attempt(self.parse_baseline)
        self.policy.contract_names += (self.options.get("name", self.contract),)
        return self.problems

    def check_field_names(self) -> None:
        known = (*LIST_FIELDS, *STRING_FIELDS, *COMMON_FIELDS)
        for option in self.options:
            if option not in known:
                hint = difflib.get_close_matches(option, known, n=1)
                suffix = f"; did you mean {hint[0]!r}?" if hint else ""
                self.problems.append(self.error(option, f"unknown field{suffix}"))

    def dotted(self, field_name: str, name: str) -> str:
        if not DOTTED.match(name):
            raise self.error(field_name, f"{name!r} is not a dotted Python name", name)
        return name

    def under_root(self, field_name: str, name: str) -> str:
        self.dotted(field_name, name)
        if not any(name == r or name.startswith(r + ".") for r in self.policy.root_packages):
            roots = ", ".join(self.policy.root_packages)
            raise self.error(field_name, f"{name} is not under the root package {roots}", name)
        return name

    def add_canonical(self, entry: str) -> None:
        qualname = self.under_root("canonical", entry)
        module, _, name = qualname.rpartition(".")
        if not module or not self.module_exists(module):
            raise self.error("canonical", f"module {module or qualname} of {entry} does not exist",
                             entry)
        defined = self.module_binds(module)
        if defined is not None and name not in defined:
            raise self.error("canonical", f"{module} does not define {name}", entry)
        symbol = Symbol(module, name)
        self.policy.symbols[qualname] = symbol
        self.policy.names[qualname] = symbol

    def add_required_arguments(self, entry: str) -> None:
        target, sep, arguments = entry.partition(":")
        target = target.strip()
        symbol = self.policy.symbols.get(target)
        if symbol is None and self.failed:
            return  # most likely a canonical entry that is already reported
        if not sep or symbol is None:
            raise self.error(
                "required_arguments", f"{entry!r}: expected `<canonical symbol>: argument, ...`"
            )
        names = tuple(a.strip() for a in arguments.split(",") if a.strip())
        if not names or not all(n.isidentifier() for n in names):
            raise self.error("required_arguments", f"{entry!r}: bad argument names")
        updated = Symbol(symbol.module, symbol.name, symbol.required_arguments + names)
        self.policy.symbols[target] = self.policy.names[target] = updated

    def add_old_name(self, entry: str) -> None:
        old, sep, new = (part.strip() for part in entry.partition("->"))
        self.under_root("old_names", old)
        if old in self.policy.symbols:
            raise self.error("old_names", f"{old} is listed in canonical: a canonical name "
                             "cannot be an old name", old)
        if sep:
            symbol = self.policy.symbols.get(new)
            if symbol is None and self.failed:
                return  # most likely a canonical entry that is already reported
            if symbol is None:
                raise self.error("old_names", f"{new} is not listed in canonical", old)
        else:
            symbol = self.same_named_symbol(old)
            if symbol is None:
                return
        self.policy.names[old] = self.policy.symbols[symbol.qualname]

    def same_named_symbol(self, old: str) -> Symbol | None:
        name = old.rpartition(".")[2]
        matches = [s for s in self.policy.symbols.values() if s.name == name]
        if not matches and self.failed:
            return None  # most likely a canonical entry that is already reported
        if len(matches) != 1:
            raise self.error(
                "old_names", f"{old}: write `{old} -> <canonical symbol>` (no single canonical {name})"
            )
        return matches[0]

    def add_deprecated(self, entry: str) -> None:
        module, sep, replacement = (part.strip() for part in entry.partition("->"))
        self.under_root("deprecated_modules", module)
        if sep:
            self.under_root("deprecated_modules", replacement)
        homes = sorted(s.qualname for s in self.policy.symbols.values()
                       if s.module == module or s.module.startswith(module + "."))
        if homes:
            raise self.error("deprecated_modules", f"{module} is the canonical home of "
                             f"{', '.join(homes)}: a canonical module cannot be deprecated", module)
        self.policy.deprecated[module] = DeprecatedModule(module, replacement or None)

    def add_banned(self, entry: str) -> None:
        target, sep, rest = entry.partition(":")
        kind, _, instead = (part.strip() for part in rest.partition(";"))
        if not sep or kind not in BANNED_KINDS:
            raise self.error(
                "banned_calls", f"{entry!r}: expected `<qualified name>: singleton|factory[; instead]`"
            )
        qualname = self.under_root("banned_calls", target.strip())
        if qualname in self.policy.symbols:
            raise self.error("banned_calls", f"{qualname} is listed in canonical: the canonical "
                             "class cannot be a banned call", qualname)
        self.policy.banned[qualname] = BannedCall(qualname, kind, instead or "remove this call")

    def parse_type_checking(self) -> None:
        value = str(self.options.get("type_checking_imports", "report")).strip()
        if value not in ("report", "ignore"):
            raise self.error("type_checking_imports", f"{value!r}: expected report or ignore")
        self.policy.report_type_checking = value == "report"

    def parse_ignores(self) -> None:
        for entry in self.entries("ignore_imports"):
            importer, arrow, imported = (part.strip() for part in entry.partition("->"))
            if not arrow:
                raise self.error("ignore_imports", f"{entry!r}: expected `importer -> imported`")
            self.dotted("ignore_imports", importer.replace("*", "x"))
            self.dotted("ignore_imports", imported.replace("*", "x"))
            self.policy.import_ignores += ((importer, imported),)
        alerting = str(self.options.get("unmatched_ignore_imports_alerting", "error")).strip()
        if alerting not in ALERT_LEVELS:
            raise self.error(
                "unmatched_ignore_imports_alerting", f"{alerting!r}: expected error, warn or none"
            )

    def parse_baseline(self) -> None:
        """`baseline = FILE`, relative to the config file: one per policy."""
        value = str(self.options.get("baseline", "")).strip()
        if not value:
            return
        path = (self.path.parent / value).resolve()
        if self.policy.baseline is not None and self.policy.baseline != path:
            raise self.error("baseline", f"{value}: another ssot contract names another baseline "
                             f"({self.policy.baseline.name}); give all of them the same file")
        self.policy.baseline = path

    def module_exists(self, module: str) -> bool:
        return any(module_path(root, module) for root in self.policy.source_roots)

    def module_binds(self, module: str) -> set[str] | None:
        """The names a module's top level binds (parsed, never run), or None when that cannot
        be told: unreadable, unparsable, or `import *` / `__getattr__` that may bind anything."""
        path = next(filter(None, (module_path(root, module) for root in self.policy.source_roots)))
        try:
            tree = ast.parse(path.read_bytes())
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name == "*":
                        return None
                    names.add((alias.asname or alias.name).split(".")[0])
        if "__getattr__" in names:
            return None
        if path.name == "__init__.py":  # a sub-module is an attribute of its package
            names.update(child.stem for child in path.parent.iterdir())
        return names


