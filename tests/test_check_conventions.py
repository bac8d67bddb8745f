"""ruff's conventions on `ssot check`: --select / --extend-select / --ignore, -q / -qq / -v,
and colour on a terminal only (off with NO_COLOR or a pipe, on with FORCE_COLOR)."""

from __future__ import annotations

import os
import pty
import subprocess

import pytest
from conftest import BIN, run

TWO = ("from pkg.core.legacy import OldManager\nfrom pkg.core import get_manager\n"
       "get_manager()\nOldManager()\n")
SOT001 = ("pkg/app/two.py:1:29: SOT001 pkg.core.legacy.OldManager is not the canonical path of "
          "Manager; use `from pkg.core.manager import Manager`")
SOT101 = ("pkg/app/two.py:3:1: SOT101 get_manager is a banned singleton accessor: construct "
          "Manager(user_context=...)")
SOT103 = "pkg/app/two.py:4:1: SOT103 Manager(...) constructed without user_context; pass user_context=..."


@pytest.fixture
def project(mini_project):
    mini_project("pkg/app/two.py", TWO)
    return mini_project.root


@pytest.mark.parametrize(("options", "expected"), [
    ((), [SOT001, SOT101, SOT103]),
    (("--select", "SOT1"), [SOT101, SOT103]),
    (("--select", "SOT1", "--ignore", "SOT101"), [SOT103]),
    (("--select", "sot001", "--extend-select", "SOT103"), [SOT001, SOT103]),
    (("--ignore", "SOT0,SOT103"), [SOT101]),
    (("--ignore", "SOT", "--select", "SOT101"), [SOT101]),  # the longer prefix wins, as in ruff
])
def test_select_extend_select_and_ignore(project, options, expected):
    result = run("ssot", "check", "pkg", *options, cwd=project)
    summary = f"Found {len(expected)} error{'s' * (len(expected) != 1)}."
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "\n".join([*expected, summary]) + "\n", "")


def test_select_agrees_with_flake8(project):
    ssot = run("ssot", "check", "pkg", "--select", "SOT1", "--ignore", "SOT101", cwd=project)
    flake8 = run("flake8", "--select", "SOT1", "--ignore", "SOT101", "pkg", cwd=project)
    assert ssot.stdout.splitlines()[:-1] == flake8.stdout.splitlines() == [SOT103]


def test_ignoring_everything_passes_and_a_bad_selector_is_a_usage_error(project):
    clean = run("ssot", "check", "pkg", "--ignore", "SOT", cwd=project)
    assert (clean.returncode, clean.stdout) == (0, "All checks passed!\n")
    bad = run("ssot", "check", "pkg", "--select", "SOT8", cwd=project)  # SOT9 is SOT900
    assert (bad.returncode, bad.stdout, bad.stderr) == (
        2, "", "ssot: error: --select: unknown rule selector 'SOT8' (see `ssot rules`)\n")


def test_quiet_and_verbose(project):
    quiet = run("ssot", "check", "pkg", "-q", cwd=project)
    assert (quiet.returncode, quiet.stdout) == (1, f"{SOT001}\n{SOT101}\n{SOT103}\n")
    silent = run("ssot", "check", "pkg", "-qq", cwd=project)
    assert (silent.returncode, silent.stdout, silent.stderr) == (1, "", "")
    verbose = run("ssot", "check", "pkg/app/two.py", "-v", "--no-cache", cwd=project)
    assert verbose.stderr.startswith(
        f"ssot: policy {project / '.importlinter'}; checked 1 file in ")
    assert verbose.stdout.endswith("Found 3 errors.\n")


def colour(line: str) -> str:
    path, row, col, rest = line.split(":", 3)
    code, message = rest.strip().split(" ", 1)
    colon = "\x1b[36m:\x1b[0m"
    return f"\x1b[1m{path}\x1b[0m{colon}{row}{colon}{col}{colon} \x1b[1;31m{code}\x1b[0m {message}"


def on_a_terminal(cwd, env: dict) -> str:
    """`ssot check` with its stdout on a pseudo-terminal; returns what it printed there."""
    leader, follower = pty.openpty()
    process = subprocess.run([str(BIN / "ssot"), "check", "pkg", "--select", "SOT001"], cwd=cwd,
                             stdout=follower, stderr=subprocess.PIPE,
                             env={**os.environ, "TERM": "xterm", **env})
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.returncode == 1
    return output.decode().replace("\r\n", "\n")


def test_colour_on_a_terminal_only(project):
    clean_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    assert on_a_terminal(project, {"NO_COLOR": "", "FORCE_COLOR": ""}) == \
        f"{colour(SOT001)}\nFound 1 error.\n"
    assert on_a_terminal(project, {"NO_COLOR": "1"}) == f"{SOT001}\nFound 1 error.\n"
    piped = run("ssot", "check", "pkg", "--select", "SOT001", cwd=project, env=clean_env)
    assert piped.stdout == f"{SOT001}\nFound 1 error.\n"
    forced = run("ssot", "check", "pkg", "--select", "SOT001", cwd=project,
                 env={**clean_env, "FORCE_COLOR": "1"})
    assert forced.stdout == f"{colour(SOT001)}\nFound 1 error.\n"
    json_forced = run("ssot", "check", "pkg", "--select", "SOT001", "--output-format", "json",
                      cwd=project, env={**clean_env, "FORCE_COLOR": "1"})
    assert "\x1b" not in json_forced.stdout
