"""Edit one finding of a study file in place, keeping the rest of the file as a person wrote it.

A study file is written by hand (folded text, flow lists, comments); rewriting the whole file
through a YAML dumper would reformat every line. :func:`edit_finding` replaces, adds or
removes keys of one finding by their lines only, then parses the result and compares it with
the intended data; when the two differ (an unusual layout), the whole file is dumped instead,
so nothing is ever lost. :func:`append_finding` and :func:`remove_finding` add and take out a
whole finding the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from ..yamlio import SAFE_LOADER

__all__ = ["append_finding", "dump_block", "edit_finding", "remove_finding"]



def dump_block(data: Mapping[str, Any], indent: int) -> list[str]:
    """``data`` as block YAML lines (lists of scalars in flow style), indented by ``indent``."""
    out: list[str] = []
    for key, value in data.items():
        # a mapping of scalars alone would come out in flow style: dump one key at a time
        flow = None if isinstance(value, list | dict) else False
        text = yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True,
                              default_flow_style=flow, width=96)
        out += [" " * indent + line for line in text.splitlines()]
    return out


def _expected(data: Any, index: int, set_: Mapping[str, Any], remove: Iterable[str]) -> Any:
    finding = dict(data["findings"][index])
    for k in remove:
        finding.pop(k, None)
    finding.update(set_)
    findings = list(data["findings"])
    findings[index] = finding
    return {**data, "findings": findings}


def edit_finding(text: str, index: int, set_: Mapping[str, Any] = {},
                 remove: Iterable[str] = (), after: str | None = None) -> str:
    """The study file ``text`` with finding ``index``'s keys ``set_`` (replaced where present,
    else added after the key ``after`` or at the finding's end) and ``remove`` taken out."""
    remove = [k for k in remove if k not in set_]
    data = yaml.load(text, Loader=SAFE_LOADER)
    return _checked(text, lambda: _edit_lines(text, index, set_, remove, after),
                    _expected(data, index, set_, remove))


def _edit_lines(text: str, index: int, set_: Mapping[str, Any], remove: list[str],
                after: str | None) -> list[str]:
    lines = text.splitlines()
    root, fnode = _findings_node(text)
    node = fnode.value[index]
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        raise ValueError("the finding is not a block mapping")
    starts = [k.start_mark.line for k, _ in node.value] + [_item_end(text, root, fnode, index)]
    spans: dict[str, tuple[int, int]] = {}
    for i, (k, _) in enumerate(node.value):
        stop = starts[i + 1]
        while stop > starts[i] + 1 and not lines[stop - 1].strip():
            stop -= 1  # blank lines between findings stay
        spans[k.value] = (starts[i], stop)
    indent = node.value[0][0].start_mark.column
    if node.value[0][0].value in (*remove, *set_):
        raise ValueError("the first key shares the list item's '- ' line")
    edits: list[tuple[int, int, list[str]]] = []
    for k in remove:
        if k in spans:
            edits.append((*spans[k], []))
    added: list[str] = []
    for k, v in set_.items():
        new = dump_block({k: v}, indent)
        if k in spans:
            edits.append((*spans[k], new))
        else:
            added += new
    if added:
        if after in spans and after not in remove:
            at = spans[after][1]
        else:
            at = max(stop for _, stop in spans.values())
        edits.append((at, at, added))
    for start, stop, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines[start:stop] = new
    return lines


def _checked(text: str, out_lines: Any, want: Any) -> str:
    """``out_lines`` joined, when it parses to ``want``; else ``want`` dumped whole."""
    try:
        out = "\n".join(out_lines()) + "\n"
        if yaml.load(out, Loader=SAFE_LOADER) == want:
            return out
    except (yaml.YAMLError, LookupError, TypeError, ValueError, AttributeError):
        pass
    return yaml.safe_dump(want, sort_keys=False, allow_unicode=True, width=96)


def _findings_node(text: str) -> Any:
    root = yaml.compose(text, Loader=SAFE_LOADER)
    if not isinstance(root, yaml.MappingNode):
        raise ValueError("not a mapping")
    node = dict((k.value, v) for k, v in root.value)["findings"]
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        raise ValueError("findings is not a non-empty block list")
    return root, node


def _item_end(text: str, root: Any, node: Any, index: int) -> int:
    """The line after finding ``index`` (blank lines after it left out)."""
    lines = text.splitlines()
    if index + 1 < len(node.value):
        end = node.value[index + 1].start_mark.line
    else:
        later = [k.start_mark.line for k, _ in root.value
                 if k.start_mark.line > node.value[index].start_mark.line]
        end = min(later) if later else len(lines)
    while end > node.value[index].start_mark.line + 1 and not lines[end - 1].strip():
        end -= 1
    return int(end)


def append_finding(text: str, finding: Mapping[str, Any]) -> str:
    """The study file ``text`` with ``finding`` added as its last finding."""
    data = yaml.load(text, Loader=SAFE_LOADER)
    want = {**data, "findings": [*(data.get("findings") or []), dict(finding)]}

    def lines() -> list[str]:
        root, node = _findings_node(text)
        last = node.value[-1]
        if not isinstance(last, yaml.MappingNode) or last.flow_style:
            raise ValueError("the last finding is not a block mapping")
        col = last.start_mark.column
        new = dump_block(finding, col)
        new[0] = " " * (col - 2) + "- " + new[0][col:]
        out = text.splitlines()
        at = _item_end(text, root, node, len(node.value) - 1)
        out[at:at] = new
        return out

    return _checked(text, lines, want)


def remove_finding(text: str, index: int) -> str:
    """The study file ``text`` without finding ``index`` (its lines taken out)."""
    data = yaml.load(text, Loader=SAFE_LOADER)
    findings = list(data["findings"])
    del findings[index]
    want = {**data, "findings": findings}

    def lines() -> list[str]:
        root, node = _findings_node(text)
        out = text.splitlines()
        start = node.value[index].start_mark.line
        end = node.value[index + 1].start_mark.line if index + 1 < len(node.value) else \
            _item_end(text, root, node, index)
        del out[start:end]
        return out

    return _checked(text, lines, want)
