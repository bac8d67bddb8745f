"""Name resolution and every rule on small modules, with the true negatives beside them.

Each case is a module written into a tiny project (policy: tests/conftest.py POLICY_HEADER) and
the exact findings it must give, as "line:col CODE message". One test also runs real flake8 over
all the cases at once and checks it reports exactly the same.
"""

from __future__ import annotations

import pytest
from conftest import run

from ssot_flake8.analysis.engine import check_source
from ssot_flake8.analysis.index import expand_policy
from ssot_flake8.policy.config import load_policy

USE = "use `from pkg.core.manager import Manager`"
NOT_CANONICAL = "pkg.core.legacy.OldManager is not the canonical path of Manager; " + USE
DEPRECATED = "import of deprecated module pkg.core.legacy; use pkg.core.manager"
SINGLETON = "is a banned singleton accessor: construct Manager(user_context=...)"
FACTORY = "is a deprecated factory: construct Manager(user_context=...)"

CASES = {
    # -- imports ----------------------------------------------------------------------------
    "pkg/app/absolute.py": (
        "from pkg.core.legacy import OldManager\n",
        [f"1:29 SOT001 {NOT_CANONICAL}"],  # nobody imports Manager through it: no shim
    ),
    "pkg/core/relative.py": (
        "from . import legacy\nfrom .legacy import OldManager as Old\n"
        "legacy.get_manager()\nm = legacy.OldManager\nOld(user_context=1)\n",
        [f"1:15 SOT002 {DEPRECATED}",
         f"2:21 SOT001 {NOT_CANONICAL}",
         f"3:1 SOT101 legacy.get_manager {SINGLETON}",
         "4:1 SOT203 m is an alias of pkg.core.legacy.OldManager; import Manager from "
         "pkg.core.manager instead",
         f"4:5 SOT001 {NOT_CANONICAL}"],
    ),
    "pkg/app/sub/parent_relative.py": (
        "from ...core import legacy\nfrom ... import shim\n",
        [f"1:21 SOT002 {DEPRECATED}", "2:17 SOT002 import of deprecated module pkg.shim"],
    ),
    "pkg/app/import_as.py": (
        "import pkg.core.legacy as lg\nlg.create_manager()\nlg.ManagerFactory.create_manager()\n"
        "lg.ManagerFactory()\n",
        [f"1:8 SOT002 {DEPRECATED}",
         f"2:1 SOT102 lg.create_manager {FACTORY}",
         f"3:1 SOT102 lg.ManagerFactory.create_manager {FACTORY}",
         f"4:1 SOT102 lg.ManagerFactory {FACTORY}"],
    ),
    "pkg/app/factory_instance.py": (
        "from pkg.core.legacy import ManagerFactory\n"
        "shared = ManagerFactory()\n"
        "\n\nasync def handler(ctx, other):\n"
        "    factory = ManagerFactory()\n"
        "    manager = await factory.create_manager(ctx)\n"
        "    factory = other\n"
        "    factory.create_manager(ctx)\n"
        "    other.create_manager(ctx)\n"
        "    return shared.create_manager(ctx), manager\n"
        "\n\nclass TestManagers:\n"
        "    def test_uses(self):\n"
        "        return self.factory.create_manager(1), self.unknown.create_manager(1)\n"
        "\n    def setUp(self):\n"
        "        self.factory = ManagerFactory()\n"
        "        self.unknown = ManagerFactory()\n"
        "\n    def tearDown(self):\n"
        "        self.unknown = None\n",
        [f"1:29 SOT002 {DEPRECATED}",
         f"2:10 SOT102 ManagerFactory {FACTORY}",
         f"6:15 SOT102 ManagerFactory {FACTORY}",
         f"7:21 SOT102 factory.create_manager {FACTORY}",  # not 9 (rebound), 10 (unknown)
         f"11:12 SOT102 shared.create_manager {FACTORY}",
         f"16:16 SOT102 self.factory.create_manager {FACTORY}",  # not self.unknown: rebound
         f"19:24 SOT102 ManagerFactory {FACTORY}",
         f"20:24 SOT102 ManagerFactory {FACTORY}"],
    ),
    "pkg/app/dotted_import.py": (
        "import pkg.core\npkg.core.get_manager()\nx = pkg.core.Manager\n",
        [f"2:1 SOT101 pkg.core.get_manager {SINGLETON}",
         "3:1 SOT203 x is an alias of pkg.core.Manager; import Manager from pkg.core.manager instead",
         "3:5 SOT001 pkg.core.Manager is not the canonical path of Manager; " + USE],
    ),
    "pkg/app/package_init.py": (
        "from pkg.core import get_manager, Manager\n\n\ndef handler():\n    return get_manager()\n",
        ["1:35 SOT001 pkg.core.Manager is not the canonical path of Manager; " + USE,
         f"5:12 SOT101 get_manager {SINGLETON}"],
    ),
    "pkg/app/star.py": (
        "from pkg.core import *\nget_manager()\nManager(user_context=1)\n",
        ["1:22 SOT001 pkg.core.Manager is not the canonical path of Manager; " + USE,
         f"2:1 SOT101 get_manager {SINGLETON}"],
    ),
    "pkg/app/type_checking.py": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from pkg.core.legacy import OldManager\n\n\ndef f(m: 'OldManager'):\n    return m\n",
        [f"3:33 SOT001 {NOT_CANONICAL}"],
    ),
    "pkg/app/local_and_fallback.py": (
        "def f():\n    from pkg.core.legacy import create_manager\n    return create_manager()\n"
        "try:\n    from pkg.core.legacy import OldManager\nexcept ImportError:\n"
        "    from pkg.core.manager import Manager as OldManager\nOldManager(user_context=1)\n",
        [f"2:33 SOT002 {DEPRECATED}", f"3:12 SOT102 create_manager {FACTORY}",
         f"5:33 SOT001 {NOT_CANONICAL}"],
    ),
    "pkg/app/dynamic.py": (
        "import importlib\nfrom importlib import import_module\n"
        "importlib.import_module('pkg.core.legacy')\n__import__('pkg.shim.x')\n"
        "import_module('.legacy', package=__package__)\nimport_module(name)\n",
        ["3:1 SOT003 dynamic import of deprecated module pkg.core.legacy; use pkg.core.manager",
         "4:1 SOT003 dynamic import of deprecated module pkg.shim"],
    ),
    "pkg/core/dynamic_relative.py": (
        "from importlib import import_module\nimport_module('.legacy', package=__package__)\n",
        ["2:1 SOT003 dynamic import of deprecated module pkg.core.legacy; use pkg.core.manager"],
    ),
    # -- true negatives -----------------------------------------------------------------------
    "pkg/app/canonical.py": (
        "from pkg.core.manager import Manager\n\n\ndef handle(ctx):\n"
        "    manager = Manager(user_context=ctx)\n    return manager.send(ctx)\n\n\n"
        "def splat(kwargs):\n    return Manager(**kwargs)\n",
        [],
    ),
    "pkg/app/shadowing.py": (
        "from pkg.core import get_manager\n\n\ndef param(get_manager):\n    return get_manager()\n\n\n"
        "def local():\n    get_manager = lambda: 1\n    return get_manager()\n\n\n"
        "class Registry:\n    def get_manager(self):\n        return 1\n\n"
        "    def use(self):\n        return self.get_manager()\n\n\n"
        "TEXT = 'get_manager() and pkg.core.legacy are only words here'\n\n\n"
        "def doc():\n    \"\"\"Never call get_manager() here.\"\"\"\n",
        [],
    ),
    "pkg/app/rebound.py": (
        "from pkg.core import get_manager\nget_manager = None\nget_manager()\n",
        [],
    ),
    "pkg/db/manager.py": (  # the unrelated module below imports from: it exists (no SOT004)
        "Manager = get_manager = None\n",
        [],
    ),
    "pkg/app/unrelated_manager.py": (
        "from pkg.db import manager\nmanager.get_manager()\nfrom pkg.db.manager import Manager\n"
        "Manager()\nclass OldManagerTests:\n    pass\n",
        [],
    ),
    # -- calls and definitions ------------------------------------------------------------------
    "pkg/app/missing_argument.py": (
        "from pkg.core.manager import Manager\nManager()\nManager(1)\nManager(user_context=2)\n",
        ["2:1 SOT103 Manager(...) constructed without user_context; pass user_context=...",
         "3:1 SOT103 Manager(...) constructed without user_context; pass user_context=..."],
    ),
    "pkg/app/singletons.py": (
        "import functools\nfrom pkg.core.manager import Manager\n\n"
        "_shared = Manager(user_context=None)\n_cached = None\n\n\n"
        "def get_shared():\n    global _cached\n    if _cached is None:\n"
        "        _cached = Manager(user_context=None)\n    return _cached\n\n\n"
        "@functools.lru_cache\ndef cached_manager():\n    return Manager(user_context=None)\n\n\n"
        "class Holder:\n    default = Manager(user_context=None)\n",
        ["4:1 SOT201 module-level instance makes Manager a process-wide singleton; "
         "build one per user instead",
         "8:1 SOT201 `global` cache in get_shared() makes Manager a process-wide singleton; "
         "build one per user instead",
         "16:1 SOT201 cached getter cached_manager() makes Manager a process-wide singleton; "
         "build one per user instead",
         "21:5 SOT201 class attribute instance makes Manager a process-wide singleton; "
         "build one per user instead"],
    ),
    "pkg/app/factories.py": (
        "from pkg.core.manager import Manager\n\n\n"
        "def create_manager(ctx):\n    return Manager(user_context=ctx)\n\n\n"
        "def make_for(ctx):\n    manager = Manager(user_context=ctx)\n    return manager\n\n\n"
        "class Builder:\n    @staticmethod\n    def build(ctx):\n"
        "        return Manager(user_context=ctx)\n\n\n"
        "def resume(ctx):\n    return Manager(user_context=ctx)\n",
        ["4:1 SOT202 function factory create_manager builds Manager outside its canonical module "
         "pkg.core.manager",
         "8:1 SOT202 function factory make_for builds Manager outside its canonical module "
         "pkg.core.manager",
         "15:5 SOT202 static factory Builder.build builds Manager outside its canonical module "
         "pkg.core.manager"],
    ),
    "pkg/app/duplicates.py": (
        "class Manager:\n    _instance = None\n\n    def __new__(cls):\n"
        "        if cls._instance is None:\n            cls._instance = super().__new__(cls)\n"
        "        return cls._instance\n\n\nclass OldManager:\n    @classmethod\n"
        "    def create(cls, ctx):\n        return cls(ctx)\n",
        ["1:1 SOT205 class Manager duplicates pkg.core.manager.Manager, whose single home is "
         "pkg.core.manager",
         "4:5 SOT201 `_instance` caching in Manager.__new__ makes Manager a process-wide "
         "singleton; build one per user instead",
         "10:1 SOT205 class OldManager duplicates pkg.core.manager.Manager, whose single home is "
         "pkg.core.manager",
         "12:5 SOT202 static factory OldManager.create builds Manager outside its canonical module "
         "pkg.core.manager"],
    ),
    "pkg/app/type_built.py": (
        "from pkg.core.manager import Manager\n"
        "OldManager = type('OldManager', (), {'send': lambda self, m: None})\n"
        "Compat = type('Compat', (Manager,), {})\n"
        "Extended = type('Extended', (Manager,), {'extra': 1})\n"
        "Plain = type('Plain', (), {})\n"
        "kind = type(Manager)\n",
        ["2:1 SOT205 class OldManager duplicates pkg.core.manager.Manager, whose single home is "
         "pkg.core.manager",
         "3:1 SOT203 Compat is an alias of pkg.core.manager.Manager; import Manager from "
         "pkg.core.manager instead"],
    ),
    "pkg/app/alias.py": (
        "from pkg.core.manager import Manager\nLegacyManager = Manager\n\n\ndef use():\n"
        "    return LegacyManager\n",
        ["2:1 SOT203 LegacyManager is an alias of pkg.core.manager.Manager; import Manager from "
         "pkg.core.manager instead"],
    ),
    "pkg/shimpkg/__init__.py": (
        "from pkg.core.manager import Manager\nfrom pkg.core.manager import Manager as Manager\n",
        ["1:30 SOT204 pkg.shimpkg re-exports Manager (package __init__ import); import it from "
         "pkg.core.manager and remove the shim",
         "2:30 SOT204 pkg.shimpkg re-exports Manager (`import Manager as Manager`); import it "
         "from pkg.core.manager and remove the shim"],
    ),
    "pkg/app/all_shim.py": (
        "from pkg.core.manager import Manager\n__all__ = ['Manager']\n\n\ndef helper():\n    return 1\n",
        ["1:30 SOT204 pkg.app.all_shim re-exports Manager (listed in __all__); import it from "
         "pkg.core.manager and remove the shim"],
    ),
    # -- singletons of a subclass or of an adapter that holds one --------------------------------
    "pkg/app/wrapped_singletons.py": (
        "from pkg.core.manager import Manager\n\n\n"
        "class TenantManager(Manager):\n    pass\n\n\n"
        "class AuditedManager(TenantManager):\n    pass\n\n\n"
        "class ManagerAdapter:\n    def __init__(self, ctx):\n"
        "        self.inner = Manager(user_context=ctx)\n\n\n"
        "class Plain:\n    def __init__(self, manager):\n        self.inner = manager\n\n\n"
        "_sub = _deep = _adapter = _plain = None\n\n\n"
        "def get_sub():\n    global _sub\n    if _sub is None:\n"
        "        _sub = TenantManager(user_context=None)\n    return _sub\n\n\n"
        "def get_deep():\n    global _deep\n    _deep = _deep or AuditedManager(user_context=1)\n"
        "    return _deep\n\n\n"
        "def get_adapter(ctx):\n    global _adapter\n    _adapter = ManagerAdapter(ctx)\n"
        "    return _adapter\n\n\n"
        "def get_plain(m):\n    global _plain\n    _plain = Plain(m)\n    return _plain\n\n\n"
        "def per_call(ctx):\n    adapter = ManagerAdapter(ctx)\n    return adapter\n\n\n"
        "class Shared(Manager):  # its getter names no policy word, only this class\n"
        "    pass\n\n\n_shared = None\n\n\n"
        "def get_shared():\n    global _shared\n    _shared = Shared(user_context=0)\n"
        "    return _shared\n",
        ["25:1 SOT201 `global` cache of TenantManager (a subclass of Manager) in get_sub() "
         "makes Manager a process-wide singleton; build one per user instead",
         "32:1 SOT201 `global` cache of AuditedManager (a subclass of Manager) in get_deep() "
         "makes Manager a process-wide singleton; build one per user instead",
         "38:1 SOT201 `global` cache of ManagerAdapter (an adapter of Manager) in get_adapter() "
         "makes Manager a process-wide singleton; build one per user instead",
         "62:1 SOT201 `global` cache of Shared (a subclass of Manager) in get_shared() "
         "makes Manager a process-wide singleton; build one per user instead"],
    ),
    # -- shims: what others import through, or what a module exports ---------------------------
    "pkg/app/through.py": (  # it uses Manager too, but two modules import Manager from it
        "from pkg.core.manager import Manager\n\n\ndef serve(ctx):\n"
        "    return Manager(user_context=ctx)\n",
        ["1:30 SOT204 pkg.app.through re-exports Manager (imported from here by "
         "pkg.app.through_client and 1 more); import it from pkg.core.manager and remove the shim"],
    ),
    "pkg/app/through_client.py": (
        "from pkg.app.through import Manager\n",
        ["1:29 SOT001 pkg.app.through.Manager is not the canonical path of Manager; " + USE],
    ),
    "pkg/app/through_star.py": (  # a star import from the shim brings Manager too
        "from pkg.app.through import *\n",
        [],
    ),
    "pkg/app/test_explicit_as.py": (  # the typing idiom, in a module nobody imports from
        "from pkg.core.manager import Manager as Manager\n\n\ndef test_it():\n"
        "    assert Manager\n",
        [],
    ),
    "pkg/app/only_an_import.py": (  # a script whose only statement is an import
        "from pkg.core.manager import Manager\n",
        [],
    ),
    "pkg/app/star_shim.py": (  # an import-only star shim that one module imports through
        "from pkg.core.manager import *\n",
        ["1:30 SOT204 pkg.app.star_shim re-exports Manager (imported from here by "
         "pkg.app.star_shim_client); import it from pkg.core.manager and remove the shim"],
    ),
    "pkg/app/star_shim_client.py": (
        "def late():\n    from pkg.app.star_shim import Manager\n    return Manager\n"
        "\n\nfrom pkg.app.star_shim import Manager as M  # noqa: E402\n",
        ["2:35 SOT001 pkg.app.star_shim.Manager is not the canonical path of Manager; " + USE,
         "6:31 SOT001 pkg.app.star_shim.Manager is not the canonical path of Manager; " + USE],
    ),
    "pkg/app/unicode_column.py": (
        "x = 'é'; from pkg.core.legacy import OldManager\n",
        [f"1:38 SOT001 {NOT_CANONICAL}"],
    ),
}


@pytest.fixture
def project(mini_project):
    for relative, (source, _) in CASES.items():
        mini_project(relative, source)
    return mini_project.root


def findings_for(project, relative):
    policy = load_policy(project / ".importlinter")
    expand_policy(policy, use_cache=False)  # the symbol index, as every front-end builds it
    path = project / relative
    return [f"{f.line}:{f.col} {f.code} {f.message}"
            for f in check_source(path.read_bytes(), str(path), policy)]


@pytest.mark.parametrize("relative", sorted(CASES))
def test_engine_findings(project, relative):
    assert findings_for(project, relative) == CASES[relative][1]


def test_flake8_reports_the_same_as_the_engine(project):
    result = run("flake8", "--select", "SOT", "pkg", cwd=project)
    expected = sorted(
        f"{relative}:{position}: {rest}"
        for relative, (_, findings) in CASES.items()
        for position, rest in (finding.split(" ", 1) for finding in findings)
    )
    assert sorted(result.stdout.splitlines()) == expected
    assert result.returncode == 1


def test_noqa_silences_one_code(mini_project):
    mini_project("pkg/app/quiet.py",
                 "from pkg.core import get_manager\nget_manager()  # noqa: SOT101\nget_manager()\n")
    result = run("flake8", "--select", "SOT", "pkg/app/quiet.py", cwd=mini_project.root)
    assert result.stdout.splitlines() == [f"pkg/app/quiet.py:3:1: SOT101 get_manager {SINGLETON}"]


def test_exempt_modules_and_ignored_type_checking(mini_project):
    config = mini_project.root / ".importlinter"
    config.write_text(config.read_text() + "exempt_modules =\n    pkg.migration.**\n"
                      "type_checking_imports = ignore\n")
    mini_project("pkg/migration/tools/old.py", "from pkg.core.legacy import get_manager\nget_manager()\n")
    mini_project("pkg/app/typed.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                 "    from pkg.core.legacy import OldManager\n")
    assert findings_for(mini_project.root, "pkg/migration/tools/old.py") == []
    assert findings_for(mini_project.root, "pkg/app/typed.py") == []


def test_second_public_name_in_the_canonical_home(mini_project):
    """`Manager = _Impl` is the canonical definition; `UnifiedManager = _Impl` beside it is
    another public name for the same class (SOT203), a private one is not."""
    mini_project("pkg/core/manager.py",
                 "class _Impl:\n    def __init__(self, user_context):\n        self.c = user_context\n"
                 "\n\nUnifiedManager = _Impl\nManager = _Impl\n_Private = _Impl\nOther = int\n")
    assert findings_for(mini_project.root, "pkg/core/manager.py") == [
        "6:1 SOT203 UnifiedManager is an alias of pkg.core.manager.Manager; import Manager from "
        "pkg.core.manager instead"]
