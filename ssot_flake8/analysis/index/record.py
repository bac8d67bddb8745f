"""What one module records (definitions, aliases, imports, __all__), read fast from its top level."""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field

from ssot_flake8.source.fallback import import_statements  # the token-level reader, for broken files
from ssot_flake8.source.text import SourceError, absolute_import, decode, dotted_name, parse

FORMAT = 3  # bump when the cached record layout changes
COMPILED_SUFFIXES = (".pyi", ".so", ".pyd")
MODULE_DUNDERS = {"__name__", "__doc__", "__file__", "__path__", "__package__", "__spec__",
                  "__loader__", "__all__", "__builtins__", "__dict__"}
DEFINED = ""  # binding target: the name is defined in this module (it is its own origin)


# -- what one module records ---------------------------------------------------------------------


@dataclass
class ModuleInfo:
    """The module-level facts of one file. Binding targets: DEFINED, ">abs.qualname" (an import)
    or "=local.dotted" (an alias of another name of this module)."""

    bindings: dict[str, list[str]] = field(default_factory=dict)
    stars: list[str] = field(default_factory=list)  # absolute modules star-imported
    all: list[str] | None = None
    judgeable: bool = True  # False: `__getattr__`, unparsable or compiled, so it may hold anything

    def to_json(self) -> list:
        return [self.bindings, self.stars, self.all, self.judgeable]

    @classmethod
    def from_json(cls, data: list) -> ModuleInfo:
        return cls(*data)


class ModuleRecorder:
    """Collects a ModuleInfo from a module's top level (not from function or class bodies)."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.is_package = is_package
        self.info = ModuleInfo()

    def record(self, tree: ast.Module) -> ModuleInfo:
        self.statements(tree.body)
        return self.info

    def bind(self, name: str, target: str) -> None:
        targets = self.info.bindings.setdefault(name, [])
        if target not in targets:
            targets.append(target)

    def statements(self, body: list[ast.stmt]) -> None:
        for statement in body:
            handler = getattr(self, f"on_{type(statement).__name__}", None)
            if handler:
                handler(statement)
            else:
                self.generic(statement)

    def generic(self, node: ast.AST) -> None:
        """Blocks (if, try, with, for, match...): their bodies are module level too."""
        for name, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                self.statements(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, (ast.ExceptHandler, ast.match_case)):
                        self.generic(item)
                    elif isinstance(item, ast.AST):
                        self.stored_names(item)
            elif isinstance(value, ast.AST):
                self.stored_names(value)
            elif name == "name" and isinstance(value, str) and isinstance(node, ast.ExceptHandler):
                self.bind(value, DEFINED)

    def stored_names(self, node: ast.AST) -> None:
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                self.bind(child.id, DEFINED)
            elif isinstance(child, (ast.MatchAs, ast.MatchStar)) and child.name:
                self.bind(child.name, DEFINED)

    def on_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.bind(alias.asname, ">" + alias.name)
            else:
                top = alias.name.split(".")[0]
                self.bind(top, ">" + top)

    def on_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = absolute_import(self.module, self.is_package, node.level, node.module)
        if module is None:
            return
        for alias in node.names:
            if alias.name == "*":
                self.info.stars.append(module)
            else:
                self.bind(alias.asname or alias.name, f">{module}.{alias.name}")

    def on_ClassDef(self, node: ast.ClassDef) -> None:
        self.bind(node.name, DEFINED)

    def on_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.bind(node.name, DEFINED)

    on_AsyncFunctionDef = on_FunctionDef

    def on_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self.assigned(target, node.value)

    def on_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.assigned(node.target, node.value)

    def on_AugAssign(self, node: ast.AugAssign) -> None:
        if _is_all(node.target):
            self.extend_all(node.value)
        else:
            self.stored_names(node.target)

    def on_Expr(self, node: ast.Expr) -> None:
        call = node.value  # __all__.extend([...]) / __all__.append("x")
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and _is_all(call.func.value) and call.func.attr in ("extend", "append")):
            for argument in call.args:
                self.extend_all(argument if call.func.attr == "extend" else ast.List([argument]))

    def assigned(self, target: ast.expr, value: ast.expr) -> None:
        if _is_all(target):
            self.info.all = []
            self.extend_all(value)
        elif isinstance(target, ast.Name):
            self.bind(target.id, self.value_target(value))
        else:
            self.stored_names(target)

    def value_target(self, value: ast.expr) -> str:
        dotted = dotted_name(value)
        if dotted:
            return "=" + dotted
        base = _type_shell_base(value)
        return "=" + base if base else DEFINED

    def extend_all(self, value: ast.AST) -> None:
        if self.info.all is None:
            self.info.all = []
        for item in _string_items(value):
            if item not in self.info.all:
                self.info.all.append(item)


def _is_all(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "__all__"


def _type_shell_base(value: ast.AST) -> str | None:
    """`type("X", (Base,), {})`: a class with one base and nothing of its own is another name
    for its base (how compatibility names were minted dynamically in the seeds' code base)."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == "type" and len(value.args) == 3 and not value.keywords):
        return None
    _, bases, namespace = value.args
    empty = (isinstance(namespace, ast.Dict) and not namespace.keys) or (
        isinstance(namespace, ast.Call) and dotted_name(namespace.func) == "dict"
        and not namespace.args and not namespace.keywords)
    if isinstance(bases, ast.Tuple) and len(bases.elts) == 1 and empty:
        return dotted_name(bases.elts[0])
    return None


def _string_items(node: ast.AST) -> list[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    if isinstance(node, ast.BinOp):
        return _string_items(node.left) + _string_items(node.right)
    return []


def _did_you_mean(word: str, candidates, full: bool = False) -> str:
    names = {c.rpartition(".")[2]: c for c in candidates}
    close = difflib.get_close_matches(word, list(names), n=1, cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean {names[close[0]] if full else close[0]}?"


# -- reading one file fast: its top level without the bodies of its functions and classes ----------

# A top-level function or class (or a decorator): the line at column 0 that starts it, then
# every line that is blank, indented, a comment or a closing bracket. Groups: decorator, def
# name, class name. The leading newline lets the regex engine skip to candidates at memchr
# speed, and the body lines are consumed without a Python step per line.
_DEFINITION = re.compile(
    r"\n(?:(@)|(?:async[ \t]+)?def[ \t]+(\w+)|class[ \t]+(\w+))[^\n]*"
    r"(?:\n(?=[\n \t\r\f#)\]}])[^\n]*)*")
# What a module binds or hides from inside its function bodies, found on the whole text (a
# match inside a string only makes the index more careful): `global X` binds a module name;
# `globals()[...] =`, `exec(...)`, `vars()`, `sys.modules[...] =` make names no parse can list.
# Each pattern starts with a literal, again for speed; the character before is checked apart.
_GLOBAL = re.compile(r"\n[ \t]+global[ \t]+(\w+(?:[ \t]*,[ \t]*\w+)*)")
_NAMESPACE_REWRITES = tuple((word, re.compile(re.escape(word) + rest)) for word, rest in (
    ("globals", r"[ \t]*\("), ("exec", r"[ \t]*\("), ("vars", r"[ \t]*\("),
    ("sys.modules", r"[ \t]*\[[^\]\n]*\][ \t]*=(?!=)")))


def _skeleton(text: str) -> tuple[str, list[str]] | None:
    """The module's text without its top-level functions and classes, and their names; None when
    a cut would fall inside a string or a continued line (then the whole file is parsed).

    Parsing only what stays is what makes indexing a large tree cheap: module-level facts live
    in imports, assignments and blocks, while most of the bytes are in function bodies."""
    text = "\n" + text
    kept, defined = [], []
    position = 0
    for definition in _DEFINITION.finditer(text):
        start, end = definition.span()
        if text.count('"""', start, end) % 2 or text.count("\'\'\'", start, end) % 2:
            return None
        last = text[max(start, end - 3):end].rstrip(" \t\r\f")
        if last.endswith("\\"):
            return None
        kept.append(text[position:start])
        position = end
        if definition.lastindex > 1:
            defined.append(definition.group(definition.lastindex))
    kept.append(text[position:])
    return "".join(kept), defined


def _rewrites_namespace(text: str) -> bool:
    for word, pattern in _NAMESPACE_REWRITES:
        if word not in text:  # a substring search is much faster than the regex's scan
            continue
        for found in pattern.finditer(text):
            before = text[found.start() - 1:found.start()]
            if before == "" or not (before.isalnum() or before in ("_", ".")):
                return True
    return False


def record_source(data: bytes, module: str, is_package: bool) -> ModuleInfo:
    """The ModuleInfo of one file's bytes; an unparsable file keeps only its import statements."""
    try:
        text = decode(data)
    except SourceError:
        return ModuleInfo(judgeable=False)
    info = _record_text(text, module, is_package)
    for names in _GLOBAL.findall("\n" + text) if "global" in text else ():
        for name in names.split(","):
            info.bindings.setdefault(name.strip(), [DEFINED])
    if "__getattr__" in info.bindings or _rewrites_namespace(text):
        info.judgeable = False  # PEP 562 `__getattr__` answers any name; so may a rewrite
    return info


def _record_text(text: str, module: str, is_package: bool) -> ModuleInfo:
    recorder = ModuleRecorder(module, is_package)
    skeleton = _skeleton(text)
    if skeleton is not None:
        try:
            recorder.record(parse(skeleton[0], module))
        except (SourceError, RecursionError):
            recorder = ModuleRecorder(module, is_package)  # the cut was wrong: read it all
        else:
            for name in skeleton[1]:
                recorder.bind(name, DEFINED)
            return recorder.info
    try:
        tree = parse(text, module)
    except SourceError:
        info = recorder.record(ast.Module(body=import_statements(text), type_ignores=[]))
        info.judgeable = False
        return info
    try:
        return recorder.record(tree)
    except RecursionError:
        return ModuleInfo(judgeable=False)
