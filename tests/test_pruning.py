"""The walk skips the top-level functions and classes, and the methods of kept classes, that name
nothing the policy watches (`analysis/pruning.py`, called as `engine.pruned`); the findings must
be exactly those of walking everything. Each case hides what a block finds behind a name that is
not a policy word: an alias, a chain of them, an instance, an import of its own, `cls`, a `self`
attribute."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ssot_flake8.analysis import engine
from ssot_flake8.analysis.index import expand_policy
from ssot_flake8.policy.config import load_policy

MODULE = (
    "from pkg.core.manager import user_count, Manager as M\n"  # only M is watched, not user_count
    "M2 = M\n"
    "from pkg.core.legacy import ManagerFactory\n"
    "shared = ManagerFactory()\n"
    "\n"
    "\n"
    "def through_alias():\n"
    "    return M()\n"
    "\n"
    "\n"
    "def through_instance(ctx):\n"
    "    return shared.make_one(ctx)\n"
    "\n"
    "\n"
    "class Holder:\n"
    "    def late(self):\n"
    "        from pkg.core import legacy\n"
    "        return legacy\n"
    "\n"
    "\n"
    "def bystander():\n"
    "    return user_count()\n"
)
FACTORY = "is a deprecated factory: construct Manager(user_context=...)"
DEPRECATED = "SOT002 import of deprecated module pkg.core.legacy; use pkg.core.manager"
EXPECTED = [
    "2:1 SOT203 M2 is an alias of pkg.core.manager.Manager; import Manager from pkg.core.manager "
    "instead",
    f"3:29 {DEPRECATED}",
    f"4:10 SOT102 ManagerFactory {FACTORY}",
    "8:12 SOT103 Manager(...) constructed without user_context; pass user_context=...",
    f"12:12 SOT102 shared.make_one {FACTORY}",
    f"17:30 {DEPRECATED}",
]


def _findings(mini_project, monkeypatch, prune: bool, relative: str = "pkg/app/hidden.py",
              source: str = MODULE, index: bool = False) -> list[str]:
    """`line:col CODE message` of each finding in `source`, walked pruned or whole; `index`:
    with the symbol index (what the stale-import rule asks)."""
    path = mini_project(relative, source)
    if not prune:
        monkeypatch.setattr(engine, "pruned", lambda tree, lines, policy, facts: tree)
    policy = load_policy(mini_project.root / ".importlinter")
    if index:
        expand_policy(policy, use_cache=False)
    return [f"{f.line}:{f.col} {f.code} {f.message}"
            for f in engine.check_source(path.read_bytes(), str(path), policy)]


@pytest.mark.parametrize("prune", [True, False])
def test_names_hidden_behind_aliases_instances_and_local_imports(mini_project, monkeypatch, prune):
    assert _findings(mini_project, monkeypatch, prune) == EXPECTED


def test_a_function_naming_nothing_watched_is_not_walked(mini_project):
    """The stub keeps the name bound where the definition was; its body is not walked."""
    tree = ast.parse(MODULE)
    policy = load_policy(mini_project.root / ".importlinter")
    kept = engine.pruned(tree, MODULE.splitlines(), policy)
    bodies = {node.name: len(node.body) for node in kept.body if hasattr(node, "name")}
    assert bodies == {"through_alias": 1, "through_instance": 1, "Holder": 1, "bystander": 1}
    stubbed = [node.name for node in kept.body
               if hasattr(node, "name") and isinstance(node.body[0], ast.Pass)]
    assert stubbed == ["bystander"]
    assert [type(a).__name__ for a in kept.body] == [type(b).__name__ for b in tree.body]


CLASS_MODULE = (
    "from pkg.core.legacy import ManagerFactory\n"
    "\n"
    "\n"
    "class Service:\n"
    "    def __init__(self):\n"
    "        self.factory = ManagerFactory()\n"
    "\n"
    "    def later(self, ctx):\n"  # names no policy word: the instance is held in self.factory
    "        return self.factory.create_manager(ctx)\n"
    "\n"
    "    def unrelated(self):\n"
    "        return 1\n"
    "\n"
    "\n"
    "class OldManager:\n"  # a duplicate of a registered name: cls(...) builds one
    "    def send(self):\n"
    "        return None\n"
    "\n"
    "    @classmethod\n"
    "    def create(cls, ctx):\n"
    "        return cls(ctx)\n"
)
CLASS_EXPECTED = [
    "1:29 SOT002 import of deprecated module pkg.core.legacy; use pkg.core.manager",
    f"6:24 SOT102 ManagerFactory {FACTORY}",
    f"9:16 SOT102 self.factory.create_manager {FACTORY}",
    "15:1 SOT205 class OldManager duplicates pkg.core.manager.Manager, whose single home is "
    "pkg.core.manager",
    "20:5 SOT202 static factory OldManager.create builds Manager outside its canonical module "
    "pkg.core.manager",
]


@pytest.mark.parametrize("prune", [True, False])
def test_methods_that_name_nothing_watched_are_not_walked(mini_project, monkeypatch, prune):
    assert _findings(mini_project, monkeypatch, prune, "pkg/app/service.py", CLASS_MODULE) == \
        CLASS_EXPECTED
    if not prune:
        return
    policy = load_policy(mini_project.root / ".importlinter")
    kept = engine.pruned(ast.parse(CLASS_MODULE), CLASS_MODULE.splitlines(), policy)
    stubbed = [f"{node.name}.{method.name}" for node in kept.body if isinstance(node, ast.ClassDef)
               for method in node.body if isinstance(method.body[0], ast.Pass)]
    assert stubbed == ["Service.unrelated", "OldManager.send"]


def test_pruning_changes_no_finding_on_the_legacy_example(monkeypatch):
    """Every file of the bundled legacy tree: the same findings pruned and walked whole."""
    legacy = Path(__file__).parents[1] / "examples" / "legacy"
    policy = load_policy(legacy / ".importlinter")
    files = sorted(legacy.rglob("*.py"))
    pruned = [engine.check_source(p.read_bytes(), str(p), policy) for p in files]
    monkeypatch.setattr(engine, "pruned", lambda tree, lines, policy, facts: tree)
    assert [engine.check_source(p.read_bytes(), str(p), policy) for p in files] == pruned
    assert sum(map(len, pruned)) > 50  # the tree holds findings enough to tell


IMPORTING_MODULE = (
    "def lazy(flag):\n"
    "    total = flag + 1\n"
    "    try:\n"
    "        from pkg.core.manager import does_not_exist\n"
    "    except ImportError:\n"
    "        does_not_exist = None\n"
    "    return total, does_not_exist\n"
    "\n"
    "\n"
    "class Plugin:\n"
    "    def load(self): from pkg.core.manager import gone\n"
    "\n"
    "    def size(self):\n"
    "        return 2\n"
)


@pytest.mark.parametrize("prune", [True, False])
def test_a_block_that_names_nothing_watched_keeps_its_own_imports(mini_project, monkeypatch, prune):
    """Only the statements that hold an import are walked (in their try, as written)."""
    found = _findings(mini_project, monkeypatch, prune, "pkg/app/lazy.py", IMPORTING_MODULE, True)
    stale = "SOT004 stale import: pkg.core.manager neither defines, imports nor re-exports"
    assert found == [f"4:38 {stale} does_not_exist", f"11:50 {stale} gone"]
    if not prune:
        return
    policy = load_policy(mini_project.root / ".importlinter")
    kept = engine.pruned(ast.parse(IMPORTING_MODULE), IMPORTING_MODULE.splitlines(), policy)
    lazy, plugin = kept.body
    assert [type(s).__name__ for s in lazy.body] == ["Try"]
    assert [[type(s).__name__ for s in method.body] for method in plugin.body] == [
        ["ImportFrom"], ["Pass"]]
