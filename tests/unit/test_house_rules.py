"""House rules on the code's size: no module under services/ or shared/ over 500 lines, no
function over 60 lines unless its docstring gives the reason ("Long because …").

Migrations' version files are history, written once and never read as code: not counted.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "shared")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
REASON = "Long because"


def modules() -> Iterator[Path]:
    for package in PACKAGES:
        # Migrations too: a long revision says why in its upgrade()'s docstring.
        yield from sorted((ROOT / package).rglob("*.py"))


def long_functions(path: Path) -> Iterator[tuple[str, int]]:
    """(qualified name, lines) of each function over the limit without a reason given.

    A function's lines run from its ``def`` (decorators excluded) to its last line,
    docstring and comments included: what a reader has to read."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                size = child.end_lineno - child.lineno + 1
                docstring = ast.get_docstring(child) or ""
                if size > MAX_FUNCTION_LINES and REASON not in docstring:
                    yield name, size
                yield from walk(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(tree, "")


def test_no_module_is_over_500_lines():
    offenders = []
    for path in modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            offenders.append(f"{path.relative_to(ROOT)}: {lines} lines")
    print("\n".join(offenders))
    assert not offenders, (
        f"modules over {MAX_MODULE_LINES} lines (split them by what they do):\n"
        + "\n".join(offenders)
    )


def test_no_function_is_over_60_lines_without_a_reason():
    offenders = [
        f"{path.relative_to(ROOT)}: {name} ({size} lines)"
        for path in modules()
        for name, size in long_functions(path)
    ]
    print("\n".join(offenders))
    assert not offenders, (
        f"functions over {MAX_FUNCTION_LINES} lines whose docstring does not say why "
        f"({REASON!r} …); split them, or give the reason:\n" + "\n".join(offenders)
    )


def test_the_rules_see_what_they_should(tmp_path):
    """The checker itself: a long function is caught, nested ones too, a reason excuses."""
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    source = (
        f"def long():\n{body}\n\n"
        f'def excused():\n    """Long because a table reads best in one piece."""\n{body}\n\n'
        f"class Holder:\n    def method(self):\n    {body.replace(chr(10), chr(10) + '    ')}\n\n"
        "def short():\n    return 1\n"
    )
    sample = tmp_path / "sample.py"
    sample.write_text(source, encoding="utf-8")
    assert dict(long_functions(sample)) == {
        "long": MAX_FUNCTION_LINES + 1,
        "Holder.method": MAX_FUNCTION_LINES + 1,
    }
