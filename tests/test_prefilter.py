"""The bytes pre-filter: smaller after the tuning, and still never hides a finding."""

from __future__ import annotations

from conftest import LEGACY

from ssot_flake8.analysis.engine import check_source
from ssot_flake8.analysis.prefilter import could_match
from ssot_flake8.policy.config import load_policy


def test_keywords_keep_only_words_no_other_word_contains():
    policy = load_policy(LEGACY / ".importlinter")
    assert sorted(policy.keywords()) == [
        b"ConnectionInfo", b"ConnectionManager", b"WebSocketManager",
        b"create_manager_with_enhanced_cleanup", b"create_websocket_manager",
        b"get_enhanced_websocket_factory", b"get_manager", b"get_websocket_manager",
    ]


TYPES_PATH = str(LEGACY / "netra_backend" / "app" / "websocket_core" / "types.py")


def test_deprecated_modules_are_found_by_their_imports_not_by_a_common_word():
    """`manager` and `websocket` are words half a backend uses: a file passes because it imports
    a deprecated module (or may load one dynamically), not because it says `manager`."""
    policy = load_policy(LEGACY / ".importlinter")
    prose = b"def manager(websocket):\n    return websocket.manager\n"
    assert not could_match(prose, policy, TYPES_PATH)
    for source in (
        b"from netra_backend.app.websocket_core import manager\n",
        b"from .manager import X\n",
        b"import netra_backend.app.websocket_core.unified_manager as um\n",
        b"from netra_backend.app.websocket_core.migration_adapter import *\n",
        b"import importlib\nm = importlib.import_module('netra_backend.app.websocket')\n",
    ):
        assert could_match(source, policy, TYPES_PATH), source
        assert {f.code for f in check_source(source, TYPES_PATH, policy)} & {"SOT002", "SOT003"}, source


def test_every_file_with_findings_passes_the_prefilter():
    policy = load_policy(LEGACY / ".importlinter")
    with_findings = 0
    for path in sorted((LEGACY / "netra_backend").rglob("*.py")):
        data = path.read_bytes()
        if check_source(data, str(path), policy, prefilter=False):
            with_findings += 1
            assert could_match(data, policy), path
    assert with_findings >= 10


def test_a_file_naming_only_a_longer_word_still_passes(mini_project):
    mini_project("pkg/app/user.py", "from pkg.core.legacy import ManagerFactory\n")
    policy = load_policy(mini_project.root / ".importlinter")
    assert b"ManagerFactory" not in policy.keywords()  # covered by b"Manager"
    path = mini_project.root / "pkg/app/user.py"
    findings = check_source(path.read_bytes(), str(path), policy)
    assert [f.code for f in findings] == ["SOT002"]
    assert not could_match(b"import os\nprint(os.getcwd())\n", policy)
