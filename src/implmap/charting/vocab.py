"""The vocabularies of charting, shipped as data: TDF v2 domains and constructs, the TDF → COM-B
mapping and the COM-B → intervention-function mapping of the Behaviour Change Wheel.

Sources (see ``data/tdf_v2.yaml`` and ``data/mappings.yaml``): Cane, O'Connor & Michie,
Implement Sci 2012;7:37 (TDF v2); Michie, van Stralen & West, Implement Sci 2011;6:42 and
Michie, Atkins & West 2014 (COM-B, intervention functions).

A review can override either mapping in ``charting/mappings.yaml`` (same layout as the shipped
file; keys given there replace the defaults) and defines its own theme codebook in
``charting/themes.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import InputFormatError, UnknownTermError
from .model import Theme

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = [
    "CombLink",
    "Domain",
    "UnknownTermError",
    "Vocabulary",
    "load_vocabulary",
    "match_choice",
    "term_names",
]

@dataclass(frozen=True)
class Domain:
    """A TDF v2 domain: its number, name, a short description, its constructs and a short
    description of each (implmap's own words; see ``data/tdf_v2.yaml``)."""

    number: int
    name: str
    description: str
    constructs: tuple[str, ...]
    construct_descriptions: Mapping[str, str] = field(default_factory=dict)

    def describe(self, construct: str) -> str:
        """The short description of ``construct`` in this domain (the domain's when none)."""
        return self.construct_descriptions.get(construct) or self.description


@dataclass(frozen=True)
class CombLink:
    """A TDF domain's link to a COM-B component (``qualifier`` says which part, e.g. skills)."""

    component: str
    qualifier: str = ""


def match_choice(value: str, choices: list[str], what: str) -> str:
    """The one choice that ``value`` names: exact (case-insensitive) or a unique prefix.

    Raises :class:`UnknownTermError` listing the valid choices otherwise.
    """
    v = value.strip().casefold()
    exact = [c for c in choices if c.casefold() == v]
    if exact:
        return exact[0]
    pref = [c for c in choices if c.casefold().startswith(v)] if v else []
    if len(pref) == 1:
        return pref[0]
    listing = "\n  ".join(choices)
    if len(pref) > 1:
        raise UnknownTermError(
            f"{what} {value!r} is ambiguous: it starts {len(pref)} of them "
            f"({', '.join(pref)}); type more of the name. Valid {what}s:\n  {listing}"
        )
    raise UnknownTermError(f"unknown {what} {value!r}. Valid {what}s:\n  {listing}")


@dataclass
class Vocabulary:
    """TDF v2, the COM-B and intervention-function maps, and (for a review) its themes."""

    domains: list[Domain]
    comb_components: list[str]
    intervention_functions: list[str]
    tdf_to_comb: dict[str, list[CombLink]]
    comb_to_functions: dict[str, list[str]]
    themes: list[Theme] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    # ----------------------------------------------------------------------- names and lookups
    @property
    def domain_names(self) -> list[str]:
        """The 14 domain names in published order."""
        return [d.name for d in self.domains]

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def domain(self, name: str) -> Domain:
        """A domain by name: case-insensitive, or a unique prefix of it."""
        found = match_choice(name, self.domain_names, "TDF domain")
        return next(d for d in self.domains if d.name == found)

    def theme(self, name: str) -> Theme:
        """A theme by ID or name: case-insensitive, or a unique prefix of either."""
        if not self.themes:
            raise UnknownTermError("this review has no themes (define them in "
                                   "charting/themes.yaml: a list of id, name, description)")
        v = name.strip().casefold()
        exact = [t for t in self.themes if v in (t.id.casefold(), t.name.casefold())]
        pref = [t for t in self.themes
                if v and (t.id.casefold().startswith(v) or t.name.casefold().startswith(v))]
        if exact:
            return exact[0]
        if len(pref) == 1:
            return pref[0]
        what = "ambiguous theme" if pref else "unknown theme"
        raise UnknownTermError(
            f"{what} {name!r}. Valid themes (ID: name):\n  "
            + "\n  ".join(f"{t.id}: {t.name}" for t in self.themes)
        )

    def theme_name(self, theme_id: str) -> str:
        """The name of a theme ID (the ID itself when the codebook does not hold it)."""
        return next((t.name for t in self.themes if t.id == theme_id), theme_id)

    def domains_of_construct(self, construct: str) -> list[str]:
        """The domains listing ``construct`` (some constructs sit in two domains)."""
        return [d.name for d in self.domains if construct in d.constructs]

    def comb(self, domains: list[str] | str) -> list[str]:
        """The COM-B components of one or more domains, in COM-B order."""
        names = [domains] if isinstance(domains, str) else domains
        hit = {link.component for d in names for link in self.tdf_to_comb.get(d, [])}
        return [c for c in self.comb_components if c in hit]

    def functions(self, components: list[str] | str) -> list[str]:
        """The intervention functions that can address the COM-B components, in BCW order."""
        names = [components] if isinstance(components, str) else components
        hit = {f for c in names for f in self.comb_to_functions.get(c, [])}
        return [f for f in self.intervention_functions if f in hit]

    def training_texts(self) -> tuple[list[str], list[str], list[str], list[str]]:
        """Cold-start examples for suggestions: (texts, domains, texts, theme IDs).

        Each domain gives its name + description, and each construct its name (with the domain
        name); each theme gives its name + description.
        """
        dt: list[str] = []
        dl: list[str] = []
        for d in self.domains:
            dt.append(f"{d.name}. {d.description}")
            dl.append(d.name)
            for c in d.constructs:
                dt.append(f"{c} ({d.name})")
                dl.append(d.name)
        tt = [f"{t.name}. {t.description}" for t in self.themes]
        return dt, dl, tt, [t.id for t in self.themes]


# ------------------------------------------------------------------------------------ loading
def _data(name: str) -> str:
    return resources.files("implmap.charting").joinpath("data", name).read_text("utf-8")


@cache
def _defaults() -> dict[str, Any]:
    tdf = yaml.safe_load(_data("tdf_v2.yaml"))
    maps = yaml.safe_load(_data("mappings.yaml"))
    return {"tdf": tdf, "maps": maps}


@cache
def term_names() -> tuple[str, ...]:
    """Every TDF v2 domain and construct name (for joining names that YAML split at a comma)."""
    tdf = _defaults()["tdf"]
    return tuple(n for d in tdf["domains"] for n in (d["name"], *d["constructs"]))


def _links(raw: Any, where: str) -> list[CombLink]:
    if not isinstance(raw, list):
        raise InputFormatError(f"tdf_to_comb: each domain needs a list of {{component, "
                               f"qualifier}} (or of component names); got {raw!r}", where)
    out = []
    for x in raw:
        if isinstance(x, str):
            out.append(CombLink(x))
        elif isinstance(x, dict) and "component" in x:
            out.append(CombLink(str(x["component"]), str(x.get("qualifier") or "")))
        else:
            raise InputFormatError(f"tdf_to_comb: {x!r} is not a component", where)
    return out


def load_vocabulary(review: ReviewFolder | str | Path | None = None) -> Vocabulary:
    """The charting vocabulary: the shipped defaults, or a review's (its themes and overrides).

    With a review, ``charting/themes.yaml`` gives the themes and ``charting/mappings.yaml``
    (optional) replaces entries of ``tdf_to_comb`` and ``comb_to_functions``. Raises
    :class:`~implmap.errors.InputFormatError` when those files cannot be read; run
    ``implmap check`` for a full report.
    """
    d = _defaults()
    domains = [
        Domain(x["number"], x["name"], x["description"], tuple(x["constructs"]),
               dict(x.get("construct_descriptions") or {}))
        for x in d["tdf"]["domains"]
    ]
    maps = d["maps"]
    tdf_to_comb = {k: _links(v, "mappings.yaml") for k, v in maps["tdf_to_comb"].items()}
    comb_to_functions = {k: list(v) for k, v in maps["comb_to_functions"].items()}
    sources = {"tdf": "implmap (Cane et al. 2012)", "mappings": "implmap defaults"}
    themes: list[Theme] = []
    if review is not None:
        from ..folder import ReviewFolder

        rv = review if isinstance(review, ReviewFolder) else ReviewFolder(review)
        mpath = rv.mappings_path
        if mpath.exists():
            from ..yamlio import load_yaml

            over, _ = load_yaml(mpath)
            over = over or {}
            if not isinstance(over, dict):
                raise InputFormatError("expected a mapping with tdf_to_comb and/or "
                                       "comb_to_functions", mpath)
            for k, v in (over.get("tdf_to_comb") or {}).items():
                tdf_to_comb[k] = _links(v, str(mpath))
            for k, v in (over.get("comb_to_functions") or {}).items():
                comb_to_functions[k] = [str(f) for f in (v or [])]
            sources["mappings"] = f"implmap defaults, overridden by {rv.rel(mpath)}"
        themes = load_themes(rv)
    return Vocabulary(
        domains=domains,
        comb_components=list(maps["comb_components"]),
        intervention_functions=list(maps["intervention_functions"]),
        tdf_to_comb=tdf_to_comb,
        comb_to_functions=comb_to_functions,
        themes=themes,
        sources=sources,
    )


def load_themes(review: ReviewFolder) -> list[Theme]:
    """The theme codebook of the review (empty when it has none)."""
    from pydantic import ValidationError

    from ..yamlio import load_yaml

    path = review.themes_path
    if not path.exists():
        return []
    data, marks = load_yaml(path)
    if data is None:
        return []
    if not isinstance(data, list):
        raise InputFormatError("the codebook must be a list of {id, name, description}", path, 1)
    out = []
    for i, item in enumerate(data):
        try:
            out.append(Theme.model_validate(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InputFormatError(f"theme {i + 1}: {err['msg']}", path,
                                   marks.line((i, *err["loc"]))) from None
    return out
