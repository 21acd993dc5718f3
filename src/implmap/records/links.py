"""Links built from untrusted record fields: a DOI's https://doi.org/ address, a plain http(s) URL.

The screening app and the evidence map both use these, so a record links the same way (or not
at all) wherever it is shown. Only a value that looks like what it claims to be becomes a link;
its characters are percent-encoded, so a hostile value can never turn into a ``javascript:``
link or leave an HTML attribute.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

__all__ = ["doi_url", "safe_url"]

_DOI = re.compile(r"^10\.\d{4,9}/[^\s]+$")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                 "http://dx.doi.org/", "doi:")


def doi_url(doi: Any) -> str | None:
    """The ``https://doi.org/`` address of a DOI, or ``None`` when ``doi`` does not look like one.

    >>> doi_url("https://doi.org/10.1002/msc.70108")
    'https://doi.org/10.1002/msc.70108'
    >>> doi_url("javascript:alert(1)//10.1000/x") is None
    True
    """
    if not isinstance(doi, str):
        return None
    doi = doi.strip()
    for prefix in _DOI_PREFIXES:
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):]
    if not _DOI.match(doi):
        return None
    return "https://doi.org/" + quote(doi, safe="/.;-_")


def safe_url(url: Any) -> str | None:
    """``url`` when it is a plain http(s) URL with a host, else ``None`` (never a link)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url
