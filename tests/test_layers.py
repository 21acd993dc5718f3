"""The architecture, enforced: no module imports a module of a higher layer.

The layers, lowest first (the design page, docs/reference/design.md, explains them). A module
belongs to the layer of the longest prefix below that names it. A module may import modules of
its own layer group and of lower layers; the groups that share a layer (``app`` and ``site``)
must not import each other. Imports under ``if TYPE_CHECKING:`` count too: a type is a
dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

LAYERS: list[list[str]] = [
    [
        "implmap.errors",
        "implmap.fsio",
        "implmap.jsonl",
        "implmap.gitfiles",
        "implmap.lazy",
        "implmap.manifest",
        "implmap.problems",
        "implmap.records.model",
        "implmap.yamlio",
    ],
    ["implmap.folder"],
    ["implmap.records"],
    ["implmap.dedupe"],
    ["implmap.screening"],
    ["implmap.prioritise"],
    ["implmap.charting"],
    ["implmap.checks", "implmap.handout"],
    ["implmap.app", "implmap.site"],
    ["implmap.review"],
    ["implmap.cli", "implmap.__main__", "implmap"],
]
INDEPENDENT = {"implmap.app", "implmap.site"}  # share a layer, never import each other


def _group(module: str) -> tuple[int, str]:
    """(layer index, the prefix that placed it) for ``module``."""
    best: tuple[int, str] | None = None
    for i, layer in enumerate(LAYERS):
        for prefix in layer:
            if (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > len(best[1])
            ):
                best = (i, prefix)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((SRC / "implmap").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(module: str, path: Path) -> list[tuple[int, str]]:
    """Every ``implmap`` module that ``module`` imports, with the line of the import."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module is None:  # from . import x: each name may be a module
                found += [(node.lineno, f"{target}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, target))
    return [(line, t) for line, t in found if t == "implmap" or t.startswith("implmap.")]


def test_every_module_has_a_layer() -> None:
    for module in _modules():
        _group(module)


def test_no_module_imports_upwards() -> None:
    modules = _modules()
    wrong = []
    for module, path in modules.items():
        if module == "implmap":
            continue
        mine = _group(module)
        for line, target in _imports(module, path):
            while target not in modules and "." in target:  # from pkg import name
                target = target.rpartition(".")[0]
            theirs = _group(target)
            sideways = theirs[1] != mine[1] and {theirs[1], mine[1]} <= INDEPENDENT
            if theirs[0] > mine[0] or sideways:
                rel = path.relative_to(SRC)
                wrong.append(f"{rel}:{line}: {module} ({mine[1]}) imports {target} ({theirs[1]})")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_module_is_too_long(limit: int = 400) -> None:
    long = {str(p.relative_to(SRC)): n for p in (SRC / "implmap").rglob("*.py")
            if (n := len(p.read_text("utf-8").splitlines())) > limit}
    assert not long, f"modules over {limit} lines (split them by what they hold): {long}"
