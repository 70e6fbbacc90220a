#!/usr/bin/env python3
"""Mutation testing: put one small bug at a time into a module and see whether the tests notice.

    .venv/bin/python scripts/mutate.py                      # the meaning modules, 40 mutants each
    .venv/bin/python scripts/mutate.py --module devices --sample 0       # every mutant of one
    .venv/bin/python scripts/mutate.py --module tests/support/daysim.py --list   # any module path

Each mutant changes one thing in the module's source (the AST says where): a comparison
(`<` -> `<=`, `==` -> `!=`, `in` -> `not in`), an arithmetic operator (`+` -> `-`, `*` -> `/`), a
number (0 <-> 1, n -> n + 1), True <-> False, `and` <-> `or`, `min` <-> `max`, `any` <-> `all`, a
removed `not` or unary minus, a negated condition, `return x` -> `return None`, or a deleted call
statement (`warnings.append(...)`), `raise`, `break` or `continue`; strings too with --strings.
Docstrings, annotations, decorators and f-strings are left alone.

The mutants run in a copy of the working tree in a temp directory (the tree itself is never
written), one at a time, against the test files that import the module directly or through other
modules (`pytest -x -q`, the quickest files of the unmutated run first), with a timeout each.
A mutant is killed when a test fails, errors or times out; it survives when the tests pass.

The sample is deterministic: `--sample N` mutants per module, drawn with `--seed` (default 0) from
the module's mutants in source order, so two runs on the same code test the same mutants.

The score is killed / non-equivalent mutants. A survivor that no test can kill because it changes
nothing a caller can see is listed in docs/mutation.md, with why, under its key (module, function
and the change, stable when lines move); such survivors are counted apart and printed as such.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "sunpower_telegraf"
# The modules that hold the meaning of the numbers: what a value is, its unit, which source wins.
MEANING = [
    "site.py",
    "summary.py",
    "devices.py",
    "lineproto.py",
    "answer.py",
    "storage.py",
    "varserver.py",
    "livedata.py",
    "health.py",
]
EQUIVALENTS = ROOT / "docs" / "mutation.md"
# `.git` is copied: the README's tests run its commands in a clone of the committed files.
IGNORE = shutil.ignore_patterns(
    ".venv*",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "*.egg-info",
    "build",
    "dist",
)

COMPARE = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
ARITHMETIC = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
    ast.BitXor: ast.BitOr,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
}
CALLS = {"min": "max", "max": "min", "any": "all", "all": "any"}


@dataclass(frozen=True)
class Mutant:
    path: Path  # relative to the repository
    line: int
    start: int  # byte offsets of the replaced source in the module
    end: int
    original: str
    replacement: str
    function: str  # the enclosing function's qualified name, or <module>
    occurrence: int = 1  # the same change earlier in the same function: 2, 3, ...

    @property
    def change(self) -> str:
        return f"`{_flat(self.original)}` -> `{_flat(self.replacement)}`"

    @property
    def key(self) -> str:
        """What docs/mutation.md names an equivalent mutant by: no line number, so it stays."""
        again = f" #{self.occurrence}" if self.occurrence > 1 else ""
        return f"{self.path.name} {self.function}: {self.change}{again}"

    def apply(self, source: bytes) -> bytes:
        return source[: self.start] + self.replacement.encode() + source[self.end :]


def _flat(text: str) -> str:
    """One line: line breaks and the indentation after them become one space."""
    text = re.sub(r"\s*\n\s*", " ", text).strip()
    return text[1:-1] if text.startswith("(") and text.endswith(")") and _balanced(text) else text


def _balanced(text: str) -> bool:
    """Whether the outer parentheses of `(...)` enclose all of it (not `(a) + (b)`)."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and index < len(text) - 1:
            return False
    return True


class _Finder(ast.NodeVisitor):
    """Every mutation point of a module, in source order."""

    def __init__(self, source: bytes, path: Path, strings: bool) -> None:
        self.source = source
        self.path = path
        self.strings = strings
        starts = [0]
        for line in source.splitlines(keepends=True):
            starts.append(starts[-1] + len(line))
        self.starts = starts
        self.scope: list[str] = []
        self.found: list[Mutant] = []

    # -- where ------------------------------------------------------------------------------------

    def _span(self, node: ast.AST) -> tuple[int, int]:
        start = self.starts[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
        end = self.starts[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]
        return start, end

    def _add(self, node: ast.AST, replacement: str, span: tuple[int, int] | None = None) -> None:
        start, end = span or self._span(node)
        original = self.source[start:end].decode()
        if _flat(original) == _flat(replacement):
            return
        function = ".".join(self.scope) or "<module>"
        mutant = Mutant(self.path, node.lineno, start, end, original, replacement, function)  # type: ignore[attr-defined]
        seen = sum(1 for m in self.found if (m.function, m.change) == (function, mutant.change))
        if seen:
            mutant = Mutant(
                self.path, mutant.line, start, end, original, replacement, function, seen + 1
            )
        self.found.append(mutant)

    def _expression(self, node: ast.AST, mutated: ast.AST) -> None:
        self._add(node, f"({ast.unparse(mutated)})")

    # -- what is left alone -----------------------------------------------------------------------

    def _body(self, body: list[ast.stmt]) -> None:
        for index, statement in enumerate(body):
            if index == 0 and _is_docstring(statement):
                continue
            self.visit(statement)

    def visit_Module(self, node: ast.Module) -> None:
        self._body(node.body)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        pass

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.append(node.name)
        for base in node.bases:
            self.visit(base)
        self._body(node.body)
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self._body(node.body)
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        pass  # before Python 3.12 the positions inside an f-string are not the source's

    # -- what changes -----------------------------------------------------------------------------

    def visit_Compare(self, node: ast.Compare) -> None:
        for index, op in enumerate(node.ops):
            swap = COMPARE.get(type(op))
            if swap is not None:
                mutated = copy.deepcopy(node)
                mutated.ops[index] = swap()
                self._expression(node, mutated)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        swap = ARITHMETIC.get(type(node.op))
        text_format = isinstance(node.op, ast.Mod) and isinstance(node.left, (ast.Constant,))
        if swap is not None and not text_format:
            mutated = copy.deepcopy(node)
            mutated.op = swap()
            self._expression(node, mutated)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        swap = ARITHMETIC.get(type(node.op))
        if swap is not None:
            mutated = copy.deepcopy(node)
            mutated.op = swap()
            self._add(node, ast.unparse(mutated))
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        mutated = copy.deepcopy(node)
        mutated.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self._expression(node, mutated)
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, (ast.Not, ast.USub)):
            self._expression(node, node.operand)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self._add(node, f"({not value})")
        elif isinstance(value, int):
            self._add(node, f"({1 if value == 0 else 0 if value == 1 else value + 1})")
        elif isinstance(value, float):
            self._add(node, f"({1.0 if value == 0 else 0.0 if value == 1 else value + 1!r})")
        elif isinstance(value, str) and self.strings:
            self._add(node, f"({'XX' + value + 'XX'!r})")

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in CALLS:
            self._add(node.func, CALLS[node.func.id])
        self.generic_visit(node)

    def _negate(self, test: ast.expr) -> None:
        if not isinstance(test, (ast.Compare, ast.UnaryOp)):
            text = ast.unparse(test)
            self._add(test, f"(not ({text}))" if isinstance(test, ast.BoolOp) else f"(not {text})")

    def visit_If(self, node: ast.If) -> None:
        self._negate(node.test)
        self.generic_visit(node)

    def visit_While(self, node: ast.While) -> None:
        self._negate(node.test)
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self._negate(node.test)
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        for test in node.ifs:
            self._negate(test)
        self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None
        ):
            self._add(node.value, "None")
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Call):
            self._add(node, "pass")
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        self._add(node, "pass")
        self.generic_visit(node)

    def visit_Break(self, node: ast.Break) -> None:
        self._add(node, "pass")

    def visit_Continue(self, node: ast.Continue) -> None:
        self._add(node, "pass")

    def visit_Assert(self, node: ast.Assert) -> None:
        pass


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def find_mutants(path: Path, strings: bool = False) -> list[Mutant]:
    """Every mutant of a module (path relative to the repository), in source order."""
    source = (ROOT / path).read_bytes()
    finder = _Finder(source, path, strings)
    finder.visit(ast.parse(source, str(path)))
    return [mutant for mutant in finder.found if _parses(mutant.apply(source))]


def _parses(source: bytes) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def sample(mutants: list[Mutant], size: int, seed: int, path: Path) -> list[Mutant]:
    """`size` mutants drawn with `seed` (all of them for 0), in source order."""
    if size <= 0 or size >= len(mutants):
        return mutants
    chosen = random.Random(f"{seed}:{path.as_posix()}").sample(range(len(mutants)), size)
    return [mutants[index] for index in sorted(chosen)]


def equivalents(document: Path = EQUIVALENTS) -> set[str]:
    """The keys of the mutants judged equivalent: list items that start with the key in a double
    backtick code span (`` key ``) under the heading `## Equivalent mutants`."""
    if not document.exists():
        return set()
    keys: set[str] = set()
    inside = False
    for line in document.read_text().splitlines():
        if line.startswith("## "):
            inside = line.strip() == "## Equivalent mutants"
        match = re.match(r"- `` (.+?) ``", line) if inside else None
        if match:
            keys.add(match.group(1).strip())
    return keys


# -- which tests ----------------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    return ".".join(path.with_suffix("").parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The repository's modules one file imports (absolute or relative)."""
    tree = ast.parse((ROOT / path).read_bytes(), str(path))
    package = _module_name(path).rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in known)
    return found


def select_tests(target: Path) -> list[Path]:
    """The test files whose imports reach `target`: direct importers first, then the rest, those
    that start influxd last; every test file when the conftest reaches it; files naming it when
    none imports it (a module loaded from its path); else all."""
    files = sorted(
        path.relative_to(ROOT)
        for folder in (ROOT / PACKAGE, ROOT / "tests")
        for path in folder.rglob("*.py")
    )
    known = {_module_name(path) for path in files}
    graph = {_module_name(path): _imports(path, known) for path in files}
    name = _module_name(target)

    def reaches(start: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            current = todo.pop()
            if current == name:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(graph.get(current, ()))
        return False

    tests = [path for path in files if path.parts[0] == "tests" and path.name.startswith("test_")]
    if reaches("tests.conftest") and name != "tests.conftest":
        chosen = tests
    else:
        chosen = [path for path in tests if reaches(_module_name(path))]
    if not chosen:
        chosen = [path for path in tests if target.name in (ROOT / path).read_text()] or tests

    def order(path: Path) -> tuple[bool, bool, str]:
        direct = name in graph[_module_name(path)]
        slow = "influxd" in (ROOT / path).read_text()
        return (not direct, slow, path.name)

    return sorted(chosen, key=order)


# -- running ---------------------------------------------------------------------------------------


def workspace() -> Path:
    """A copy of the working tree, with `../shared` beside it as the tests expect."""
    top = Path(tempfile.mkdtemp(prefix="mutate-"))
    copy_root = top / ROOT.name
    shutil.copytree(ROOT, copy_root, ignore=IGNORE, symlinks=True)
    shared = ROOT.parent / "shared"
    if shared.exists():
        (top / "shared").symlink_to(shared.resolve())
    return copy_root


def run_tests(where: Path, tests: list[Path], timeout: float, *options: str) -> tuple[str, float]:
    """`passed`, `failed` or `timeout`, and the seconds it took."""
    env = {
        **os.environ,
        # The copy comes first on the path, for pytest and for the processes tests start.
        "PYTHONPATH": os.pathsep.join([str(where), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "PYTHONDONTWRITEBYTECODE": "1",  # a stale .pyc of another mutant of the same size
        "HYPOTHESIS_PROFILE": "mutate",
    }
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    started = time.monotonic()
    process = subprocess.Popen(
        [*command, *options, *map(str, tests)],
        cwd=where,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so a timeout ends influxd and every process the tests started
    )
    try:
        code = process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return "timeout", time.monotonic() - started
    if code == 5:
        raise SystemExit(f"mutate: no tests ran from {' '.join(map(str, tests))}")
    if code == 4:
        raise SystemExit("mutate: pytest refused its arguments")
    return ("passed" if code == 0 else "failed"), time.monotonic() - started


def fastest_first(tests: list[Path], report: Path) -> list[Path]:
    """The test files by their time in the unmutated run (a JUnit XML report), quickest first:
    with -x, a mutant is most often killed soonest that way."""
    seconds: dict[str, float] = {}
    for case in ElementTree.parse(report).iter("testcase"):
        module = case.get("classname", "").split(".")
        name = "/".join(module[:2]) + ".py" if len(module) >= 2 else ""
        seconds[name] = seconds.get(name, 0.0) + float(case.get("time", 0))
    return sorted(tests, key=lambda path: seconds.get(path.as_posix(), 0.0))


@dataclass
class Score:
    path: Path
    total: int
    sampled: int
    killed: int = 0
    equivalent: int = 0

    @property
    def counted(self) -> int:
        return self.sampled - self.equivalent

    def line(self) -> str:
        percent = 100.0 * self.killed / self.counted if self.counted else 100.0
        return (
            f"{self.path.as_posix():<34} {self.killed:>4} / {self.counted:<4} {percent:6.1f} %"
            f"   {self.equivalent:>3} equivalent   sample {self.sampled} of {self.total}"
        )


def resolve(module: str) -> Path:
    """`devices.py`, `devices`, `sunpower_telegraf/devices.py` or any path: relative to the repo."""
    for candidate in (Path(module), ROOT / PACKAGE / module, ROOT / PACKAGE / f"{module}.py"):
        path = candidate if candidate.is_absolute() else ROOT / candidate
        if path.is_file() and path.suffix == ".py":
            return path.resolve().relative_to(ROOT)
    raise SystemExit(f"mutate: no module {module} (a path, or a name in {PACKAGE}/)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--module",
        action="append",
        help="a module to mutate (repeatable): a path, or a name in sunpower_telegraf/; "
        "default: the meaning modules",
    )
    parser.add_argument("--sample", type=int, default=40, help="mutants per module; 0: all")
    parser.add_argument("--seed", type=int, default=0, help="which sample (default 0)")
    parser.add_argument("--timeout", type=float, help="seconds per mutant (default: 3 x baseline)")
    parser.add_argument("--strings", action="store_true", help="mutate string constants too")
    parser.add_argument("--tests", nargs="+", type=Path, help="run these test files instead")
    parser.add_argument("--list", action="store_true", help="print the sample's mutants and stop")
    parser.add_argument(
        "--fail-under", type=float, default=0.0, help="exit 1 when a module scores lower (%%)"
    )
    args = parser.parse_args(argv)

    modules = [resolve(m) for m in (args.module or MEANING)]
    known = equivalents()
    if args.list:
        for path in modules:
            everything = find_mutants(path, args.strings)
            for mutant in sample(everything, args.sample, args.seed, path):
                mark = "  [equivalent]" if mutant.key in known else ""
                print(f"{path}:{mutant.line}: {mutant.key}{mark}")
        return 0

    where = workspace()
    scores: list[Score] = []
    survivors: list[tuple[Mutant, str]] = []
    try:
        for path in modules:
            everything = find_mutants(path, args.strings)
            chosen = sample(everything, args.sample, args.seed, path)
            tests = args.tests or select_tests(path)
            report = where.parent / "baseline.xml"
            outcome, baseline = run_tests(where, tests, 3600, f"--junitxml={report}")
            if outcome != "passed":
                raise SystemExit(
                    f"mutate: the tests fail without a mutant: {' '.join(map(str, tests))}"
                )
            tests = fastest_first(tests, report)
            timeout = args.timeout or max(30.0, 3 * baseline)
            print(
                f"{path}: {len(chosen)} of {len(everything)} mutants, {len(tests)} test files, "
                f"{baseline:.0f} s unmutated",
                flush=True,
            )
            score = Score(path, len(everything), len(chosen))
            original = (where / path).read_bytes()
            for number, mutant in enumerate(chosen, start=1):
                (where / path).write_bytes(mutant.apply(original))
                try:
                    outcome, _ = run_tests(where, tests, timeout)
                finally:
                    (where / path).write_bytes(original)
                equivalent = mutant.key in known
                if outcome == "passed" and equivalent:
                    score.equivalent += 1
                    verdict = "equivalent"
                elif outcome == "passed":
                    survivors.append((mutant, ""))
                    verdict = "SURVIVED"
                else:
                    score.killed += 1
                    verdict = "killed" if outcome == "failed" else "killed (timeout)"
                    if equivalent:  # listed as equivalent, yet a test kills it: the list is stale
                        survivors.append((mutant, "killed, but listed as equivalent"))
                print(f"  [{number}/{len(chosen)}] {verdict}: {path}:{mutant.line} {mutant.change}")
            scores.append(score)
    finally:
        shutil.rmtree(where.parent, ignore_errors=True)

    print("\nsurvivors:" if survivors else "\nno survivors")
    for mutant, note in survivors:
        suffix = f"  ({note})" if note else ""
        print(f"  {mutant.path}:{mutant.line}: {mutant.key}{suffix}")
    print("\nscore (killed / non-equivalent mutants):")
    for score in scores:
        print("  " + score.line())
    low = [s for s in scores if s.counted and 100.0 * s.killed / s.counted < args.fail_under]
    return 1 if low else 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `--list | head` ends quietly
    sys.exit(main())
