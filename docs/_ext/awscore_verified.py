"""The "verified against" page, generated from the test suite's own source.

Tests reach every oracle through three helpers in ``tests/conftest.py``:
``require_peer("module")`` for a peer package, ``require_tool("dig")`` for a real
command-line client and ``vector_dir("set", ...)`` for the official vectors. This
extension reads the test files' syntax trees, finds which test functions reach which
oracle (directly, or through a helper or fixture defined in the same file), and writes
``docs/_generated/verified.md`` with the packages' installed versions, the tools'
versions and the vector sets' case counts. Nothing on the page is typed by hand, so it
cannot drift from what the tests really use.
"""

from __future__ import annotations

import ast
import os
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from sphinx.application import Sphinx

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
HELPERS = {"require_peer": "peer", "require_tool": "tool", "vector_dir": "vectors"}
#: what each kind of oracle is called on the page
KIND_TITLES = {
    "vectors": "Official test vectors",
    "peer": "Peer packages",
    "tool": "Real clients",
}


@dataclass(slots=True)
class _Function:
    oracles: set[tuple[str, str]] = field(default_factory=set)
    calls: set[str] = field(default_factory=set)


def _string_args(call: ast.Call) -> list[str]:
    return [
        arg.value
        for arg in call.args
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    ]


def _scan_function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> _Function:
    found = _scan(node)
    # fixtures arrive as parameters: a parameter named like a local function uses it
    found.calls.update(arg.arg for arg in node.args.args)
    return found


def _scan(node: ast.AST) -> _Function:
    found = _Function()
    handled: set[int] = set()
    for child in ast.walk(node):
        # vector_dir("set") / "file.json": the file is the vector set
        if (
            isinstance(child, ast.BinOp)
            and isinstance(child.op, ast.Div)
            and isinstance(child.left, ast.Call)
            and isinstance(child.left.func, ast.Name)
            and child.left.func.id == "vector_dir"
            and isinstance(child.right, ast.Constant)
            and isinstance(child.right.value, str)
        ):
            parts = [*_string_args(child.left), child.right.value]
            found.oracles.add(("vectors", "/".join(parts)))
            handled.add(id(child.left))
        if isinstance(child, ast.Name):
            found.calls.add(child.id)
        if (
            not isinstance(child, ast.Call)
            or not isinstance(child.func, ast.Name)
            or id(child) in handled
        ):
            continue
        kind = HELPERS.get(child.func.id)
        args = _string_args(child)
        if kind == "peer" and args:
            found.oracles.add(("peer", args[0].split(".")[0]))
        elif kind == "tool" and args:
            found.oracles.add(("tool", args[0]))
        elif kind == "vectors":
            found.oracles.add(("vectors", "/".join(args)))
    return found


#: the name under which a file's module-level oracles are kept
_MODULE = "<module>"


def _module_level(tree: ast.Module) -> _Function:
    """Oracles reached by statements outside any function (they gate every test)."""
    found = _Function()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.oracles |= _scan(node).oracles
    return found


def _functions(tree: ast.Module) -> dict[str, _Function]:
    functions: dict[str, _Function] = {_MODULE: _module_level(tree)}
    for node in tree.body:
        bodies = node.body if isinstance(node, ast.ClassDef) else [node]
        for item in bodies:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                functions[item.name] = _scan_function(item)
    return functions


def _reach(functions: dict[str, _Function], name: str) -> set[tuple[str, str]]:
    seen: set[str] = set()
    pending = [name]
    reached: set[tuple[str, str]] = set()
    while pending:
        current = pending.pop()
        if current in seen or current not in functions:
            continue
        seen.add(current)
        reached |= functions[current].oracles
        pending.extend(functions[current].calls)
    return reached


def scan(tests: Path = TESTS) -> dict[tuple[str, str], dict[str, int]]:
    """Map each oracle to the test files using it and their test function counts."""
    usage: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for path in sorted(tests.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        functions = _functions(tree)
        for name in functions:
            if not name.startswith("test_"):
                continue
            reached = _reach(functions, name) | functions[_MODULE].oracles
            for oracle in reached:
                where = str(path.relative_to(tests.parent))
                usage[oracle][where] = usage[oracle].get(where, 0) + 1
    return usage


def _distribution(module: str) -> tuple[str, str]:
    names = metadata.packages_distributions().get(module, [module])
    name = names[0]
    try:
        return name, metadata.version(name)
    except metadata.PackageNotFoundError:
        return name, "not installed"


def _tool_version(tool: str) -> str:
    # dig prints its version on stderr with -v; most tools answer --version
    for flags in (["-v"], ["--version"]):
        try:
            done = subprocess.run(  # noqa: S603 - a fixed tool name from the tests
                [tool, *flags], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return "not installed here"
        text = (done.stdout or done.stderr).strip().splitlines()
        if done.returncode == 0 and text:
            return text[0]
    return "unknown"


def _vectors_root() -> Path:
    configured = os.environ.get("AWSCORE_VECTORS")
    # the vectors ship with the tests (tests/vectors/PROVENANCE.md)
    return Path(configured) if configured else ROOT / "tests" / "vectors"


def _cases(folder: Path) -> str:
    if not folder.exists():
        return "not present at build time"
    if folder.is_file():
        return "1 file"
    # AWS's suites keep one case per folder, holding its request: ``request.txt``
    # (aws-c-auth's layout) or ``<case>.req`` (the legacy suite's)
    cases = {
        path.parent
        for path in folder.rglob("*")
        if path.name == "request.txt" or path.suffix == ".req"
    }
    return f"{len(cases)} cases"


def _where(files: dict[str, int]) -> str:
    return "<br>".join(f"`{path}` ({count})" for path, count in sorted(files.items()))


def page(usage: dict[tuple[str, str], dict[str, int]]) -> str:
    """The Markdown of the generated part of the page."""
    lines: list[str] = []
    for kind in ("vectors", "peer", "tool"):
        oracles = sorted(name for k, name in usage if k == kind)
        if not oracles:
            continue
        lines += [f"## {KIND_TITLES[kind]}", ""]
        if kind == "vectors":
            lines += ["| vector set | on disk | tests (per file) |", "|---|---|---|"]
            root = _vectors_root()
            for name in oracles:
                label = name or "(the whole folder)"
                lines.append(
                    f"| `{label}` | {_cases(root / name)} | "
                    f"{_where(usage[(kind, name)])} |"
                )
        elif kind == "peer":
            lines += [
                "| package | version | tests (per file) |",
                "|---|---|---|",
            ]
            for name in oracles:
                distribution, version = _distribution(name)
                lines.append(
                    f"| {distribution} | {version} | {_where(usage[(kind, name)])} |"
                )
        else:
            lines += ["| client | version | tests (per file) |", "|---|---|---|"]
            for name in oracles:
                lines.append(
                    f"| `{name}` | {_tool_version(name)} | "
                    f"{_where(usage[(kind, name)])} |"
                )
        lines.append("")
    total = sum(sum(files.values()) for files in usage.values())
    lines.append(
        f"In all, {total} test functions reach an oracle (a test reaching two "
        "counts twice)."
    )
    return "\n".join(lines) + "\n"


def _generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "_generated"
    out.mkdir(exist_ok=True)
    (out / "verified.md").write_text(page(scan()), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
