"""Public names of a package, loaded from their modules on first use (PEP 562).

A package imports its public names under ``if TYPE_CHECKING:`` (so type checkers and readers
see where each lives) and hands itself to :func:`lazy_names`, which reads those imports from the
package's source: importing the package then loads none of its modules (nor what they import:
numpy, scikit-learn, rispy), and ``from package import name`` loads only the module that holds
``name``::

    if TYPE_CHECKING:
        from .reader import read_file

    __all__ = ["read_file"]
    __getattr__, __dir__ = lazy_names(__name__)
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

__all__ = ["homes", "lazy_names"]


def homes(package: str) -> dict[str, str]:
    """``{name: module}`` from the ``if TYPE_CHECKING:`` block of ``package``'s ``__init__``."""
    init = Path(import_module(package).__dict__["__file__"])
    out: dict[str, str] = {}
    for node in ast.parse(init.read_text("utf-8")).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                if isinstance(imp, ast.ImportFrom) and imp.level == 1 and imp.module:
                    out.update({a.asname or a.name: imp.module for a in imp.names})
    return out


def lazy_names(package: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: each name of its ``__all__`` is loaded from
    the module its ``if TYPE_CHECKING:`` block imports it from."""
    namespace = import_module(package).__dict__
    where = homes(package)
    missing = set(namespace.get("__all__", ())) - set(where)
    if missing:
        raise ImportError(f"{package}: no home for {', '.join(sorted(missing))} (import each "
                          "public name under 'if TYPE_CHECKING:')")

    def __getattr__(name: str) -> Any:
        home = where.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *where})

    return __getattr__, __dir__
