"""`ssot init TARGET`: a sub-package's starter policy, ranked and capped, with the evidence of each
entry and a layers contract that is kept on the day it is written."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import REPO, run
from test_init import CANONICAL, WSC, contract_fields, write_tree

GOLDEN = REPO / "tests" / "golden" / "init_websocket_core.importlinter"
LINT_ENV = {**os.environ, "COLUMNS": "1000"}


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_websocket_core_starter_policy_exactly(legacy_copy):
    """The whole file: ranked symbols with their evidence, the layers read from the imports of
    websocket_core (the deprecated modules left out), and lint-imports keeps the layers today."""
    (legacy_copy / ".importlinter").unlink()
    result = run("ssot", "init", WSC, cwd=legacy_copy)
    assert result.returncode == 0, result.stderr
    written = (legacy_copy / ".importlinter").read_text()
    assert written == GOLDEN.read_text()
    lint = run("lint-imports", cwd=legacy_copy, env=LINT_ENV)
    assert "netra_backend.app.websocket_core layering (read from today's imports) KEPT" in lint.stdout
    assert "Contracts: 1 kept, 1 broken." in lint.stdout  # the ssot contract reports today's drift
    again = run("ssot", "init", WSC, "--force", cwd=legacy_copy)
    assert again.returncode == 0, again.stderr
    assert (legacy_copy / ".importlinter").read_text() == written  # idempotent


def test_max_caps_the_symbols_by_rank(legacy_copy):
    (legacy_copy / ".importlinter").unlink()
    result = run("ssot", "init", WSC, "--max", "1", "--no-boundaries", cwd=legacy_copy)
    assert result.returncode == 0, result.stderr
    fields = contract_fields(legacy_copy / ".importlinter")
    assert fields["canonical"] == [CANONICAL]
    assert ("1 more class names are repeated or drifted with less evidence (or beyond --max); "
            "not written: ConnectionInfo") in result.stdout.splitlines()
    bad = run("ssot", "init", WSC, "--max", "0", cwd=legacy_copy)
    assert bad.returncode == 2
    assert bad.stderr.splitlines()[-1].endswith("argument --max: expected a positive number, got '0'")


def test_output_path_outside_the_tree_leaves_the_tree_alone(legacy_copy, tmp_path):
    (legacy_copy / ".importlinter").unlink()
    before = tree_bytes(legacy_copy)
    out = tmp_path / "proposal" / "policy.ini"
    out.parent.mkdir()
    result = run("ssot", "init", WSC, "--root", str(legacy_copy), "--output", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert tree_bytes(legacy_copy) == before
    assert sorted(p.name for p in out.parent.iterdir()) == [".pre-commit-config.yaml", "policy.ini"]
    assert out.read_text() == GOLDEN.read_text()


ACME = {
    "acme/__init__.py": "",
    "acme/core/__init__.py": "",
    # the implementation is private; `engine` publishes it under its public name
    "acme/core/impl.py": (
        "from acme.core import compat\n\n\n"
        "class _EngineImpl:\n"
        "    def __init__(self, user_context, debug=False):\n"
        "        self.user_context = user_context\n\n\n"
        "def fallback():\n"
        "    return compat.Engine\n"
    ),
    "acme/core/engine.py": (
        "from acme.core.impl import _EngineImpl\n\n"
        "Engine = _EngineImpl\n"
        "_ENGINES = {}\n\n\n"
        "def get_engine(user_context) -> _EngineImpl:\n"  # a getter known from its annotation
        "    return _ENGINES[user_context]\n"
    ),
    "acme/core/build.py": (
        "def make_engine(user_context):\n"
        "    from acme.core.engine import Engine\n"  # resolved through the function's own import
        "    return Engine(user_context=user_context)\n"
    ),
    "acme/core/compat.py": "from acme.core.engine import Engine, get_engine\n",  # a shim
    "acme/api.py": (
        "from acme.core.compat import Engine\n"
        "from acme.core.engine import Engine as Canonical\n\n\n"
        "def run(ctx):\n"
        "    return Engine(user_context=ctx), Canonical(user_context=ctx)\n"
    ),
    "acme/tests/__init__.py": "",
    # test code: its imports are evidence, its classes and factories never a home or a ban
    "acme/tests/test_engine.py": (
        "from acme.core.compat import Engine\n\n\n"
        "class FakeEngine:\n    pass\n\n\n"
        "Engine2 = FakeEngine\n\n\n"
        "def create_engine():\n"
        "    return Engine(user_context=None)\n"
    ),
}


def test_alias_homes_annotated_getters_tests_as_evidence_and_recorded_breaks(tmp_path):
    write_tree(tmp_path, ACME)
    result = run("ssot", "init", "acme.core", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    fields = contract_fields(tmp_path / ".importlinter")
    assert fields == {
        "canonical": ["acme.core.engine.Engine"],
        "old_names": ["acme.core.compat.Engine -> acme.core.engine.Engine"],
        "deprecated_modules": ["acme.core.compat -> acme.core.engine"],
        "banned_calls": [
            "acme.core.build.make_engine: factory; construct Engine(user_context=...)",
            "acme.core.compat.get_engine: singleton; construct Engine(user_context=...)",
            "acme.core.engine.get_engine: singleton; construct Engine(user_context=...)",
        ],
        "required_arguments": ["acme.core.engine.Engine: user_context"],
    }
    text = (tmp_path / ".importlinter").read_text()
    assert (
        "    # rank 1, score 13: 3 import paths used by 5 modules; 1 alias; 2 getters/factories; "
        "1 shim\n    acme.core.engine.Engine\n"
    ) in text
    assert "    # re-export; imported by 2 modules (1 tests)\n    acme.core.compat.Engine ->" in text
    assert "    # parameters of acme.core.impl._EngineImpl.__init__\n" in text
    # impl reaches up to engine through the deprecated shim: recorded, so the contract is kept
    assert text.endswith(
        "layers =\n"
        "    # 1 module importing 1 below (engine)\n"
        "    (build)\n"
        "    # 1 module importing 1 below (impl)\n"
        "    (engine)\n"
        "    # 1 module importing no other module of the layering\n"
        "    (impl)\n"
        "# Today's breaks, recorded so the contract is kept from day one: remove an entry when its\n"
        "# import is gone (lint-imports fails on an entry that matches nothing).\n"
        "ignore_imports =\n"
        "    acme.core.impl -> acme.core.compat\n"
    )
    lint = run("lint-imports", "--contract", "acme-core-layers", cwd=tmp_path, env=LINT_ENV)
    assert lint.returncode == 0, lint.stdout
    assert "acme.core layering (read from today's imports) KEPT (1 ignored import)" in lint.stdout
