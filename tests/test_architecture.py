"""The layout shows the data flow, and no module imports from a layer above its own (README "Architecture").

Every import in the package is read from the source (function-level imports too, since transpub defers
heavy imports into the functions that need them), resolved to a module of transpub, and given the layer
of its package. A module may import from its own layer and the layers below it, never from one above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import transpub

PACKAGE = Path(transpub.__file__).parent

#: bottom to top, as in the README's "Architecture" section
LAYERS = ("foundation", "source", "catalogs", "translate", "localize", "review", "render", "build", "cli")
FOUNDATION = ("errors", "paths", "clock", "territories", "config", "settings", "fsutil", "staging", "scaffold")


def layer_of(module: str) -> str:
    """The layer of a transpub module (``transpub.review.checks`` → ``review``)."""
    parts = module.split(".")
    if parts[0] != "transpub":
        raise ValueError(module)
    if len(parts) == 1:
        return "foundation"
    if parts[1] in LAYERS:
        return parts[1]
    if parts[1] in FOUNDATION or parts[1] == "__main__":
        return "foundation"
    raise AssertionError(f"{module} belongs to no layer: add it to a package, or to FOUNDATION with a reason")


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imported_modules(text: str, name: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module) for every import of a transpub module in ``text``, the code of module ``name``."""
    package = name if is_package else name.rsplit(".", 1)[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "transpub"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "transpub":
                continue
            # `from .render import html` imports the module transpub.render.html
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                is_module = (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py").is_file() or (
                    PACKAGE.parent / candidate.replace(".", "/")
                ).is_dir()
                found.append((node.lineno, candidate if is_module else target))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer():
    for path in MODULES:
        layer_of(module_name(path))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_module_imports_from_a_layer_above_it(path: Path):
    own = LAYERS.index(layer_of(module_name(path)))
    above = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: imports {module} ({layer_of(module)} is above {LAYERS[own]})"
        for line, module in imported_modules(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")
        if LAYERS.index(layer_of(module)) > own
    ]
    assert not above, "\n".join(above)


def test_the_checker_sees_upward_imports():
    """The rule can fail: imports of higher layers, relative, absolute or inside a function, are found."""
    code = "from ..render import html\nimport transpub.build\ndef f():\n    from ..review.checks import CODES\n"
    found = imported_modules(code, "transpub.source.fake")
    assert [module for _line, module in found] == ["transpub.render.html", "transpub.build", "transpub.review.checks"]
    assert all(LAYERS.index(layer_of(module)) > LAYERS.index("source") for _line, module in found)


def test_readme_names_the_layers_in_order():
    readme = (PACKAGE.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    positions = [section.find(f"\n| `{layer}` |") for layer in LAYERS if layer != "foundation"]
    assert all(p >= 0 for p in positions), "every layer is named in the README's Architecture section"
    assert positions == sorted(positions), "the README lists the layers bottom to top"
