"""`ssot lint-imports`: import-linter's own command on a graph that reads past files that do not
parse (analysis/graph.py), and that graph is grimp's graph (the adapter is faithful)."""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from pathlib import Path

import grimp
import pytest
from conftest import LEGACY, REPO, run

from ssot_flake8.analysis.graph import Unparsable, build_import_graph

ENV = {**os.environ, "COLUMNS": "300"}

CONTRACTS = """\
[importlinter]
root_package = app

[importlinter:contract:layers]
name = ui above domain above data
type = layers
layers =
    app.ui
    app.domain
    app.data

[importlinter:contract:no-ui-in-data]
name = data never imports ui
type = forbidden
source_modules =
    app.data
forbidden_modules =
    app.ui
"""

KEPT = """\
[importlinter]
root_package = app

[importlinter:contract:no-data-in-ui]
name = ui never imports data
type = forbidden
source_modules =
    app.ui
forbidden_modules =
    app.data
"""

# The broken file: line 3 opens a parenthesis it never closes; line 5 imports what it must not.
BROKEN = "from app.domain import model\n\nvalue = (1,\n\nimport app.ui.views\n"
REPAIRED = BROKEN.replace("value = (1,\n", "value = (1,)\n")

FILES = {
    "app/__init__.py": "",
    "app/ui/__init__.py": "",
    "app/ui/views.py": "from app.domain import model\n",
    "app/domain/__init__.py": "",
    "app/domain/model.py": '"""The model."""\n\n\ndef render():\n    from app.ui import views\n\n'
                           "    return views\n",
    "app/data/__init__.py": "",
    "app/data/db.py": "import app.ui.views\n",
}

# The broken contracts as import-linter reports them, per contract and per "X is not allowed to
# import Y" (import-linter prints them in set order, which changes from run to run).
REPORT = {
    "ui above domain above data": {
        "app.data is not allowed to import app.domain:": [
            "- app.data.broken -> app.domain.model (l.1)"],
        "app.data is not allowed to import app.ui:": [
            "- app.data.broken -> app.ui.views (l.5)",
            "- app.data.db -> app.ui.views (l.1)"],
        "app.domain is not allowed to import app.ui:": [
            "- app.domain.model -> app.ui.views (l.5)"],
    },
    "data never imports ui": {
        "app.data is not allowed to import app.ui:": [
            "-   app.data.broken -> app.domain.model (l.1)\n    app.domain.model -> app.ui.views (l.5)",
            "-   app.data.broken -> app.ui.views (l.5)",
            "-   app.data.db -> app.ui.views (l.1)"],
    },
}
SUMMARY = [
    "Analyzed 8 files, 5 dependencies.",
    "ui above domain above data BROKEN",
    "data never imports ui BROKEN",
    "Contracts: 0 kept, 2 broken.",
]


def broken_contracts(stdout: str) -> dict[str, dict[str, list[str]]]:
    """{contract: {"X is not allowed to import Y:": sorted chains}} from lint-imports' report."""
    report: dict[str, dict[str, list[str]]] = {}
    _, _, rest = stdout.partition("Broken contracts\n----------------\n")
    paragraphs = [p.strip("\n") for p in rest.split("\n\n") if p.strip()]
    contract = header = None
    for paragraph in paragraphs:
        lines = paragraph.splitlines()
        if len(lines) == 2 and set(lines[1]) == {"-"}:
            contract, header = lines[0], None
            report[contract] = {}
        elif paragraph.endswith(":") and " is not allowed to import " in paragraph:
            header = paragraph
            report[contract][header] = []
        else:
            report[contract][header].append(paragraph)
    return {c: {h: sorted(chains) for h, chains in headers.items()} for c, headers in report.items()}


def summary(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines()
            if line.startswith(("Analyzed", "Contracts:")) or line.endswith((" BROKEN", " KEPT"))]


WARNING = ("ssot lint-imports: warning: app/data/broken.py:3: SyntaxError: '(' was never closed; "
           "its imports were read past the error\n")


def make_tree(root: Path, broken: str, config: str = CONTRACTS) -> Path:
    for name, text in {**FILES, "app/data/broken.py": broken}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / ".importlinter").write_text(config)
    return root


@pytest.fixture
def broken_tree(tmp_path):
    return make_tree(tmp_path / "broken", BROKEN)


@pytest.fixture
def repaired_tree(tmp_path):
    return make_tree(tmp_path / "repaired", REPAIRED)


def lint(tree: Path, *command: str):
    return run(*command, "--config", ".importlinter", "--no-cache", "--no-logo", cwd=tree, env=ENV)


def test_plain_lint_imports_stops_at_the_syntax_error(broken_tree):
    result = lint(broken_tree, "lint-imports")
    assert result.returncode == 1
    assert result.stdout.strip() == f"Syntax error in {broken_tree}/app/data/broken.py, line 3: value = (1,"
    assert "Contracts" not in result.stdout


def test_ssot_lint_imports_reports_what_lint_imports_reports_once_the_file_parses(
        broken_tree, repaired_tree):
    ours = lint(broken_tree, "ssot", "lint-imports")
    theirs = lint(repaired_tree, "lint-imports")
    assert (ours.returncode, theirs.returncode) == (1, 1)
    assert broken_contracts(ours.stdout) == broken_contracts(theirs.stdout) == REPORT
    assert summary(ours.stdout) == summary(theirs.stdout) == SUMMARY
    assert sorted(ours.stdout.splitlines()) == sorted(theirs.stdout.splitlines())
    assert ours.stderr.endswith(WARNING) and ours.stderr.count("warning:") == 1
    assert theirs.stderr.count("warning:") == 0


def test_a_kept_contract_exits_0_past_the_broken_file(tmp_path):
    tree = make_tree(tmp_path / "kept", BROKEN, KEPT)
    assert lint(tree, "lint-imports").returncode == 1
    result = lint(tree, "ssot", "lint-imports")
    assert result.returncode == 0, result.stdout
    assert "ui never imports data KEPT" in result.stdout
    assert "Contracts: 1 kept, 0 broken." in result.stdout
    assert result.stderr.endswith(WARNING)


def test_options_are_import_linters(broken_tree):
    only = lint(broken_tree, "ssot", "lint-imports", "--contract", "no-ui-in-data")
    assert only.returncode == 1
    assert "data never imports ui BROKEN" in only.stdout
    assert "ui above domain above data" not in only.stdout
    assert "Contracts: 0 kept, 1 broken." in only.stdout
    timed = lint(broken_tree, "ssot", "lint-imports", "--show-timings")
    assert "Graph build duration" in timed.stdout
    helped = run("ssot", "lint-imports", "--help", cwd=broken_tree, env=ENV)
    assert helped.returncode == 0
    assert helped.stdout.startswith("Usage: ssot lint-imports [OPTIONS] [CONFIG_FILES]...")
    wrong = run("ssot", "lint-imports", "--no-such-option", cwd=broken_tree, env=ENV)
    assert wrong.returncode == 2
    assert "Error: No such option '--no-such-option'." in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_the_cache_keeps_reporting_the_broken_file(broken_tree):
    """The graph is cached with grimp's cache class in a directory of its own; a file read past
    its error is not cached, so each run says so again (and plain lint-imports still refuses)."""
    runs = [run("ssot", "lint-imports", "--no-logo", cwd=broken_tree, env=ENV) for _ in range(2)]
    assert [r.returncode for r in runs] == [1, 1]
    assert broken_contracts(runs[0].stdout) == broken_contracts(runs[1].stdout) == REPORT
    assert all(r.stderr.endswith(WARNING) for r in runs)
    assert (broken_tree / ".import_linter_cache" / "ssot-graph" / "app.meta.json").exists()
    plain = run("lint-imports", "--no-logo", cwd=broken_tree, env=ENV)
    assert plain.returncode == 1 and "Syntax error" in plain.stdout


# -- the graph is grimp's -----------------------------------------------------------------------


def details(graph) -> tuple[dict, set]:
    modules = {module: graph.is_module_squashed(module) for module in graph.modules}
    imports = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                imports.add((importer, imported, detail["line_number"], detail["line_contents"]))
    return modules, imports


OPTIONS = [dict(include_external_packages=e, exclude_type_checking_imports=t)
           for e in (False, True) for t in (False, True)]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(k for k, v in o.items() if v) or "plain")
@pytest.mark.parametrize("use_grimp_scanner", [True, False], ids=["grimp-scanner", "our-scanner"])
def test_the_graph_is_grimps_on_the_legacy_tree(monkeypatch, options, use_grimp_scanner):
    monkeypatch.syspath_prepend(str(LEGACY))
    theirs = grimp.build_graph("netra_backend", cache_dir=None, **options)
    ours = build_import_graph(["netra_backend"], [LEGACY], use_grimp_scanner=use_grimp_scanner,
                              on_unparsable=pytest.fail, **options)
    assert details(ours) == details(theirs)
    assert ours.count_imports() == theirs.count_imports() > 80
    assert len(ours.modules) == len(theirs.modules) >= 50


QUIRKS = {
    "pkg/__init__.py": "from . import a\nfrom .sub import *\nimport os.path\n",
    "pkg/a.py": textwrap.dedent("""\
        import pkg.sub.deep, pkg.missing.name
        from pkg.sub.deep import thing, other as alias
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from pkg import b
            if typing.TYPE_CHECKING:
                import pkg.c
            import pkg.d
        elif TYPE_CHECKING:
            import pkg.e
        else:  # not type checking only
            import pkg.f
        if x:
            pass
        elif TYPE_CHECKING:
            import pkg.g
        else:  # not type checking only
            import pkg.b
        if not TYPE_CHECKING:
            import pkg.c
        if TYPE_CHECKING and x:
            import pkg.d
        while TYPE_CHECKING:
            import pkg.e
        class K:
            def method(self):
                import requests.adapters; from django.db import models
        try:
            import pkg.b
        except ImportError:
            from . import c
        match x:
            case 1:
                from .sub import deep
        x = 1; from pkg import d
        from pkg import (
            e,
            f,
        )
        """),
    "pkg/b.py": "", "pkg/c.py": "", "pkg/d.py": "", "pkg/e.py": "", "pkg/f.py": "",
    "pkg/g.py": "from .. import a\nfrom . import a as self_\n",
    "pkg/sub/__init__.py": "from .. import a\nfrom ..sub import deep\n",
    "pkg/sub/deep.py": "from ... import b\nfrom .. import c\n",
    "pkg/not-a-module.py": "import pkg.a\n",
    "pkg/no_init/orphan.py": "import pkg.a\n",
}


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(k for k, v in o.items() if v) or "plain")
def test_our_scanner_reads_as_grimp_reads(tmp_path, monkeypatch, options):
    """Relative imports, names inside modules, missing modules, function-level imports,
    TYPE_CHECKING with grimp's quirks, squashed externals: the same graph."""
    for name, text in QUIRKS.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    theirs = grimp.build_graph("pkg", cache_dir=None, **options)
    ours = build_import_graph(["pkg"], [tmp_path], use_grimp_scanner=False,
                              on_unparsable=pytest.fail, **options)
    assert details(ours) == details(theirs)
    assert len(details(ours)[1]) >= 20


def test_a_broken_file_gives_its_imports_and_one_report(tmp_path):
    files = {
        "pkg/__init__.py": "",
        "pkg/a.py": "",
        "pkg/b.py": "",
        "pkg/broken.py": textwrap.dedent("""\
            from typing import TYPE_CHECKING
            from . import a
            def f(:
                pass
            if TYPE_CHECKING:
                from pkg import b
            """),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    heard: list[Unparsable] = []
    graph = build_import_graph(["pkg"], [tmp_path], on_unparsable=heard.append)
    assert [(p.line, p.reason) for p in heard] == [(3, "SyntaxError: invalid syntax")]
    assert heard[0].path.endswith("pkg/broken.py")
    assert graph.get_import_details(importer="pkg.broken", imported="pkg.a") == [
        {"importer": "pkg.broken", "imported": "pkg.a", "line_number": 2,
         "line_contents": "from . import a", "is_lazy": False}]
    assert graph.direct_import_exists(importer="pkg.broken", imported="pkg.b")
    skipped = build_import_graph(["pkg"], [tmp_path], exclude_type_checking_imports=True,
                                 on_unparsable=heard.append)
    assert not skipped.direct_import_exists(importer="pkg.broken", imported="pkg.b")
    assert skipped.direct_import_exists(importer="pkg.broken", imported="pkg.a")


def test_an_undecodable_file_is_reported_not_fatal(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("import pkg.b\n")
    (tmp_path / "pkg" / "b.py").write_bytes(b"import pkg.a\nx = '\xff\xfe'\n")
    heard: list[Unparsable] = []
    graph = build_import_graph(["pkg"], [tmp_path], on_unparsable=heard.append)
    assert [(p.path.endswith("pkg/b.py"), p.reason) for p in heard] == [
        (True, "not valid utf-8 (byte 18)")]
    assert graph.direct_import_exists(importer="pkg.a", imported="pkg.b")


def test_a_missing_package_is_import_linters_error(tmp_path):
    shutil.copy(LEGACY / ".importlinter", tmp_path / ".importlinter")
    result = run("ssot", "lint-imports", "--no-logo", "--no-cache", cwd=tmp_path, env=ENV)
    plain = run("lint-imports", "--no-logo", "--no-cache", cwd=tmp_path, env=ENV)
    assert (result.returncode, plain.returncode) == (1, 1)
    assert "Could not find package 'netra_backend' in your Python path." in result.stdout
    assert result.stdout == plain.stdout


# -- opt-in: the real code ----------------------------------------------------------------------

SNAPSHOT = os.environ.get("NETRA_SNAPSHOT")


@pytest.mark.skipif(not SNAPSHOT, reason="set NETRA_SNAPSHOT=<a netra-apex checkout> to run "
                                         "ssot lint-imports on the real code")
def test_on_a_real_snapshot(tmp_path, monkeypatch):
    """Where grimp builds the graph, ours is the same; where grimp stops at a syntax error, that
    file is among those we report, and ssot lint-imports checks every contract anyway."""
    tree = tmp_path / "tree"  # the snapshot stays read-only: caches are written here
    tree.mkdir()
    for name in ("netra_backend", "shared"):
        if (Path(SNAPSHOT) / name).is_dir():
            (tree / name).symlink_to(Path(SNAPSHOT) / name)
    shutil.copy(REPO / ".importlinter", tree / ".importlinter")
    monkeypatch.syspath_prepend(str(tree))
    heard: list[Unparsable] = []
    ours = build_import_graph(["netra_backend"], [tree], on_unparsable=heard.append)
    try:
        theirs = grimp.build_graph("netra_backend", cache_dir=None)
    except grimp.exceptions.SourceSyntaxError as error:
        stopped_at = os.path.relpath(error.filename, tree)
        assert any(problem.path.endswith(stopped_at) for problem in heard), (stopped_at, heard)
    else:
        assert heard == []
        assert details(ours) == details(theirs)
    result = run("ssot", "lint-imports", "--no-cache", "--no-logo", cwd=tree, env=ENV)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert f"Analyzed {len(ours.modules)} files, {ours.count_imports()} dependencies." in result.stdout
    assert re.search(r"^Contracts: \d+ kept, \d+ broken\.$", result.stdout, re.MULTILINE)
    assert result.stderr.count("ssot lint-imports: warning: ") == len(heard)


def test_newer_syntax_grimp_reads_is_read_by_grimp(tmp_path, monkeypatch):
    """grimp's parser knows Python 3.12 f-strings whatever Python runs it; such a file is read by
    grimp's scanner, so nothing is reported where plain lint-imports reports nothing."""
    files = {"pkg/__init__.py": "", "pkg/a.py": "",
             "pkg/new.py": 'from pkg import a\nname = "x"\ntext = f"{name + "!"}"\n'}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    ours = build_import_graph(["pkg"], [tmp_path], on_unparsable=pytest.fail)
    assert details(ours) == details(grimp.build_graph("pkg", cache_dir=None))
    assert ours.direct_import_exists(importer="pkg.new", imported="pkg.a")
