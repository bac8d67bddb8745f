"""The symbol index: aliases and re-exports nobody listed, stale imports, newer and broken files.

One project holds every case; `ssot check` and flake8 run over it once, and each case asserts
its files' exact findings through both (flake8 runs no plugin on a file that does not parse: it
reports E999 itself, see the README's "The symbol index").
"""

from __future__ import annotations

import ast
import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import LEGACY, POLICY_HEADER, run
from hypothesis import given, settings
from hypothesis import strategies as st

from ssot_flake8.analysis.index import ModuleInfo, ModuleRecorder, build_index, record_source
from ssot_flake8.policy.config import load_policy
from ssot_flake8.source.fallback import import_statements

USE = "use `from pkg.core.manager import Manager`"
SINGLETON = "is a banned singleton accessor: construct Manager(user_context=...)"
NEWER = sys.version_info < (3, 12)  # PEP 701 f-strings do not parse here

FILES = {
    "pkg/core/manager.py": "class Manager:\n    def __init__(self, user_context):\n"
    "        self.user_context = user_context\n",
    "pkg/core/__init__.py": "def get_manager():\n    return None\n",
    # an alias in one module, re-exported by its package, imported in a third
    "pkg/compat/aliases.py": "from pkg.core.manager import Manager\nCompatManager = Manager\n",
    "pkg/compat/__init__.py": "from .aliases import CompatManager\n__all__ = ['CompatManager']\n",
    "pkg/app/client.py": "from pkg.compat import CompatManager\nCompatManager(user_context=1)\n"
    "CompatManager()\n",
    # star re-exports: without __all__ everything public comes along; with it, only what it lists
    "pkg/star/__init__.py": "from pkg.compat.aliases import *\n",
    "pkg/hidden/mod.py": "from pkg.core.manager import Manager as Hidden\n__all__ = []\n",
    "pkg/hidden/__init__.py": "from .mod import *\n",
    "pkg/app/star_client.py": "from pkg.star import CompatManager\nfrom pkg.hidden import Hidden\n"
    "CompatManager(user_context=Hidden)\n",
    # re-export cycles: a star cycle and a plain import cycle
    "pkg/cyc/a.py": "from pkg.cyc.b import *\nfrom pkg.core.manager import Manager as CycleManager\n",
    "pkg/cyc/b.py": "from pkg.cyc.a import *\n",
    "pkg/cyc/c.py": "from pkg.cyc.d import Loop\nCycleManager(user_context=Loop)\n",
    "pkg/cyc/d.py": "from pkg.cyc.c import Loop\n",
    "pkg/app/cyc_client.py": "from pkg.cyc.b import CycleManager\nfrom pkg.cyc.a import Missing\n"
    "from pkg.cyc.d import Loop\nCycleManager(user_context=Loop)\n",
    # classes minted by type(): an empty shell is another name for its base, a real body is not
    "pkg/compat/typed.py": "from pkg.core.manager import Manager\n"
    "TypedManager = type('TypedManager', (Manager,), {})\n"
    "RichManager = type('RichManager', (Manager,), {'extra': 1})\n",
    "pkg/app/typed_client.py": "from pkg.compat.typed import TypedManager, RichManager\n"
    "TypedManager(user_context=RichManager)\n",
    # a banned function through an alias and a package re-export
    "pkg/util/helpers.py": "from pkg.core import get_manager as fetch\nmanager_getter = fetch\n",
    "pkg/util/__init__.py": "from .helpers import manager_getter\n__all__ = ['manager_getter']\n",
    "pkg/app/banned_client.py": "import pkg.util\nfrom pkg.util.helpers import manager_getter\n"
    "manager_getter()\npkg.util.manager_getter()\n",
    # stale names and modules, plain and inside try/except ImportError
    "pkg/app/stale.py": "from pkg.core.manager import Manger\n"
    "try:\n    from pkg.core.manager import ManagerV2\nexcept ImportError:\n    ManagerV2 = None\n"
    "try:\n    import pkg.core.managers\nexcept ImportError:\n    pass\n"
    "from pkg.core.mnager import Manager, Other\n"
    "from . import nothing_here\n"
    "from .client import CompatManager\n"
    "from pkg.core.legacy import OldManager, anything\n"
    "import pkg.shim.gone\n"
    "import os.path\nfrom json import nothing\n",
    # a local rename found by the index is not a class name: `class Base` elsewhere is no duplicate
    "pkg/app/renamed.py": "from pkg.core.manager import Manager as Base\nBase(user_context=1)\n",
    "pkg/app/other_base.py": "class Base:\n    pass\n",
    # a module that answers any name (PEP 562) or writes its globals() cannot be judged
    "pkg/dynamic.py": "def __getattr__(name):\n    return name\n",
    "pkg/rewritten.py": "globals()['made_up'] = 1\n",
    "pkg/app/dynamic_client.py": "from pkg.dynamic import whatever\nfrom pkg.rewritten import made_up\n",
    # newer syntax and a plain syntax error: the imports are still checked
    "pkg/app/newer.py": "from pkg.core.legacy import get_manager\nlabel = f'{'nested'}'\nget_manager()\n",
    "pkg/app/broken.py": "from pkg.core.legacy import get_manager\n\ndef broken(:\n    pass\n\n"
    "TEXT = '''\nfrom pkg.shim import in_a_string\n'''\n"
    "if True:\n    from pkg.shim import (\n        thing,\n    )\n"
    "from pkg.core.gone import x\n",
}


def stale(line_col: str, problem: str, hint: str = "") -> str:
    return f"{line_col}: SOT004 stale import: {problem}{hint}"


EXPECTED = {
    "pkg/compat/aliases.py": [  # pkg.star's star import takes Manager from it: a shim
        "1:30: SOT204 pkg.compat.aliases re-exports Manager (imported from here by pkg.star); "
        "import it from pkg.core.manager and remove the shim",
        "2:1: SOT203 CompatManager is an alias of pkg.core.manager.Manager; import Manager from "
        "pkg.core.manager instead"],
    "pkg/compat/__init__.py": [
        f"1:22: SOT001 pkg.compat.aliases.CompatManager is not the canonical path of Manager; {USE}",
        "1:22: SOT204 pkg.compat re-exports Manager (listed in __all__); import it from "
        "pkg.core.manager and remove the shim"],
    "pkg/app/client.py": [
        f"1:24: SOT001 pkg.compat.CompatManager is not the canonical path of Manager; {USE}",
        "1:24: SOT204 pkg.app.client re-exports Manager (imported from here by pkg.app.stale); "
        "import it from pkg.core.manager and remove the shim",
        "3:1: SOT103 Manager(...) constructed without user_context; pass user_context=..."],
    "pkg/star/__init__.py": [
        "1:32: SOT204 pkg.star re-exports Manager (star import); import it from pkg.core.manager "
        "and remove the shim"],
    "pkg/hidden/__init__.py": [],  # the star brings nothing: mod's __all__ is empty
    "pkg/hidden/mod.py": [],  # import-only, but nothing gets Hidden through it: no shim
    "pkg/app/star_client.py": [
        f"1:22: SOT001 pkg.star.CompatManager is not the canonical path of Manager; {USE}",
        stale("2:24", "pkg.hidden neither defines, imports nor re-exports Hidden")],
    "pkg/cyc/a.py": [
        "1:23: SOT204 pkg.cyc.a re-exports Manager (imported from here by pkg.cyc.b); import it "
        "from pkg.core.manager and remove the shim",
        "2:30: SOT204 pkg.cyc.a re-exports Manager (imported from here by pkg.cyc.b); import it "
        "from pkg.core.manager and remove the shim"],
    "pkg/cyc/b.py": [
        "1:23: SOT204 pkg.cyc.b re-exports Manager (imported from here by pkg.app.cyc_client and 1 "
        "more); import it from pkg.core.manager and remove the shim"],
    "pkg/app/cyc_client.py": [
        f"1:23: SOT001 pkg.cyc.b.CycleManager is not the canonical path of Manager; {USE}",
        stale("2:23", "pkg.cyc.a neither defines, imports nor re-exports Missing")],
    "pkg/compat/typed.py": [  # an empty subclass built by type() is an alias; RichManager is not
        "2:1: SOT203 TypedManager is an alias of pkg.core.manager.Manager; import Manager from "
        "pkg.core.manager instead"],
    "pkg/app/typed_client.py": [
        f"1:30: SOT001 pkg.compat.typed.TypedManager is not the canonical path of Manager; {USE}"],
    "pkg/app/banned_client.py": [
        f"3:1: SOT101 manager_getter {SINGLETON}",
        f"4:1: SOT101 pkg.util.manager_getter {SINGLETON}"],
    "pkg/util/helpers.py": [f"2:18: SOT101 fetch {SINGLETON}"],  # a reference is reported too
    "pkg/app/stale.py": [
        stale("1:30", "pkg.core.manager neither defines, imports nor re-exports Manger",
              "; did you mean Manager?"),
        stale("3:34", "pkg.core.manager neither defines, imports nor re-exports ManagerV2",
              "; did you mean Manager?"),
        stale("7:12", "module pkg.core.managers does not exist", "; did you mean pkg.core.manager?"),
        stale("10:29", "module pkg.core.mnager does not exist", "; did you mean pkg.core.manager?"),
        stale("11:15", "pkg.app neither defines, imports nor re-exports nothing_here"),
        f"12:21: SOT001 pkg.app.client.CompatManager is not the canonical path of Manager; {USE}",
        f"13:29: SOT001 pkg.core.legacy.OldManager is not the canonical path of Manager; {USE}",
        "13:41: SOT002 import of deprecated module pkg.core.legacy; use pkg.core.manager",
        "14:8: SOT002 import of deprecated module pkg.shim"],
    "pkg/app/dynamic_client.py": [],
    "pkg/app/renamed.py": [],
    "pkg/app/other_base.py": [],
    "pkg/app/newer.py": (
        ["1:29: SOT002 import of deprecated module pkg.core.legacy; use pkg.core.manager"]
        + (["2:13: SOT000 pkg/app/newer.py could not be analysed: uses syntax from Python 3.12 "
            "(nested quotes in f-string); run ssot under Python >= 3.12 to analyse it"]
           if NEWER else [f"3:1: SOT101 get_manager {SINGLETON}"])),
    "pkg/app/broken.py": [
        "1:29: SOT002 import of deprecated module pkg.core.legacy; use pkg.core.manager",
        "3:12: SOT000 pkg/app/broken.py could not be analysed: SyntaxError: invalid syntax",
        "11:9: SOT002 import of deprecated module pkg.shim",
        stale("13:27", "module pkg.core.gone does not exist")],
}
UNPARSABLE = {"pkg/app/broken.py"} | ({"pkg/app/newer.py"} if NEWER else set())


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("index") / "proj"
    root.mkdir()
    (root / ".importlinter").write_text(POLICY_HEADER)
    for relative, source in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    for directory in {p.parent for p in root.joinpath("pkg").rglob("*.py")}:
        if not (directory / "__init__.py").exists():
            (directory / "__init__.py").write_text("")
    return root


def by_file(output: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in output.splitlines():
        if line.startswith("pkg/"):
            path, _, rest = line.partition(":")
            found.setdefault(path, []).append(rest)
    return found


@pytest.fixture(scope="module")
def ssot_output(project) -> dict[str, list[str]]:
    result = run("ssot", "check", "pkg", cwd=project)
    assert result.returncode == 1, result.stderr
    return by_file(result.stdout)


@pytest.fixture(scope="module")
def flake8_output(project) -> dict[str, list[str]]:
    result = run("flake8", "--select", "SOT,E999", "pkg", cwd=project)
    return by_file(result.stdout)


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_ssot_check_findings(ssot_output, relative):
    assert ssot_output.get(relative, []) == EXPECTED[relative]


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_flake8_gives_the_same_findings(flake8_output, relative):
    if relative in UNPARSABLE:  # flake8 stops at its E999 and runs no plugin on the file
        assert [line.split(" ")[1] for line in flake8_output[relative]] == ["E999"]
    else:
        assert flake8_output.get(relative, []) == EXPECTED[relative]


def test_nothing_else_is_reported(ssot_output):
    assert set(ssot_output) <= set(EXPECTED)


def test_cycles_terminate_and_resolve_to_nothing(project):
    index = build_index(load_policy(project / ".importlinter"), use_cache=False)
    assert index.origins("pkg.cyc.c", "Loop") == frozenset()
    assert index.origins("pkg.cyc.b", "CycleManager") == {"pkg.core.manager.Manager"}
    assert index.exports("pkg.cyc.b") == {"CycleManager"}


def test_the_cache_follows_file_content(tmp_path):
    root = tmp_path / "proj"
    (root / "pkg" / "core").mkdir(parents=True)
    (root / ".importlinter").write_text(POLICY_HEADER)
    for relative in ("pkg/__init__.py", "pkg/core/__init__.py"):
        (root / relative).write_text("")
    manager = root / "pkg/core/manager.py"
    manager.write_text("class Manager:\n    pass\n")
    (root / "pkg/use.py").write_text(
        "from pkg.core.manager import Helper\nfrom pkg.alias import M\nM(user_context=Helper)\n")
    for path in root.rglob("*.py"):  # settled files: the cache trusts their size and mtime
        os.utime(path, (1_600_000_000, 1_600_000_000))
    first = run("ssot", "check", "pkg", cwd=root)
    assert [line.split(" ")[1] for line in first.stdout.splitlines()[:-1]] == ["SOT004", "SOT004"]
    assert list((root / ".ssot_cache").glob("index-*.json"))
    manager.write_text("class Manager:\n    pass\n\n\nclass Helper:\n    pass\n")
    (root / "pkg/alias.py").write_text("from pkg.core.manager import Manager as M\n")
    second = run("ssot", "check", "pkg/use.py", cwd=root)  # new content, new alias: both seen
    assert second.stdout.splitlines() == [
        f"pkg/use.py:2:23: SOT001 pkg.alias.M is not the canonical path of Manager; {USE}",
        "Found 1 error."]
    for cache in (root / ".ssot_cache").glob("index-*.json"):
        cache.write_text("{not json")  # a damaged cache costs speed, never answers
    (root / "pkg/alias.py").unlink()
    manager.write_text("class Manager:\n    pass\n")
    again = run("ssot", "check", "pkg", cwd=root)
    assert again.stdout == first.stdout
    assert again.stderr == ""


def test_lint_imports_sees_the_index_too(project, tmp_path):
    """The `ssot` contract inside lint-imports reports the alias nobody listed. (import-linter
    aborts on a file that does not parse, so this copy leaves those out.)"""
    copy = tmp_path / "proj"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".ssot_cache", "__pycache__"))
    for relative in UNPARSABLE:
        (copy / relative).unlink()
    result = run("lint-imports", cwd=copy)
    text = " ".join(result.stdout.split())
    assert ("pkg.app.client (pkg/app/client.py): - l.1: SOT001 pkg.compat.CompatManager is not "
            "the canonical path") in text
    assert "pkg.app.stale (pkg/app/stale.py): - l.1: SOT004 stale import" in text


def test_legacy_recovery_alias_is_found_where_it_is_imported():
    result = run("ssot", "check", "netra_backend/app/services/reconnect_service.py", cwd=LEGACY)
    assert result.stdout.splitlines()[:2] == [
        "netra_backend/app/services/reconnect_service.py:5:49: SOT001 "
        "netra_backend.app.services.recovery.WebSocketRecoveryManager is not the canonical path "
        "of WebSocketManager; use `from netra_backend.app.websocket_core.websocket_manager import "
        "WebSocketManager`",
        "netra_backend/app/services/reconnect_service.py:8:68: SOT004 stale import: "
        "netra_backend.app.websocket_core.websocket_manager neither defines, imports nor "
        "re-exports WebSocketManagerV2; did you mean WebSocketManager?",
    ]


def test_token_fallback_reads_past_an_unterminated_string():
    text = "import a.b\nx = '''never closed\nfrom c import (d,\n    e)\n"
    statements = import_statements(text)
    assert [(s.lineno, s.col_offset, ast_dump(s)) for s in statements] == [
        (1, 0, "import a.b"), (3, 0, "from c import d, e")]


def ast_dump(node) -> str:
    import ast

    return ast.unparse(node)


def test_a_long_reexport_chain_does_not_crash(tmp_path):
    """Deeper than Python's stack: the index gives up on that name, the run goes on."""
    root = tmp_path / "proj"
    (root / "pkg" / "chain").mkdir(parents=True)
    (root / ".importlinter").write_text(POLICY_HEADER)
    (root / "pkg/__init__.py").write_text("")
    (root / "pkg/core").mkdir()
    (root / "pkg/core/__init__.py").write_text("")
    (root / "pkg/core/manager.py").write_text("class Manager:\n    pass\n")
    (root / "pkg/chain/__init__.py").write_text("")
    (root / "pkg/chain/m0.py").write_text("from pkg.core.manager import Manager\n")
    for number in range(1, 1500):
        (root / f"pkg/chain/m{number}.py").write_text(f"from pkg.chain.m{number - 1} import Manager\n")
    (root / "pkg/use.py").write_text("from pkg.chain.m3 import Manager\nManager(user_context=1)\n")
    result = run("ssot", "check", "pkg/use.py", cwd=root)
    assert result.stderr == ""
    assert result.stdout.splitlines()[0] == (
        f"pkg/use.py:1:26: SOT001 pkg.chain.m3.Manager is not the canonical path of Manager; {USE}")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("fromimport .()\\\n\t'\"#;:abc*,x1")), max_size=200))
def test_token_fallback_never_raises(text):
    for statement in import_statements(text):
        assert statement.lineno >= 1


def _old_project(tmp_path, files: dict[str, str]):
    """A project under the mini policy whose files all carry one old mtime (so a rewrite is
    seen by content, not by time)."""
    root = tmp_path / "proj"
    (root / "pkg" / "core").mkdir(parents=True)
    (root / ".importlinter").write_text(POLICY_HEADER)
    for relative in ("pkg/__init__.py", "pkg/core/__init__.py"):
        (root / relative).write_text("")
    (root / "pkg/core/manager.py").write_text("class Manager:\n    pass\n")
    for relative, text in files.items():
        (root / relative).write_text(text)
    for path in root.rglob("*.py"):
        os.utime(path, (1_600_000_000, 1_600_000_000))
    return root


def test_cached_findings_follow_what_other_modules_offer(tmp_path):
    """`ssot check` caches each file's findings by its own content; a stale import in an
    unchanged file goes away when the module it imports from gains the name."""
    root = _old_project(tmp_path, {"pkg/use.py": "from pkg.core.manager import Helper\n\nHelper()\n"})
    first = run("ssot", "check", "pkg", cwd=root)
    assert first.stdout.splitlines()[0] == (
        "pkg/use.py:1:30: SOT004 stale import: pkg.core.manager neither defines, imports nor "
        "re-exports Helper")
    (root / "pkg/core/manager.py").write_text("class Manager:\n    pass\n\n\nHelper = object\n")
    second = run("ssot", "check", "pkg", cwd=root)
    assert (second.returncode, second.stdout) == (0, "All checks passed!\n")


def test_cached_shim_findings_follow_who_imports_through_the_module(tmp_path):
    """A module is a shim while another imports the symbol through it: the cached findings of
    the unchanged shim file follow the importer's edit (both ways)."""
    root = _old_project(tmp_path, {"pkg/shim.py": "from pkg.core.manager import Manager\n",
                                   "pkg/use.py": "from pkg.core.manager import Manager\n"})
    assert run("ssot", "check", "pkg", cwd=root).stdout == "All checks passed!\n"
    (root / "pkg/use.py").write_text("from pkg.shim import Manager\n")
    through = run("ssot", "check", "pkg", cwd=root)
    assert through.stdout.splitlines()[:2] == [
        "pkg/shim.py:1:30: SOT204 pkg.shim re-exports Manager (imported from here by pkg.use); "
        "import it from pkg.core.manager and remove the shim",
        f"pkg/use.py:1:22: SOT001 pkg.shim.Manager is not the canonical path of Manager; {USE}"]
    (root / "pkg/use.py").write_text("from pkg.core.manager import Manager\n")
    assert run("ssot", "check", "pkg", cwd=root).stdout == "All checks passed!\n"


# -- the fast reader: the top level without function and class bodies --------------------------

def _full_parse(text: str) -> ModuleInfo:
    """What the recorder makes of the whole parsed module (the reference the skeleton must meet)."""
    info = ModuleRecorder("pkg.mod", False).record(ast.parse(text))
    info.bindings = {name: sorted(targets) for name, targets in info.bindings.items()}
    return info


def _fast(text: str) -> ModuleInfo:
    info = record_source(text.encode(), "pkg.mod", False)
    info.bindings = {name: sorted(targets) for name, targets in info.bindings.items()}
    return info


SKELETON_CASES = {
    "definitions first and last": "def first():\n    return 1\n\nX = first\n\nclass Last(Base):\n    y = 2\n",
    "decorated, with a header over several lines": (
        "import functools\n\n@functools.cache\ndef cached(\n    a,\n    b,\n) -> int:\n    return a\n"
        "\nALIAS = cached\n"),
    "a dedented string inside a function": (
        'def sql():\n    return """\nSELECT 1\nFROM t\n"""\n\nAFTER = sql\n'),
    "code-looking text inside a function's string": (
        'def template():\n    return """\nimport os\nSHADOW = 1\n"""\n\nREAL = 2\n'),
    "blocks at the top level": (
        "try:\n    from fast import Parser\nexcept ImportError:\n    Parser = None\n"
        "if TYPE_CHECKING:\n    from typing import Any\nelse:\n    Any = object\n"),
    "a module docstring with text at column 0": '"""Title.\n\nimport this is prose\n"""\nX = 1\n',
    "a continued line": "def f():\n    return 1 + \\\n2\nY = f\n",
    "brackets closing at column 0": "__all__ = [\n    'a',\n]\nA = {\n    1: 2,\n}\ndef a():\n    pass\n",
    "Windows line endings": "import os\r\n\r\ndef f():\r\n\r\n    return os\r\n\r\nG = f\r\n",
    "a type() shell": "from base import Manager\nShim = type('Shim', (Manager,), {})\n",
}


@pytest.mark.parametrize("text", SKELETON_CASES.values(), ids=SKELETON_CASES.keys())
def test_reading_the_top_level_only_records_what_a_full_parse_records(text):
    fast, full = _fast(text), _full_parse(text)
    assert (fast.bindings, fast.stars, fast.all) == (full.bindings, full.stars, full.all)


def test_names_bound_inside_functions_and_dynamic_namespaces():
    text = "class C:\n    def m(self):\n        global CREATED\n        CREATED = 1\n"
    assert _fast(text).bindings["CREATED"] == [""]
    assert _fast(text).judgeable
    for dynamic in ("def __getattr__(name):\n    return name\n",
                    "def f():\n    globals()['X'] = 1\n",
                    "import sys\nsys.modules[__name__] = object()\n"):
        assert not _fast(dynamic).judgeable, dynamic
    for static in ("session.exec(query)\n", "import sys\nm = sys.modules['x']\n", "envvars(1)\n"):
        assert _fast(static).judgeable, static


def test_reading_in_worker_processes_gives_the_same_index(legacy_copy):
    services = legacy_copy / "netra_backend" / "app" / "services"
    for number in range(16):  # 17 files each: enough misses for the worker processes
        shutil.copytree(services, services.parent / f"services_{number}")
    serial = build_index(load_policy(legacy_copy / ".importlinter"), use_cache=False, jobs=1)
    pooled = build_index(load_policy(legacy_copy / ".importlinter"), use_cache=False, jobs=2)
    assert len(pooled.modules) > 300
    assert pooled.digest == serial.digest
    assert {m: i.to_json() for m, i in pooled.modules.items()} == {
        m: i.to_json() for m, i in serial.modules.items()}
