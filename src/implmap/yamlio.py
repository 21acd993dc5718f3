"""Read YAML with the line of every key and list item, so problems can name their line.

A name with a comma in it (the TDF domain *Memory, Attention and Decision Processes*), written
unquoted in a flow list (``[Knowledge, Memory, Attention and Decision Processes]``) or a flow
mapping (``{domain: Memory, Attention and Decision Processes}``), is split by YAML at its comma;
:func:`load_yaml` given the vocabulary's ``names`` joins the pieces back into the one name.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import yaml

from .errors import InputFormatError

__all__ = ["SAFE_LOADER", "Marks", "join_split_names", "load_yaml"]

Loc = tuple[Any, ...]
#: The safe YAML loader, libyaml's (about 20 times faster) when present.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def _plain(node: Any) -> str | None:
    """The text of an unquoted scalar node (None for anything else)."""
    if isinstance(node, yaml.ScalarNode) and not node.style:  # libyaml gives "", PyYAML None
        return str(node.value).strip()
    return None


def _null(node: Any) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null") and not node.value


def join_split_names(node: yaml.Node, names: Collection[str]) -> None:
    """Join, in place, the pieces of a comma-holding name that YAML split in a flow collection.

    In a flow list, consecutive unquoted items that are the comma-separated parts of one of
    ``names`` become one item; in a flow mapping, an unquoted value followed by keys without
    values that complete one of ``names`` becomes that one value. Nothing else changes.
    """
    split = {tuple(p.strip() for p in n.split(",")): n for n in names if "," in n}
    if split:
        _join(node, split)


def _join(node: Any, split: dict[tuple[str, ...], str]) -> None:
    if isinstance(node, yaml.SequenceNode):
        if node.flow_style:
            node.value = _join_items(node.value, [_plain(x) for x in node.value], split)
        for item in node.value:
            _join(item, split)
    elif isinstance(node, yaml.MappingNode):
        if node.flow_style:
            pairs = node.value
            out: list[tuple[Any, Any]] = []
            i = 0
            while i < len(pairs):
                key, value = pairs[i]
                texts = [_plain(value)] + [_plain(k) if _null(v) else None
                                           for k, v in pairs[i + 1:]]
                n = _match(texts, split)
                if n > 1:
                    value = _merged(value, pairs[i + n - 1][0], split, texts[:n])
                out.append((key, value))
                i += max(n, 1)
            node.value = out
        for _, value in node.value:
            _join(value, split)


def _match(texts: list[str | None], split: dict[tuple[str, ...], str]) -> int:
    """How many of ``texts`` (from the first) make up one split name (0 when none do)."""
    for parts in split:
        if tuple(texts[:len(parts)]) == parts:
            return len(parts)
    return 0


def _merged(first: Any, last: Any, split: dict[tuple[str, ...], str],
            texts: list[str | None]) -> yaml.ScalarNode:
    """One plain string node holding the name that ``texts`` (its pieces) make up."""
    name = split[tuple(t or "" for t in texts)]
    return yaml.ScalarNode("tag:yaml.org,2002:str", name, first.start_mark, last.end_mark)


def _join_items(items: list[Any], texts: list[str | None],
                split: dict[tuple[str, ...], str]) -> list[Any]:
    out = []
    i = 0
    while i < len(items):
        n = _match(texts[i:], split)
        if n > 1:
            out.append(_merged(items[i], items[i + n - 1], split, texts[i:i + n]))
            i += n
        else:
            out.append(items[i])
            i += 1
    return out


def load_yaml(path: str | Path, text: str | None = None, *,
              names: Collection[str] = ()) -> tuple[Any, Marks]:
    """Parse one YAML file; return the data and the :class:`Marks` of its nodes.

    ``names`` (the vocabulary's domain and construct names): a name holding a comma that YAML
    split in a flow list or mapping is joined back (see :func:`join_split_names`).

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
        loader = SAFE_LOADER(text)  # parse once: the nodes give the lines, then the data
        try:
            node = loader.get_single_node()
            if node is not None and names:
                join_split_names(node, names)
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
