"""The editor mirror (SOT005): a direct import that breaks a forbidden, layers, independence or
protected contract is reported by flake8 at the import statement, as lint-imports would.

Each test writes a small project with real files and a real config, then runs real `flake8`
(and, where the two must agree, real `lint-imports`) on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, run

from ssot_flake8.analysis.engine import check_source
from ssot_flake8.analysis.prefilter import could_match
from ssot_flake8.policy.config import load_policy
from ssot_flake8.policy.model import PolicyError

HEADER = """\
[importlinter]
root_package = app
"""

FILES = {
    "app/__init__.py": "",
    "app/low/__init__.py": "",
    "app/low/util.py": "VALUE = 1\n",
    "app/mid.py": "from app.low import util\n",
    "app/high.py": "from app import mid\n",
    "app/a.py": "",
    "app/b.py": "",
    "app/secret/__init__.py": "",
    "app/secret/vault.py": "KEY = 1\n",
    "app/owner.py": "from app.secret import vault\n",
}


def project(tmp_path: Path, contracts: str, files: dict[str, str] | None = None) -> Path:
    root = tmp_path / "proj"
    for relative, text in {**FILES, **(files or {})}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / ".importlinter").write_text(HEADER + contracts)
    return root


def flake8(root: Path, *paths: str) -> list[str]:
    # Discovery only picks configs that register the ssot type; a config with only import-linter's
    # own contracts is named explicitly.
    result = run("flake8", "--select", "SOT", "--ssot-config", ".importlinter", *(paths or ("app",)),
                 cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return sorted(result.stdout.splitlines())


FORBIDDEN = """
[importlinter:contract:no-secret]
name = Low code does not touch the secret
type = forbidden
source_modules =
    app.low
    app.mid
forbidden_modules =
    app.secret
"""


def test_forbidden_direct_import_is_reported_at_the_statement(tmp_path):
    root = project(tmp_path, FORBIDDEN, {
        "app/mid.py": "from app.low import util\nfrom app.secret.vault import KEY\n",
        "app/low/util.py": "def f():\n    from ..secret import vault\n    return vault\n",
    })
    assert flake8(root) == [
        "app/low/util.py:2:5: SOT005 import of app.secret.vault breaks the forbidden contract "
        "'Low code does not touch the secret': app.low must not import app.secret",
        "app/mid.py:2:1: SOT005 import of app.secret.vault breaks the forbidden contract "
        "'Low code does not touch the secret': app.mid must not import app.secret",
    ]


def test_forbidden_chain_is_left_to_lint_imports(tmp_path):
    """mid -> owner -> secret: not a direct import, so the editor stays quiet; lint-imports
    (which sees the whole graph) reports the chain."""
    root = project(tmp_path, FORBIDDEN, {"app/mid.py": "from app import owner\n"})
    assert flake8(root) == []
    result = run("lint-imports", "--no-cache", cwd=root, env={"COLUMNS": "200", "PATH": ""})
    assert "app.mid -> app.owner (l.1)" in result.stdout
    assert result.returncode == 1


def test_forbidden_with_as_packages_false_and_indirect_imports_allowed(tmp_path):
    contract = """
[importlinter:contract:no-package]
name = Import from the module, not the package
type = forbidden
source_modules =
    app.**
forbidden_modules =
    app.secret
as_packages = false
allow_indirect_imports = true
"""
    root = project(tmp_path, contract, {
        "app/high.py": "from app.secret import vault\nfrom app import secret\n",
        "app/mid.py": "import app.secret\n",
    })
    # `from app.secret import vault` imports the module app.secret.vault: allowed.
    assert flake8(root) == [
        "app/high.py:2:1: SOT005 import of app.secret breaks the forbidden contract "
        "'Import from the module, not the package': app.high must not import app.secret",
        "app/mid.py:1:1: SOT005 import of app.secret breaks the forbidden contract "
        "'Import from the module, not the package': app.mid must not import app.secret",
    ]


LAYERS = """
[importlinter:contract:layers]
name = app layers
type = layers
containers =
    app
layers =
    high
    mid
    a | b
    (gone)
    low
"""


def test_layers_lower_importing_higher_and_independent_siblings(tmp_path):
    root = project(tmp_path, LAYERS, {
        "app/low/util.py": "from app.mid import x\nVALUE = x\n",  # names that exist: no SOT004
        "app/a.py": "from . import b\nfrom app.low.util import VALUE\n",
        "app/mid.py": "from app.low import util\nfrom app import high\nx = 1\n",
    })
    assert flake8(root) == [
        "app/a.py:1:1: SOT005 import of app.b breaks the layers contract 'app layers': "
        "app.a and app.b are independent siblings in one layer",
        "app/low/util.py:1:1: SOT005 import of app.mid breaks the layers contract 'app layers': "
        "app.low is in a lower layer than app.mid",
        "app/mid.py:2:1: SOT005 import of app.high breaks the layers contract 'app layers': "
        "app.mid is in a lower layer than app.high",
    ]


def test_layers_non_independent_siblings_may_import_each_other(tmp_path):
    contract = LAYERS.replace("a | b", "a : b")
    root = project(tmp_path, contract, {"app/a.py": "from app import b\n"})
    assert flake8(root) == []


def test_independence(tmp_path):
    contract = """
[importlinter:contract:independent]
name = a and b do not know each other
type = independence
modules =
    app.a
    app.b
    app.secret
"""
    root = project(tmp_path, contract, {
        "app/a.py": "import app.b\n",
        "app/b.py": "from app.secret.vault import KEY\nfrom app.low import util\n",
    })
    assert flake8(root) == [
        "app/a.py:1:1: SOT005 import of app.b breaks the independence contract "
        "'a and b do not know each other': app.a and app.b must be independent",
        "app/b.py:1:1: SOT005 import of app.secret.vault breaks the independence contract "
        "'a and b do not know each other': app.b and app.secret must be independent",
    ]


def test_protected(tmp_path):
    contract = """
[importlinter:contract:protected]
name = Only the owner opens the vault
type = protected
protected_modules =
    app.secret
allowed_importers =
    app.owner
"""
    root = project(tmp_path, contract, {
        "app/high.py": "from app.secret.vault import KEY\n",
        "app/secret/__init__.py": "from . import vault\n",  # inside the protected package
    })
    assert flake8(root) == [
        "app/high.py:1:1: SOT005 import of app.secret.vault breaks the protected contract "
        "'Only the owner opens the vault': app.secret may only be imported by app.owner",
    ]


def test_ignore_imports_with_wildcards(tmp_path):
    contract = FORBIDDEN + """ignore_imports =
    app.low.* -> app.secret.**
"""
    root = project(tmp_path, contract, {
        "app/mid.py": "from app.secret.vault import KEY\n",
        "app/low/util.py": "from app.secret.vault import KEY\n",
    })
    assert flake8(root) == [
        "app/mid.py:1:1: SOT005 import of app.secret.vault breaks the forbidden contract "
        "'Low code does not touch the secret': app.mid must not import app.secret",
    ]


def test_type_checking_imports_follow_import_linter_option(tmp_path):
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.secret import vault\n"
    root = project(tmp_path, FORBIDDEN, {"app/mid.py": source})
    assert len(flake8(root)) == 1
    (root / ".importlinter").write_text(HEADER + "exclude_type_checking_imports = true\n" + FORBIDDEN)
    assert flake8(root) == []


def test_noqa_silences_the_line(tmp_path):
    root = project(tmp_path, FORBIDDEN, {
        "app/mid.py": "from app.secret import vault  # noqa: SOT005\n"
    })
    assert flake8(root) == []


@pytest.mark.parametrize(
    "contract, message",
    [
        (FORBIDDEN.replace("    app.secret\n", "    app.secrets\n"),
         "contract 'no-secret': forbidden_modules: module app.secrets does not exist"),
        (LAYERS.replace("    mid\n", "    middle\n"),
         "contract 'layers': layers: module app.middle does not exist"),
        (FORBIDDEN.replace("    app.low\n", "    app.low-level\n"),
         "contract 'no-secret': source_modules: 'app.low-level' is not a module expression"),
        (FORBIDDEN + "ignore_imports =\n    app.low app.secret\n",
         "contract 'no-secret': ignore_imports: 'app.low app.secret': expected `importer -> imported`"),
        (FORBIDDEN + "as_packages = maybe\n",
         "contract 'no-secret': as_packages: 'maybe': expected true or false"),
    ],
)
def test_a_contract_that_cannot_be_used_gives_one_line(tmp_path, contract, message):
    root = project(tmp_path, contract)
    with pytest.raises(PolicyError) as error:
        load_policy(root / ".importlinter")
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    result = run("flake8", "--select", "SOT", "--ssot-config", ".importlinter", "app", cwd=root)
    assert result.returncode == 1  # flake8 goes on; the files get an SOT000 naming the problem
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_module_hint_points_at_the_ssot_contract(tmp_path):
    root = project(tmp_path, FORBIDDEN.replace("    app.secret\n", "    app.deleted\n"))
    result = run("flake8", "--select", "SOT", "--ssot-config", ".importlinter", "app", cwd=root)
    assert "a deleted module belongs in the ssot contract's deprecated_modules" in result.stderr


def test_a_forbidden_contract_that_checks_nothing_is_flagged(tmp_path):
    """Point 5 of the issue: source modules that contain the forbidden module make import-linter
    skip every pair and report the contract KEPT. The policy says so."""
    contract = """
[importlinter:contract:vacuous]
name = Nothing imports the secret
type = forbidden
source_modules =
    app
forbidden_modules =
    app.secret
"""
    root = project(tmp_path, contract, {"app/mid.py": "from app.secret import vault\n"})
    policy = load_policy(root / ".importlinter")
    assert policy.boundaries.warnings == (
        "contract 'Nothing imports the secret' checks nothing: each of its source modules "
        "contains or is inside each forbidden module, and import-linter skips such pairs; list "
        "the sibling modules that must not import them as source_modules",
    )
    assert flake8(root) == []  # the mirror agrees with import-linter: nothing is checked
    result = run("lint-imports", "--no-cache", cwd=root)
    assert "Nothing imports the secret KEPT" in result.stdout


def test_ssot_check_reports_the_same(tmp_path):
    root = project(tmp_path, FORBIDDEN, {"app/mid.py": "from app.secret.vault import KEY\n"})
    result = run("ssot", "check", "--config", ".importlinter", "app", cwd=root)
    assert result.stdout.splitlines()[0] == (
        "app/mid.py:1:1: SOT005 import of app.secret.vault breaks the forbidden contract "
        "'Low code does not touch the secret': app.mid must not import app.secret"
    )
    assert result.returncode == 1


def test_exempt_modules_are_exempt_from_ssot_rules_not_from_boundaries(mini_project):
    config = (mini_project.root / ".importlinter").read_text() + """
exempt_modules =
    pkg.app.**

[importlinter:contract:core-private]
name = Only pkg.core imports the legacy module
type = protected
protected_modules =
    pkg.core.legacy
allowed_importers =
    pkg.core
"""
    (mini_project.root / ".importlinter").write_text(config)
    mini_project("pkg/core/legacy.py", "")
    mini_project("pkg/app/x.py", "from pkg.core.legacy import get_manager\n\nget_manager()\n")
    result = run("flake8", "--select", "SOT", "pkg/app", cwd=mini_project.root)
    assert result.stdout.splitlines() == [
        "pkg/app/x.py:1:1: SOT005 import of pkg.core.legacy breaks the protected contract "
        "'Only pkg.core imports the legacy module': pkg.core.legacy may only be imported by pkg.core"
    ]


# Every way for websocket_core.types (the bottom layer of the flagship) to import protocols,
# a layer above it.
GUARDED_FORMS = [
    "import netra_backend.app.websocket_core.protocols",
    "import netra_backend.app.websocket_core.protocols as p",
    "from netra_backend.app.websocket_core.protocols import X",
    "from netra_backend.app.websocket_core import protocols",
    "from netra_backend.app.websocket_core import (\n    auth,\n    protocols,\n)",
    "from .protocols import X",
    "from . import protocols",
    "from ..websocket_core.protocols import X",
    "def f():\n    from netra_backend.app.websocket_core.protocols import X\n",
]
TYPES_MODULE = REPO / "examples" / "legacy" / "netra_backend" / "app" / "websocket_core" / "types.py"


@pytest.mark.parametrize("source", GUARDED_FORMS)
def test_prefilter_never_drops_an_import_that_breaks_a_contract(source):
    """Each way of writing an import that breaks the layers contract passes the pre-filter, so
    the mirror sees every file that can break a boundary contract."""
    policy = load_policy(REPO / "examples" / "legacy" / ".importlinter")
    assert could_match(source.encode(), policy, str(TYPES_MODULE))
    assert {f.code for f in check_source(source.encode(), str(TYPES_MODULE), policy)} == {"SOT005"}


@pytest.mark.parametrize("source", [
    "import types\nfrom typing import Any\n",  # the standard library's types
    "from netra_backend.app.services import protocols\n",  # another package's module
    "# the auth routes handlers and protocols of this service\nfrom .helpers import X\n",
    "from netra_backend.app.db import protocols\n",  # a layer name in another package
    's = """\nfrom .protocols import X"""\n',  # read as an import: parsed, and then no finding
])
def test_prefilter_skips_files_whose_imports_break_nothing(source):
    policy = load_policy(REPO / "examples" / "legacy" / ".importlinter")
    passes = could_match(source.encode(), policy, str(TYPES_MODULE))
    assert passes == ('"""' in source)
    assert check_source(source.encode(), str(TYPES_MODULE), policy) == []
