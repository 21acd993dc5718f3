"""Making untrusted text safe to put in a Markdown page, an HTML attribute or a link.

Every text that came from a record, a study file, a note or the manifest goes through
:func:`esc` before it is written into a page: HTML is escaped, and the characters Markdown,
Jinja templates (``{{ }}``, ``{% %}``) and table syntax would act on become numeric character
references, so the text shows exactly as written and nothing in it runs or links.
"""

from __future__ import annotations

import re

__all__ = ["esc", "plain_title"]

_TABLE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#39;",
        "{": "&#123;",
        "}": "&#125;",
        "|": "&#124;",
        "[": "&#91;",
        "]": "&#93;",
        "(": "&#40;",
        ")": "&#41;",
        "*": "&#42;",
        "_": "&#95;",
        "`": "&#96;",
        "\\": "&#92;",
        "#": "&#35;",
        ":": "&#58;",
        "\r": " ",
        "\n": " ",
        "\t": " ",
        "\x00": "",
    }
)


def esc(value: object) -> str:
    """HTML-escape ``value`` and neutralise Markdown, Jinja and table syntax in it.

    The result is one line of text that a browser shows exactly as ``value`` reads; put it
    inside raw HTML in a Markdown page or inside a double-quoted attribute.
    """
    if value is None:
        return ""
    text = str(value)
    return text.translate(_TABLE)


_PLAIN = re.compile(r"[^\w .,;()/-]+")


def plain_title(value: object, limit: int = 80) -> str:
    """A page title from untrusted text: only letters, digits, spaces and . , ; ( ) / - kept.

    Titles go into ``<title>``, the navigation and the search index through the theme's
    templates, so they keep no character that HTML, Markdown or Jinja would act on.
    """
    text = _PLAIN.sub(" ", str(value or "")).strip()
    text = re.sub(r"\s+", " ", text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
