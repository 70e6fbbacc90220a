"""scripts/mutate.py: the mutants it promises, each still Python, keys that survive moved lines."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("mutate", ROOT / "scripts" / "mutate.py")
assert SPEC and SPEC.loader
mutate = importlib.util.module_from_spec(SPEC)
sys.modules["mutate"] = mutate  # dataclasses look their module up while the class is made
SPEC.loader.exec_module(mutate)

SOURCE = '''\
LIMIT = 10


@decorated(maxsize=4096)
def f(a: int = 2, *, items: list[str], warnings: list[str]) -> int:
    """A docstring is no mutant: 1 + 1."""
    if a < b and not items:
        warnings.append(f"{a + 1}")
        return a + b
    total = max(a, 0)
    return -total
'''


def test_every_promised_mutant_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    mutants = mutate.find_mutants(path)
    assert [(m.line, m.function, m.change) for m in mutants] == [
        (1, "<module>", "`10` -> `11`"),
        (5, "f", "`2` -> `3`"),  # a default, but not the decorator's 4096 nor an annotation
        (7, "f", "`a < b and not items` -> `not (a < b and (not items))`"),
        (7, "f", "`a < b and not items` -> `a < b or not items`"),
        (7, "f", "`a < b` -> `a <= b`"),
        (7, "f", "`not items` -> `items`"),
        (8, "f", '`warnings.append(f"{a + 1}")` -> `pass`'),  # nothing inside the f-string
        (9, "f", "`a + b` -> `None`"),
        (9, "f", "`a + b` -> `a - b`"),
        (10, "f", "`max` -> `min`"),
        (10, "f", "`0` -> `1`"),
        (11, "f", "`-total` -> `None`"),
        (11, "f", "`-total` -> `total`"),
    ]
    for mutant in mutants:
        compile(mutant.apply(path.read_bytes()), "m.py", "exec")


def test_keys_stay_when_lines_move(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    before = [m.key for m in mutate.find_mutants(path)]
    path.write_text("import os\n\n" + SOURCE)
    assert [m.key for m in mutate.find_mutants(path)] == before
    assert before[0] == "m.py <module>: `10` -> `11`"


def test_the_same_change_twice_in_a_function_is_numbered(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("def f(x):\n    return x[0] + x[0]\n")
    keys = [m.key for m in mutate.find_mutants(path)]
    assert "m.py f: `0` -> `1`" in keys and "m.py f: `0` -> `1` #2" in keys


def test_equivalents_are_read_from_their_heading_only(tmp_path: Path) -> None:
    document = tmp_path / "mutation.md"
    document.write_text(
        "## Equivalent mutants\n\n"
        "- `` m.py f: `0` -> `1` #2 ``: why it changes nothing\n"
        "## Scores\n\n"
        "- `` m.py f: `a` -> `b` ``: not under the heading\n"
    )
    assert mutate.equivalents(document) == {"m.py f: `0` -> `1` #2"}
    assert isinstance(mutate.equivalents(), set)  # docs/mutation.md reads


def test_the_tests_that_reach_a_module() -> None:
    lineproto = mutate.select_tests(Path("sunpower_telegraf/lineproto.py"))
    assert Path("tests/test_lineproto.py") in lineproto
    assert Path("tests/test_summary.py") in lineproto  # through summary.py
    assert Path("tests/test_mutate.py") not in lineproto
    # loaded from its path, not imported: found by its name
    assert Path("tests/test_dashboard.py") in mutate.select_tests(Path("grafana/dashboard.py"))
