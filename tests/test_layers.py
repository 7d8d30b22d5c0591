"""The package's layers: no module imports from a layer above its own (late imports inside functions too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "transpub"

# bottom to top; a top-level module or package not listed here (scaffold, the CLI's helpers) is not checked
LAYERS = (
    ("errors", "config", "paths", "clock", "fsutil", "staging"),
    ("source",),
    ("catalogs",),
    ("translate",),
    ("localize",),
    ("review",),
    ("render",),
    ("build",),
    ("cli",),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
# Known and left alone: config validates [names.<lang>] country codes with the source layer's CLDR check.
KNOWN = {("config.py", "source")}


def imported_top_levels(path: Path) -> set[str]:
    """The transpub top-level modules ``path`` imports (relative or absolute)."""
    package = path.relative_to(PACKAGE).parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package[: len(package) - node.level + 1])
            target = base + (node.module.split(".") if node.module else [])
            found.update([target[0]] if target else [alias.name for alias in node.names])
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("transpub."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[1] for alias in node.names if alias.name.startswith("transpub."))
    return {name.removesuffix(".py") for name in found}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0].removesuffix(".py") in RANK)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_from_a_layer_above(path: Path):
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    above = {
        name for name in imported_top_levels(path)
        if RANK.get(name, -1) > RANK[own] and (str(path.relative_to(PACKAGE)), name) not in KNOWN
    }  # fmt: skip
    assert not above, f"{path.relative_to(PACKAGE)} imports from a higher layer: {sorted(above)}"


def test_the_checker_sees_relative_and_late_imports():
    """The test above would pass on a checker that finds nothing: show it finds what it must."""
    module = PACKAGE / "review" / "reading.py"
    assert {"errors"} <= imported_top_levels(module)  # "from ..errors import ReviewError"
    assert "review" in imported_top_levels(PACKAGE / "render" / "review_docx.py")  # "from ..review import …"
    assert "source" in imported_top_levels(PACKAGE / "config.py")  # a late import inside a function
