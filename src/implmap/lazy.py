"""Public names of a package, loaded from their modules on first use (PEP 562).

A package lists where each public name lives; importing the package then loads none of its
modules (nor what they import: numpy, scikit-learn, rispy), and ``from package import name``
loads only the module that holds ``name``::

    __getattr__, __dir__ = lazy_names(__name__, {"read_file": "reader", ...})
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(package: str, homes: dict[str, str]
               ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package`` whose public names live in ``homes``
    (``{name: module}``, module relative to the package)."""
    namespace = import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes})

    return __getattr__, __dir__
