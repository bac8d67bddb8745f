"""Bad files: one clear finding each, no traceback, and the other files are still checked."""

from __future__ import annotations

from conftest import run

GOOD = "from pkg.core import get_manager\nget_manager()\n"
SINGLETON = "SOT101 get_manager is a banned singleton accessor: construct Manager(user_context=...)"


def test_bad_files_do_not_stop_the_run(mini_project):
    root = mini_project.root
    mini_project("pkg/app/good.py", GOOD)
    mini_project("pkg/app/broken.py", "from pkg.core import get_manager\ndef f(:\n")
    (root / "pkg/app/latin1.py").write_bytes(b"# get_manager\nname = '\xe9t\xe9'\n")
    mini_project("pkg/app/empty.py", "")
    (root / "pkg/app/declared.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nfrom pkg.core import get_manager\nget_manager()  # \xe9\n")
    result = run("ssot", "check", "pkg/app", cwd=root)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "pkg/app/broken.py:2:7: SOT000 pkg/app/broken.py could not be analysed: " \
           "SyntaxError: invalid syntax" in lines
    assert "pkg/app/latin1.py:2:1: SOT000 pkg/app/latin1.py could not be analysed: " \
           "not valid utf-8 (byte 22) and no coding declaration (Python refuses the file); its " \
           "other findings read it as Latin-1, as flake8 does" in lines
    assert f"pkg/app/good.py:2:1: {SINGLETON}" in lines
    assert f"pkg/app/declared.py:3:1: {SINGLETON}" in lines  # a PEP 263 declaration is honoured
    assert not any(line.startswith("pkg/app/empty.py") for line in lines)


def test_flake8_reports_the_good_file_next_to_a_broken_one(mini_project):
    mini_project("pkg/app/good.py", GOOD)
    mini_project("pkg/app/broken.py", "def f(:\n")
    result = run("flake8", "--select", "SOT,E999", "pkg/app", cwd=mini_project.root)
    assert sorted(result.stdout.splitlines()) == [
        "pkg/app/broken.py:1:8: E999 SyntaxError: invalid syntax",
        f"pkg/app/good.py:2:1: {SINGLETON}",
    ]


def test_huge_file_is_reported_not_parsed(mini_project, monkeypatch):
    from ssot_flake8.analysis.engine import check_source
    from ssot_flake8.policy.config import load_policy
    from ssot_flake8.source import text as source

    monkeypatch.setattr(source, "MAX_BYTES", 100)
    policy = load_policy(mini_project.root / ".importlinter")
    findings = check_source(GOOD.encode() * 10, "big.py", policy)
    assert [(f.code, f.message) for f in findings] == [
        ("SOT000", "big.py could not be analysed: file too large (0 MiB > 16 MiB)")
    ]


def test_missing_path_is_a_usage_error(mini_project):
    result = run("ssot", "check", "nope", cwd=mini_project.root)
    assert (result.returncode, result.stderr) == (2, "ssot: error: nope: no such file or directory\n")


def test_columns_after_a_byte_order_mark_and_a_declared_encoding(mini_project):
    from ssot_flake8.analysis.engine import check_source
    from ssot_flake8.policy.config import load_policy

    policy = load_policy(mini_project.root / ".importlinter")
    bom = b"\xef\xbb\xbffrom pkg.core.legacy import OldManager\nOldManager(user_context=1)\n"
    latin = b"# -*- coding: latin-1 -*-\nx = '\xe9'; from pkg.core.legacy import OldManager\n"
    assert [(f.line, f.col, f.code) for f in check_source(bom, "a.py", policy)] == [(1, 29, "SOT001")]
    assert [(f.line, f.col, f.code) for f in check_source(latin, "b.py", policy)] == [(2, 38, "SOT001")]


def test_a_closed_pipe_ends_the_run_quietly(mini_project):
    """`ssot audit | head -1` on more output than a pipe buffers: no BrokenPipeError traceback."""
    import subprocess

    from conftest import BIN

    mini_project("pkg/app/many.py", GOOD + "get_manager()\n" * 5000)
    result = subprocess.run(f"'{BIN}/ssot' audit pkg | head -1", shell=True,
                            cwd=mini_project.root, capture_output=True, text=True)
    assert result.stdout.count("\n") == 1
    assert result.stderr == ""


def test_nested_fstring_reusing_quotes_is_newer_syntax():
    """`f"{x.join([f' {d['k']}' for d in y])}"`: 3.11 says `f-string: f-string: unmatched '['`."""
    import sys

    from ssot_flake8.source.text import SourceError, parse

    text = "x = [{'k': 1}]\ny = f\"{chr(10).join([f' {d['k']}' for d in x])}\"\n"
    if sys.version_info >= (3, 12):
        assert parse(text, "m.py").body
        return
    try:
        parse(text, "m.py")
    except SourceError as error:
        assert str(error).startswith("uses syntax from Python 3.12 (nested quotes in f-string)")
    else:
        raise AssertionError("3.11 parsed a 3.12 f-string")


def test_a_latin1_file_without_a_declaration_gets_one_answer_from_both_front_ends(mini_project):
    """flake8 reads it as Latin-1 and reports its imports; `ssot check` used to hide them."""
    root = mini_project.root
    (root / "pkg/app").mkdir(parents=True, exist_ok=True)
    (root / "pkg/app/__init__.py").write_text("")
    (root / "pkg/app/latin.py").write_bytes(
        b"from pkg.core.legacy import OldManager\nname = '\xe9t\xe9'\nOldManager(user_context=1)\n")
    expected = [
        "pkg/app/latin.py:1:29: SOT001 pkg.core.legacy.OldManager is not the canonical path of "
        "Manager; use `from pkg.core.manager import Manager`",
        "pkg/app/latin.py:2:1: SOT000 pkg/app/latin.py could not be analysed: not valid utf-8 "
        "(byte 47) and no coding declaration (Python refuses the file); its other findings read "
        "it as Latin-1, as flake8 does",
    ]
    check = run("ssot", "check", "--no-cache", "pkg/app/latin.py", cwd=root)
    assert check.stdout.splitlines() == [*expected, "Found 2 errors."]
    flake8 = run("flake8", "--select", "SOT", "pkg/app/latin.py", cwd=root)
    assert flake8.stdout.splitlines() == expected


def test_an_empty_import_list_followed_by_the_names_keeps_its_imports(mini_project):
    """`from m import ()` then indented names and `)` (a botched edit, seen on the real 09-18
    tree): the file does not parse, and its imports are read as the import meant."""
    mini_project("pkg/core/legacy.py", "class OldManager:\n    pass\n\n\ndef get_manager():\n"
                 "    return None\n")
    mini_project("pkg/app/botched.py",
                 "from pkg.core.legacy import ()\n    OldManager,\n    get_manager\n)\n"
                 "from pkg.core.manager import Manager\nfrom pkg.core.manager import ()\n")
    result = run("ssot", "check", "--no-cache", "pkg/app/botched.py", cwd=mini_project.root)
    lines = result.stdout.splitlines()
    assert [line for line in lines if " SOT000 " not in line] == [
        "pkg/app/botched.py:2:5: SOT001 pkg.core.legacy.OldManager is not the canonical path of "
        "Manager; use `from pkg.core.manager import Manager`",
        "pkg/app/botched.py:3:5: SOT002 import of deprecated module pkg.core.legacy; use "
        "pkg.core.manager",
        "Found 3 errors."]
    unparsable = [line for line in lines if " SOT000 " in line]  # where depends on the Python
    assert len(unparsable) == 1 and " could not be analysed: SyntaxError: " in unparsable[0]
    assert result.returncode == 1
