"""Making untrusted text safe to put in a Markdown page, an HTML attribute or a link.

Every text that came from a record, a study file, a note or the manifest goes through
:func:`esc` before it is written into a page: HTML is escaped, and the characters Markdown,
Jinja templates (``{{ }}``, ``{% %}``) and table syntax would act on become numeric character
references, so the text shows exactly as written and nothing in it runs or links.
"""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["doi_href", "esc", "plain_title"]

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


_DOI = re.compile(r"^10\.\d{4,9}/[^\s]+$")


def doi_href(doi: str) -> str | None:
    """The ``https://doi.org/`` address of a DOI, or None when ``doi`` does not look like one.

    Only the DOI's own characters go into the path, percent-encoded, so a hostile value can never
    become a ``javascript:`` link or leave the attribute.
    """
    doi = (doi or "").strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):]
    if not _DOI.match(doi):
        return None
    return "https://doi.org/" + quote(doi, safe="/.;-_")


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
