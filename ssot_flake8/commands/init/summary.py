"""Module summaries for `ssot init`: each module parsed once with `ast` and reduced to what the
proposal needs (the tree is dropped), in a process pool for big trees."""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ssot_flake8.rules.definitions import factory_shaped, import_only
from ssot_flake8.source.text import SourceError, decode, dotted_name, parse
from ssot_flake8.source.tree import own_nodes, string_items
from ssot_flake8.support.parallel import map_in_workers, may_start_workers
from ssot_flake8.support.progress import Progress

LEGACY_WORDS = ("legacy", "old", "deprecated", "compat", "shim", "adapter", "migration", "backup", "tmp")
CACHE_DECORATORS = {"lru_cache", "cache"}
CONTEXT_ARGUMENT = re.compile(r"^(user_context|\w+_context|tenant\w*)$")
NOT_REGISTERED = re.compile(r"(Error|Exception|Warning|Factory)$|^_|^Test")  # see is_candidate
SKIPPED_DIRS = {".git", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache", "node_modules"}
POOL_THRESHOLD = 400  # files; below this a process pool costs more than it saves


# -- module summaries ------------------------------------------------------------------------------


@dataclass
class Function:
    """What `init` needs to know about one function or method."""

    name: str
    owner: str | None  # the class it is a method of
    factory_shaped: bool
    cached: bool  # @lru_cache / @cache
    returns: list[str]  # callee of every returned call (`X(...)`, directly or through a local)
    global_caches: dict[str, str]  # global name -> callee of the call assigned to it
    annotation: str | None = None  # the return annotation's class (`-> X`, `Optional[X]`, `"X"`)
    local_imports: dict[str, str] = field(default_factory=dict)  # `from M import N` in its body


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    is_test: bool = False  # test code: evidence of use, never a home or a ban
    import_only: bool = False
    documented_deprecated: bool = False
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> __init__ arguments
    functions: set[str] = field(default_factory=set)  # top-level function names
    builders: list[Function] = field(default_factory=list)  # functions that return a call
    aliases: dict[str, str] = field(default_factory=dict)  # `X = a.b` at the top level
    imports: dict[str, str] = field(default_factory=dict)  # module-level local name -> qualname
    stars: list[str] = field(default_factory=list)  # modules star-imported at the top level
    all_names: set[str] = field(default_factory=set)
    explicit: set[str] = field(default_factory=set)  # `import X as X`
    imported: list[str] = field(default_factory=list)  # every `from M import N` anywhere, as M.N
    instances: list[tuple[int, str]] = field(default_factory=list)  # top-level `x = Callee(...)`

    def exported(self) -> set[str]:
        """What `from module import *` brings (its `__all__`, else its public names)."""
        if self.all_names:
            return set(self.all_names)
        names = {*self.classes, *self.functions, *self.aliases, *self.imports}
        return {name for name in names if not name.startswith("_")}


def scan(package: str, source_root: Path) -> tuple[dict[str, Module], list[str]]:
    """A summary of every module of `package` under `source_root`; one warning per unreadable file."""
    base = source_root.joinpath(*package.split("."))
    files = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
    jobs = [
        (str(path), _module_name(path, source_root))
        for path in files
        if not SKIPPED_DIRS.intersection(path.relative_to(source_root).parts)
    ]
    modules, warnings = {}, []
    with Progress("ssot init: scanning", len(jobs)) as progress:
        for module, warning in _summaries(jobs):
            if module:
                modules[module.name] = module
            if warning:
                warnings.append(warning)
            progress.advance()
    return modules, warnings


def _summaries(jobs: list[tuple[str, str]]):
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < POOL_THRESHOLD or workers < 2 or not may_start_workers():
        return map(summarize, jobs)
    return map_in_workers(summarize, jobs, workers, 64)


def _module_name(path: Path, source_root: Path) -> str:
    parts = list(path.relative_to(source_root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def summarize(job: tuple[str, str]) -> tuple[Module | None, str | None]:
    path_text, name = job
    path = Path(path_text)
    try:
        tree = parse(decode(path.read_bytes()), path_text)
    except SourceError as error:
        return None, f"{path_text}:{error.line}: skipped: {error}"
    except OSError as error:
        return None, f"{path_text}: skipped: {error.strerror}"
    module = Module(name, path, path.name == "__init__.py", is_test(name))
    module.import_only = import_only(tree) or _shim_with_fallbacks(tree)
    module.documented_deprecated = (ast.get_docstring(tree) or "").lower().startswith("deprecated")
    for statement in tree.body:
        for node in _top_level(statement):
            _read_statement(module, node)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = absolute(module, node)
            module.imported += [f"{source}.{a.name}" for a in node.names if source and a.name != "*"]
    return module, None


def _shim_with_fallbacks(tree: ast.Module) -> bool:
    """A shim whose import fallbacks bind constants (`except ImportError: Protocol = None`)."""
    def constant(statement: ast.stmt) -> bool:
        return isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)

    def strip(statement: ast.stmt) -> ast.stmt:
        if isinstance(statement, ast.Try):
            handlers = [ast.ExceptHandler(h.type, h.name, [s for s in h.body if not constant(s)]
                                          or [ast.Pass()]) for h in statement.handlers]
            return ast.Try(statement.body, handlers, statement.orelse, statement.finalbody)
        return statement

    stripped = ast.Module([strip(s) for s in tree.body if not constant(s)], [])
    return any(isinstance(s, ast.Try) for s in tree.body) and import_only(stripped)


TEST_PARTS = {"test", "tests", "testing", "conftest"}


def is_test(module_name: str) -> bool:
    """Test code: a `test`/`tests` package, a `test_*`/`*_test` module, a conftest."""
    parts = module_name.split(".")
    last = parts[-1]
    return bool(TEST_PARTS.intersection(parts)) or last.startswith("test_") or last.endswith("_test")


def _top_level(statement: ast.stmt):
    """Top-level statements, looking into `try`/`if` blocks (import fallbacks, TYPE_CHECKING)."""
    if isinstance(statement, ast.Try):
        for block in (statement.body, *(h.body for h in statement.handlers), statement.orelse):
            for inner in block:
                yield from _top_level(inner)
    elif isinstance(statement, ast.If):
        for inner in (*statement.body, *statement.orelse):
            yield from _top_level(inner)
    else:
        yield statement


def _read_statement(module: Module, node: ast.stmt) -> None:
    if isinstance(node, ast.ClassDef):
        module.classes.setdefault(node.name, _init_arguments(node))
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("__"):
                _read_function(module, item, node)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        module.functions.add(node.name)
        _read_function(module, node, None)
    elif isinstance(node, ast.ImportFrom):
        _read_import_from(module, node)
    elif isinstance(node, ast.Import):
        module.imports.update({a.asname: a.name for a in node.names if a.asname})
    elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
        _read_assignment(module, node)


def _read_import_from(module: Module, node: ast.ImportFrom) -> None:
    source = absolute(module, node)
    for alias in node.names if source else ():
        if alias.name == "*":
            module.stars.append(source)
            continue
        local = alias.asname or alias.name
        module.imports.setdefault(local, f"{source}.{alias.name}")
        if alias.asname == alias.name:
            module.explicit.add(local)


def _read_assignment(module: Module, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if not isinstance(target, ast.Name):
            continue
        if target.id == "__all__":
            module.all_names |= string_items(node.value)
        elif dotted_name(node.value):
            module.aliases.setdefault(target.id, dotted_name(node.value))
        elif isinstance(node.value, ast.Call) and dotted_name(node.value.func):
            module.instances.append((node.lineno, dotted_name(node.value.func)))


def _init_arguments(node: ast.ClassDef) -> tuple[str, ...]:
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            return tuple(a.arg for a in (*item.args.args, *item.args.kwonlyargs))
    return ()


def _read_function(module: Module, node, owner: ast.ClassDef | None) -> None:
    """Keep only what a getter or factory is judged on: what it returns, caches and is named."""
    assigned, declared, caches = {}, set(), {}
    own = list(own_nodes(node))
    for child in own:
        if isinstance(child, ast.Global):
            declared.update(child.names)
    for child in own:
        if isinstance(child, ast.Assign) and isinstance(child.value, ast.Call):
            callee = _callee(child.value)
            for target in child.targets:
                if isinstance(target, ast.Name) and callee:
                    assigned[target.id] = callee
                    if target.id in declared:
                        caches[target.id] = callee
    returns, local_imports = [], {}
    for child in own:
        if isinstance(child, ast.ImportFrom) and (source := absolute(module, child)):
            named = (a for a in child.names if a.name != "*")
            local_imports.update({a.asname or a.name: f"{source}.{a.name}" for a in named})
        if isinstance(child, ast.Return) and child.value is not None:
            value = child.value.value if isinstance(child.value, ast.Await) else child.value
            callee = _callee(value) if isinstance(value, ast.Call) else None
            if callee is None and isinstance(value, ast.Name):
                callee = assigned.get(value.id)
            if callee:
                returns.append(callee)
    annotation = _annotated_class(node.returns)
    if returns or annotation:
        decorators = {_last_name(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list}
        module.builders.append(Function(
            node.name, owner.name if owner else None, factory_shaped(node, owner),
            bool(decorators & CACHE_DECORATORS), returns, caches, annotation, local_imports,
        ))


def _annotated_class(node: ast.expr | None) -> str | None:
    """The class a return annotation names: `X`, `m.X`, `"X"`, `Optional[X]`, `X | None`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        return text if re.fullmatch(r"[A-Za-z_][\w.]*", text) else None
    if isinstance(node, ast.Subscript) and _last_name(node.value) == "Optional":
        return _annotated_class(node.slice)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [side for side in (node.left, node.right) if not _is_none(side)]
        return _annotated_class(sides[0]) if len(sides) == 1 else None
    name = dotted_name(node) if node is not None else None
    return name if name and name not in {"None", "bool", "int", "str", "float", "dict", "list"} else None


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _callee(call: ast.Call) -> str | None:
    return dotted_name(call.func)


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def absolute(module: Module, node: ast.ImportFrom) -> str | None:
    if not node.level:
        return node.module
    parts = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    if node.level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join(base + (node.module.split(".") if node.module else [])) or None


