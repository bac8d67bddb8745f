"""The check cache is incremental: an edit inside one module re-checks only the files whose
findings can change (the edited file, and the files that asked the index about what changed),
reuses the rest, and the result equals a run without the cache.

Which files a run re-checked is seen through the cache's own contract: a file whose size and
mtime did not change is not read again. Every file of the tree ends in a tripwire line,
`get_manager()  # noqa`, silenced; after the warm run each is rewritten behind the cache's back
to `get_manager()  # nope` (same size, same mtime), which reports SOT101 on that line when, and
only when, the file is read and checked again.
"""

from __future__ import annotations

import os

from conftest import run

TRIPWIRE, SPRUNG = "get_manager()  # noqa\n", "get_manager()  # nope\n"
HEADER = "from pkg.core import get_manager  # noqa\n"
PROVIDER = "pkg/app/provider.py"
IMPORTER = "pkg/app/importer.py"  # from pkg.app.provider import helper
STARRER = "pkg/app/starrer.py"  # from pkg.app.provider import *
BYSTANDER = "pkg/app/bystander.py"  # imports nothing from the provider
PROVIDED = "def helper():\n    return 1\n\n\ndef other():\n    return 2\n"
FILES = {
    PROVIDER: PROVIDED,
    IMPORTER: "from pkg.app.provider import helper\n\nhelper()\n",
    STARRER: "from pkg.app.provider import *  # noqa: F403\n",
    BYSTANDER: "import pkg.core.manager\n\npkg.core.manager.Manager(user_context=None)\n",
}
OLD = 10**10  # 10 s before now: older than the cache's racy window


def _tree(mini_project):
    mini_project("pkg/core/__init__.py", "def get_manager():\n    return None\n")
    for relative, body in FILES.items():
        mini_project(relative, HEADER + body + TRIPWIRE)
    root = mini_project.root
    for path in root.rglob("*.py"):  # every file settled: its stat is trusted by the next run
        status = path.stat()
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns - OLD))
    return root


def ssot_check(root, *arguments):
    result = run("ssot", "check", "pkg", *arguments, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr == ""
    return result.stdout


def _arm_tripwires(root) -> None:
    """Spring every tripwire without changing a file's size or mtime."""
    for relative in FILES:
        path = root / relative
        status = path.stat()
        path.write_text(path.read_text().replace(TRIPWIRE, SPRUNG))
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


def _tripwires(root) -> set[str]:
    """`path:line:` of every file's tripwire, as findings start."""
    found = set()
    for relative in FILES:
        lines = (root / relative).read_text().splitlines(keepends=True)
        number = next(n for n, line in enumerate(lines, 1) if line in (TRIPWIRE, SPRUNG))
        found.add(f"{relative}:{number}:")
    return found


def _fired(root, line: str) -> bool:
    return " SOT101 " in line and ":".join(line.split(":")[:2]) + ":" in _tripwires(root)


def _rechecked(root, output: str) -> list[str]:
    """The files whose tripwire fired: the files this run read and checked again."""
    return sorted({line.split(":")[0] for line in output.splitlines() if _fired(root, line)})


def _without_tripwires(root, output: str) -> list[str]:
    """The findings, less the fired tripwires (and the count line, which counts them)."""
    return [line for line in output.splitlines()
            if line.startswith("pkg/") and not _fired(root, line)]


def _edit(root, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _cold(root) -> str:
    """What a run without the cache reports, the sprung tripwires put back (they are not part
    of what the edit changed)."""
    for relative in FILES:
        path = root / relative
        path.write_text(path.read_text().replace(SPRUNG, TRIPWIRE))
    return _without_tripwires(root, ssot_check(root, "--no-cache"))


def test_an_edit_inside_a_function_rechecks_that_file_only(mini_project):
    root = _tree(mini_project)
    warm = ssot_check(root)
    assert _rechecked(root, warm) == []
    _arm_tripwires(root)
    assert ssot_check(root) == warm  # nothing changed: nothing is read again
    _edit(root, PROVIDER, "    return 1\n", "    return 1 + 0\n")  # helper's body
    after = ssot_check(root)
    assert _rechecked(root, after) == [PROVIDER]
    assert _without_tripwires(root, after) == _cold(root) == _without_tripwires(root, warm) == []


def test_a_name_removed_from_a_module_rechecks_its_importers(mini_project):
    root = _tree(mini_project)
    warm = ssot_check(root)
    assert IMPORTER not in warm
    _arm_tripwires(root)
    _edit(root, PROVIDER, "def helper():", "def helper2():")  # what the provider exports
    after = ssot_check(root)
    assert _rechecked(root, after) == [IMPORTER, PROVIDER, STARRER]  # not the bystander
    stale = [line for line in after.splitlines() if line.startswith(IMPORTER + ":2:")]
    assert stale == [f"{IMPORTER}:2:30: SOT004 stale import: pkg.app.provider neither defines, "
                     "imports nor re-exports helper; did you mean helper2?"]
    assert _without_tripwires(root, after) == _cold(root)


def test_a_name_added_to_a_module_rechecks_its_star_importers_only(mini_project):
    """A new public function changes what `from provider import *` brings; `from provider
    import helper` asked only whether helper is there, and it still is."""
    root = _tree(mini_project)
    warm = ssot_check(root)
    _arm_tripwires(root)
    _edit(root, PROVIDER, "def other():", "def third():\n    return 3\n\n\ndef other():")
    after = ssot_check(root)
    assert _rechecked(root, after) == [PROVIDER, STARRER]
    assert _without_tripwires(root, after) == _cold(root) == _without_tripwires(root, warm) == []


def test_a_name_put_back_clears_the_finding_without_a_cold_run(mini_project):
    root = _tree(mini_project)
    warm = ssot_check(root)
    _edit(root, PROVIDER, "def helper():", "def helper2():")
    assert f"{IMPORTER}:2:30: SOT004" in ssot_check(root)
    _edit(root, PROVIDER, "def helper2():", "def helper():")
    assert ssot_check(root) == warm == ssot_check(root, "--no-cache")


def test_a_new_module_rechecks_the_tree(mini_project):
    """Which modules exist is a fact every file may depend on (missing-module findings)."""
    root = _tree(mini_project)
    _edit(root, IMPORTER, "from pkg.app.provider import helper\n",
          "from pkg.app.provider import helper\nfrom pkg.app.later import late\n")
    before = ssot_check(root)
    assert "module pkg.app.later does not exist" in before
    _arm_tripwires(root)
    mini_project("pkg/app/later.py", "def late():\n    return 0\n")
    after = ssot_check(root)
    assert _rechecked(root, after) == sorted(FILES)
    assert "pkg.app.later" not in after
    assert _without_tripwires(root, after) == _cold(root)


def test_a_run_over_some_files_leaves_the_others_to_be_asked_again(mini_project):
    """A run over one file keeps the other files' entries without asking their questions; the
    next whole run must still ask them, not take the new index as one they were answered by."""
    root = _tree(mini_project)
    warm = ssot_check(root)
    _edit(root, PROVIDER, "def helper():", "def helper2():")
    _edit(root, BYSTANDER, "user_context=None", "user_context=None, ")  # so this run writes
    status = (root / BYSTANDER).stat()  # settled, so the whole run trusts the entry made here
    os.utime(root / BYSTANDER, ns=(status.st_atime_ns, status.st_mtime_ns - OLD))
    result = run("ssot", "check", BYSTANDER, cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    assert IMPORTER not in result.stdout
    _arm_tripwires(root)
    after = ssot_check(root)
    assert _rechecked(root, after) == [IMPORTER, PROVIDER, STARRER]
    assert f"{IMPORTER}:2:30: SOT004" in after and f"{IMPORTER}:2:30: SOT004" not in warm
    assert _without_tripwires(root, after) == _cold(root)


def test_a_file_that_does_not_parse_is_cached_and_named_as_the_run_names_it(mini_project):
    root = _tree(mini_project)
    broken = root / "pkg/app/broken.py"
    broken.write_text("from pkg.core.legacy import OldManager\nx = (\n")
    status = broken.stat()
    os.utime(broken, ns=(status.st_atime_ns, status.st_mtime_ns - OLD))
    first = run("ssot", "check", "pkg", cwd=root)
    # Behind the cache's back (same size and mtime): read again, it would give another error.
    broken.write_text("from pkg.core.legacy import OldManager\nx = )\n")
    os.utime(broken, ns=(status.st_atime_ns, status.st_mtime_ns - OLD))
    again = run("ssot", "check", ".", cwd=root / "pkg")
    mine = [line for line in first.stdout.splitlines() if "SOT000" in line]
    assert mine == ["pkg/app/broken.py:2:5: SOT000 pkg/app/broken.py could not be analysed: "
                    "SyntaxError: '(' was never closed"]
    assert [line for line in again.stdout.splitlines() if "SOT000" in line] == [
        mine[0].replace("pkg/app/broken.py", "app/broken.py")]


def test_a_run_with_nothing_changed_is_answered_by_the_run_memo_without_the_caches(mini_project):
    root = _tree(mini_project)
    warm = ssot_check(root)
    _arm_tripwires(root)
    cache = root / ".ssot_cache"
    for stale in [cache / "check-v4.json", *cache.glob("index-*")]:
        stale.unlink()  # the memo alone must answer
    again = ssot_check(root)
    assert (again, _rechecked(root, again)) == (warm, [])
    # One stat that changed misses the memo: with no check cache left, every file is read again.
    status = (root / PROVIDER).stat()
    os.utime(root / PROVIDER, ns=(status.st_atime_ns, status.st_mtime_ns + 1))
    assert _rechecked(root, ssot_check(root)) == sorted(FILES)


def _flake8(root, *arguments, stdin=None):
    result = run("flake8", "--select", "SOT", *arguments, cwd=root, input=stdin)
    assert result.returncode in (0, 1), result.stderr
    return sorted(result.stdout.splitlines())


def _mark_cached_messages(root) -> None:
    """Rewrite the check cache as this package writes it, every message prefixed `cached`: a
    finding flake8 then reports with that prefix came from the cache, not from a parse."""
    from ssot_flake8.services.cache import write_sealed
    from ssot_flake8.support.sealed import header_of, unseal

    path = root / ".ssot_cache" / "check-v4.json"
    header, body = header_of(path.read_bytes())
    files = unseal(header, body)
    for entry in files.values():
        for row in entry[2]:
            row[3] = "cached " + row[3]
    write_sealed(path, {k: v for k, v in header.items() if k != "seal"}, files)


def test_flake8_serves_ssot_checks_cached_findings_for_the_very_text_it_checked(mini_project):
    mini_project("pkg/app/user.py", "from pkg.core import get_manager  # noqa: SOT101, SOT103\n"
                 "\nget_manager()\nfrom pkg.shim import x\n")
    root = _tree(mini_project)
    checked = sorted(line for line in ssot_check(root).splitlines() if line.startswith("pkg/"))
    assert checked and _flake8(root, "pkg") == checked  # the same findings, either way
    _mark_cached_messages(root)
    served = _flake8(root, "pkg")
    assert served == [" ".join((*line.split(" ", 2)[:2], "cached", line.split(" ", 2)[2]))
                      for line in checked]
    # One file's text changed (same size and mtime: the stat is not what decides): that file is
    # checked afresh, and its sprung tripwire is reported; the others are still served.
    path, status = root / PROVIDER, (root / PROVIDER).stat()
    path.write_text(path.read_text().replace(TRIPWIRE, SPRUNG))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    edited = _flake8(root, "pkg")
    fresh = [line for line in edited if " cached " not in line]
    assert fresh == [f"{PROVIDER}:{len(path.read_text().splitlines())}:1: SOT101 "
                     + fresh[0].split(" SOT101 ", 1)[1]]
    assert [line for line in edited if " cached " in line] == [
        line for line in served if not line.startswith(PROVIDER)]
    # One file or an editor's buffer on stdin: reading the cache would cost more than it saves.
    buffer = (root / "pkg/app/user.py").read_text()
    one = _flake8(root, "pkg/app/user.py")
    assert one and not any(" cached " in line for line in one)
    assert _flake8(root, "--stdin-display-name", "pkg/app/user.py", "-", stdin=buffer) == one
    # The cached findings are past noqa: with --disable-noqa every file is checked afresh.
    unsilenced = _flake8(root, "--disable-noqa", "pkg")
    assert not any(" cached " in line for line in unsilenced) and len(unsilenced) > len(checked)


def test_flake8_with_a_damaged_check_cache_checks_afresh(mini_project):
    """A cache that is not one this package wrote is not used, and says nothing."""
    mini_project("pkg/app/user.py", "from pkg.core import get_manager\n\nget_manager()\n")
    root = _tree(mini_project)
    checked = sorted(line for line in ssot_check(root).splitlines() if line.startswith("pkg/"))
    (root / ".ssot_cache" / "check-v4.json").write_text("{not json")
    result = run("flake8", "--select", "SOT", "pkg", cwd=root)
    assert (result.returncode, result.stderr) == (1, "")
    assert sorted(result.stdout.splitlines()) == checked
    assert checked == ["pkg/app/user.py:3:1: SOT101 get_manager is a banned singleton accessor: "
                       "construct Manager(user_context=...)"]
