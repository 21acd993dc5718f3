"""Read YAML with the line of every key and list item, so problems can name their line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputFormatError

__all__ = ["Marks", "load_yaml"]

Loc = tuple[Any, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present


class Marks:
    """Line numbers (1-based) of the nodes of a YAML document, by location.

    A location is a tuple of mapping keys and list indices, as in pydantic's error ``loc``:
    ``("findings", 2, "type")`` is the ``type`` key of the third finding.
    """

    def __init__(self) -> None:
        self._lines: dict[Loc, int] = {}
        #: keys given twice in one mapping: (location, line of the repeat, line of the first);
        #: YAML keeps only the last value, so these are reported rather than merged silently.
        self.duplicates: list[tuple[Loc, int, int]] = []

    def line(self, loc: Sequence[Any] = ()) -> int | None:
        """The line of ``loc``, or of its nearest enclosing node that has one."""
        loc = tuple(loc)
        while True:
            if loc in self._lines:
                return self._lines[loc]
            if not loc:
                return None
            loc = loc[:-1]

    def _walk(self, node: yaml.Node, loc: Loc) -> None:
        self._lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key, value in node.value:
                k = key.value if isinstance(key, yaml.ScalarNode) else None
                sub = (*loc, k)
                if k in first:
                    self.duplicates.append((sub, key.start_mark.line + 1, first[k]))
                first.setdefault(k, key.start_mark.line + 1)
                self._lines[sub] = key.start_mark.line + 1
                self._walk(value, sub)
                # a value on its own lines keeps the key's line for the key itself
                self._lines[sub] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, (*loc, i))


def load_yaml(path: str | Path, text: str | None = None) -> tuple[Any, Marks]:
    """Parse one YAML file; return the data and the :class:`Marks` of its nodes.

    Raises :class:`~implmap.errors.InputFormatError` with the line of a syntax error.
    """
    path = Path(path)
    if text is None:
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError as exc:
            raise InputFormatError(f"not UTF-8 text ({exc.reason}); save it as UTF-8",
                                   path) from None
    marks = Marks()
    try:
        loader = _Loader(text)  # parse once: the nodes give the lines, then the data
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise InputFormatError(f"YAML syntax error: {msg}", path, line) from None
    except yaml.YAMLError as exc:
        raise InputFormatError(f"YAML syntax error: {exc}", path) from None
    if node is not None:
        marks._walk(node, ())
    return data, marks
