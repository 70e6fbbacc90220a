"""The tests read by subject: what a test stands on is in tests/support, and nothing else imports
a test module.

A test module that imports another runs the other's tests' module-level code and ties two
subjects together; grafana/ and benchmarks/ are not tests and take only the support package.
Imports are read from each file's syntax tree, so a name in a string or comment does not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_MODULES = sorted((ROOT / "tests").glob("test_*.py"))
OUTSIDE = sorted([*(ROOT / "grafana").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")])


def imported(path: Path) -> set[str]:
    """Every module a file imports, by its full name (`from tests import x` names `tests.x`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def of_tests(names: set[str]) -> set[str]:
    return {name for name in names if name == "tests" or name.startswith("tests.")}


def test_imports_are_read_from_the_syntax_tree(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text(
        "import tests.test_cli\n"
        "from tests import test_day, support\n"
        "from tests.support.standin import StandIn\n"
        "def f():\n    from tests.test_login import run\n"
        "# from tests.test_check import x\n"
        "TEXT = 'from tests.test_follow import y'\n"
    )
    assert of_tests(imported(source)) == {
        "tests.test_cli",
        "tests",
        "tests.test_day",
        "tests.support",
        "tests.support.standin",
        "tests.support.standin.StandIn",
        "tests.test_login",
        "tests.test_login.run",
    }


def test_there_are_test_modules_and_outside_users_to_check() -> None:
    assert len(TEST_MODULES) > 30
    assert {path.name for path in OUTSIDE} >= {"preview.py", "bench.py", "storage.py"}


@pytest.mark.parametrize("path", TEST_MODULES, ids=lambda path: path.name)
def test_no_test_module_imports_another(path: Path) -> None:
    others = {
        name
        for name in of_tests(imported(path))
        if name.split(".")[1:2] and name.split(".")[1].startswith("test_")
    }
    assert others == set(), f"{path.name} imports test modules; move what they share to support"


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_grafana_and_benchmarks_import_only_the_support_package(path: Path) -> None:
    outside = {
        name
        for name in of_tests(imported(path))
        if name != "tests.support" and not name.startswith("tests.support.")
    }
    assert outside == set(), f"{path.name} imports from tests/ outside tests/support"
