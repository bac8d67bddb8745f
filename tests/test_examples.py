"""The bundled trees through every front-end: exact findings on legacy, none on remediated.

tests/golden/legacy_findings.txt holds the reviewed findings on examples/legacy (flake8's text
format). After a deliberate engine change, review the diff and regenerate it with
`cd examples/legacy && flake8 --select SOT netra_backend > ../../tests/golden/legacy_findings.txt`.
"""

from __future__ import annotations

from conftest import LEGACY, REMEDIATED, REPO, run

from ssot_flake8.rules import RULES

GOLDEN = REPO / "tests" / "golden" / "legacy_findings.txt"
# flake8 runs no plugin on a file that does not parse (it reports E999 itself), and the legacy
# tree parses; SOT000 is covered in tests/test_bad_input.py.
NOT_IN_LEGACY = {"SOT000", "SOT900"}  # the legacy tree has no unparsable file and no stale noqa


def golden() -> list[str]:
    return GOLDEN.read_text().splitlines()


def test_flake8_on_legacy_gives_the_reviewed_findings():
    result = run("flake8", "--select", "SOT", "netra_backend", cwd=LEGACY)
    assert result.stdout.splitlines() == golden()
    assert result.returncode == 1


def test_legacy_reports_every_rule_of_the_catalog():
    codes = {line.split(" ")[1] for line in golden()}
    assert codes == {rule.code for rule in RULES} - NOT_IN_LEGACY


def test_ssot_check_on_legacy_agrees_with_flake8():
    result = run("ssot", "check", "netra_backend", cwd=LEGACY)
    lines = [line for line in result.stdout.splitlines() if line.startswith("netra_backend/")]
    assert sorted(lines) == sorted(golden())
    assert result.returncode == 1


def test_remediated_passes_flake8_and_ssot_check():
    flake8 = run("flake8", "--select", "SOT", "netra_backend", cwd=REMEDIATED)
    assert (flake8.returncode, flake8.stdout) == (0, "")
    check = run("ssot", "check", "netra_backend", cwd=REMEDIATED)
    assert check.returncode == 0, check.stdout


def test_legacy_reproduces_the_audit_categories():
    """Counts the seeds' categories name, as the legacy tree plants them (examples/README.md)."""
    codes = [line.split(" ")[1] for line in golden()]
    duplicates = [line for line in golden() if " SOT205 " in line]
    assert len(duplicates) == 5  # "5 WebSocket Manager Implementations"
    shim_modules = {line.split(":")[0] for line in golden() if " SOT204 " in line}
    assert {"netra_backend/app/websocket/__init__.py",
            "netra_backend/app/websocket/connection_manager.py",
            "netra_backend/app/websocket/connection_info.py"} <= shim_modules  # the 3 shims
    assert codes.count("SOT101") == 5  # get_websocket_manager() call sites
    assert {"SOT201", "SOT202", "SOT203"} <= set(codes)  # singleton, factory, alias patterns


def test_examples_carry_the_flagship_policy():
    flagship = (REPO / ".importlinter").read_bytes()
    assert (LEGACY / ".importlinter").read_bytes() == flagship
    assert (REMEDIATED / ".importlinter").read_bytes() == flagship


def test_flake8_from_the_repo_root_uses_the_configured_policy():
    """The issue's acceptance command: setup.cfg's `ssot-config` points at the legacy policy."""
    result = run("flake8", "--select", "SOT", "examples/legacy", "examples/remediated", cwd=REPO)
    assert result.stdout.splitlines() == [f"examples/legacy/{line}" for line in golden()]


def test_discovery_skips_import_linter_configs_without_an_ssot_contract(mini_project):
    root = mini_project.root
    sub = root / "pkg"
    (sub / "setup.cfg").write_text("[importlinter]\nroot_package = pkg\n")  # boundaries only
    mini_project("pkg/app/x.py", "from pkg.core import get_manager\nget_manager()\n")
    result = run("ssot", "check", "app/x.py", cwd=sub)
    assert result.stdout.splitlines()[0].startswith("app/x.py:2:1: SOT101 ")
