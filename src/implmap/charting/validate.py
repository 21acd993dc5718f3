"""``implmap check`` for charting: the study files, the theme codebook and mapping overrides.

Every problem names its file, line and field (and the finding, as ``record``). Checks: YAML
syntax, the schema (required fields such as a finding's ``type``, allowed values), unknown TDF
domains, constructs and themes, a construct under the wrong domain, duplicate study and finding
IDs, a study whose records are unknown or not included at full text, and an included record that
no study charts.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..errors import InputFormatError, Report
from ..screening import included_records
from ..yamlio import Marks, load_yaml
from .model import Finding, Theme
from .store import loc_field, read_study, report_duplicate_keys
from .vocab import Vocabulary, load_vocabulary, term_names

if TYPE_CHECKING:
    from ..folder import ReviewFolder

__all__ = ["check_charting"]


def _hint(value: str, choices: list[str]) -> str:
    """'; did you mean …?' with the closest choices: same letters in another case, names that
    start with ``value`` (a piece of a name split at its comma), then the most similar."""
    v = str(value).strip().casefold()
    close = [c for c in choices if c.casefold() == v]
    close += [c for c in choices if v and c.casefold().startswith(v) and c not in close]
    close += [c for c in difflib.get_close_matches(str(value), choices, n=3, cutoff=0.6)
              if c not in close]
    if not close:
        return ""
    return "; did you mean " + " or ".join(map(repr, close[:3])) + "?"


def _lenient(raw: Any, i: int) -> Finding | None:
    """A finding that does not fit the schema, with its faulty parts left out (they are
    reported already), so that its tags and ID can still be checked; None for a non-mapping."""
    if not isinstance(raw, dict):
        return None
    data = dict(raw)
    fill = {"id": f"findings[{i}]", "statement": "-", "type": "barrier"}
    for _ in range(len(data) + len(fill) + 1):
        try:
            found = Finding.model_validate(data)
        except ValidationError as exc:
            drop: dict[str, set[int]] = {}
            for err in exc.errors():
                key, *rest = err["loc"] or ("",)
                items = drop.setdefault(str(key), set())
                if rest and isinstance(rest[0], int) and isinstance(data.get(key), list):
                    items.add(rest[0])
                else:
                    items.add(-1)
            for key, items in drop.items():
                if key in fill:
                    data[key] = fill[key]
                elif -1 in items:
                    data.pop(key, None)
                else:
                    data[key] = [x for j, x in enumerate(data[key]) if j not in items]
            continue
        raw_id = raw.get("id")
        if isinstance(raw_id, (str, int)) and str(raw_id).strip():
            found.id = str(raw_id).strip()
        return found
    return None


def _check_themes(review: ReviewFolder, report: Report) -> list[Theme] | None:
    path = review.themes_path
    rel = str(review.rel(path))
    if not path.exists():
        if review.study_files():
            report.add(rel, "the review charts studies but has no theme codebook; "
                       "create it: a list of {id, name, description}", code="no-codebook",
                       severity="warning")
        return []
    try:
        data, marks = load_yaml(path)
    except InputFormatError as exc:
        report.add(rel, exc.reason, line=exc.line, code="yaml-syntax")
        return None
    for loc, line, first in marks.duplicates:
        report.add(rel, f"key {loc[-1]!r} is given twice (first on line {first}); "
                   "YAML keeps only the last value: remove one", line=line,
                   field=str(loc[-1]), code="duplicate-key")
    if data is None:
        return []
    if not isinstance(data, list):
        report.add(rel, "the codebook must be a list of {id, name, description}",
                   line=1, code="invalid-codebook")
        return None
    out: list[Theme] = []
    seen: dict[str, int | None] = {}
    for i, item in enumerate(data):
        try:
            theme = Theme.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                loc = (i, *err["loc"])
                report.add(rel, f"theme {i + 1}: {err['msg']}", line=marks.line(loc),
                           field=".".join(map(str, err["loc"])) or None, code="invalid-theme")
            continue
        if theme.id in seen:
            report.add(rel, f"duplicate theme ID {theme.id!r} (first on line "
                       f"{seen[theme.id]})", line=marks.line((i, "id")), field="id",
                       code="duplicate-theme")
        seen[theme.id] = marks.line((i, "id"))
        out.append(theme)
    return out


def _check_mappings(review: ReviewFolder, vocab: Vocabulary, report: Report) -> None:
    path = review.mappings_path
    rel = str(review.rel(path))
    if not path.exists():
        return
    try:
        data, marks = load_yaml(path, names=term_names())
    except InputFormatError as exc:
        report.add(rel, exc.reason, line=exc.line, code="yaml-syntax")
        return
    report_duplicate_keys(report, rel, marks)
    if data is None:
        return
    if not isinstance(data, dict):
        report.add(rel, "expected a mapping with tdf_to_comb and/or comb_to_functions",
                   line=1, code="invalid-mappings")
        return
    for key in data:
        if key not in ("tdf_to_comb", "comb_to_functions"):
            report.add(rel, f"unknown key {key!r}; expected tdf_to_comb or "
                       "comb_to_functions", line=marks.line((key,)), field=str(key),
                       code="invalid-mappings")
    for dom, links in (data.get("tdf_to_comb") or {}).items():
        loc = ("tdf_to_comb", dom)
        if dom not in vocab.domain_names:
            report.add(rel, f"unknown TDF domain {dom!r}"
                       + _hint(str(dom), vocab.domain_names), line=marks.line(loc),
                       field=f"tdf_to_comb.{dom}", code="unknown-domain")
        for j, link in enumerate(links if isinstance(links, list) else [links]):
            comp = link.get("component") if isinstance(link, dict) else link
            if comp not in vocab.comb_components:
                report.add(rel, f"unknown COM-B component {comp!r}; valid: "
                           + ", ".join(vocab.comb_components), line=marks.line((*loc, j)),
                           field=f"tdf_to_comb.{dom}", code="unknown-component")
    for comp, funcs in (data.get("comb_to_functions") or {}).items():
        loc = ("comb_to_functions", comp)
        if comp not in vocab.comb_components:
            report.add(rel, f"unknown COM-B component {comp!r}; valid: "
                       + ", ".join(vocab.comb_components), line=marks.line(loc),
                       field=f"comb_to_functions.{comp}", code="unknown-component")
        for j, f in enumerate(funcs if isinstance(funcs, list) else [funcs]):
            if f not in vocab.intervention_functions:
                report.add(rel, f"unknown intervention function {f!r}; valid: "
                           + ", ".join(vocab.intervention_functions),
                           line=marks.line((*loc, j)), field=f"comb_to_functions.{comp}",
                           code="unknown-function")


def _check_terms(sid: str, findings: list[tuple[int, Finding]], marks: Marks, rel: str,
                 vocab: Vocabulary, themes: list[str] | None, themes_file: str,
                 reviewers: set[str], report: Report) -> None:
    names = vocab.domain_names
    seen_f: dict[str, int | None] = {}
    for i, f in findings:
        floc = ("findings", i)

        def add(msg: str, loc: tuple[Any, ...], code: str, severity: str = "error",
                fid: str = f.id) -> None:
            report.add(rel, msg, line=marks.line(loc), field=loc_field(loc), record=fid,
                       code=code, severity=severity)

        if f.id in seen_f:
            add(f"duplicate finding ID {f.id!r} in study {sid} (first on line "
                f"{seen_f[f.id]}); give each finding its own ID", (*floc, "id"),
                "duplicate-finding")
        else:
            seen_f[f.id] = marks.line((*floc, "id"))
        seen_d: set[str] = set()
        for j, tag in enumerate(f.tdf):
            tloc = (*floc, "tdf", j)
            if tag.domain not in names:
                add(f"unknown TDF domain {tag.domain!r}" + _hint(tag.domain, names)
                    + " (see `implmap vocabulary`)", (*tloc, "domain"), "unknown-domain")
                continue
            if tag.domain in seen_d:
                add(f"TDF domain {tag.domain!r} is listed twice; merge its constructs",
                    (*tloc, "domain"), "duplicate-domain")
            seen_d.add(tag.domain)
            own = vocab.domain(tag.domain).constructs
            for k, c in enumerate(tag.constructs):
                if c in own:
                    continue
                elsewhere = vocab.domains_of_construct(c)
                if elsewhere:
                    add(f"construct {c!r} belongs to {' and '.join(map(repr, elsewhere))}, "
                        f"not to {tag.domain!r}; move it under that domain",
                        (*tloc, "constructs", k), "construct-wrong-domain")
                else:
                    all_c = [x for d in vocab.domains for x in d.constructs]
                    add(f"unknown construct {c!r} in {tag.domain!r}" + _hint(c, list(own)
                        or all_c) + f"; constructs of this domain: {', '.join(own)}",
                        (*tloc, "constructs", k), "unknown-construct")
        if themes is not None:
            for j, t in enumerate(f.themes):
                if t not in themes:
                    add(f"unknown theme {t!r}" + _hint(t, themes) + f"; themes in "
                        f"{themes_file}: {', '.join(themes) or '(none)'}",
                        (*floc, "themes", j), "unknown-theme")
        for coder, coding in (f.coding or {}).items():
            cloc = (*floc, "coding", coder)
            if reviewers and coder not in reviewers:
                add(f"coder {coder!r} is not a reviewer in implmap.yaml", cloc,
                    "unknown-coder", "warning")
            for j, d in enumerate(coding.domains):
                if d not in names:
                    add(f"unknown TDF domain {d!r} in {coder}'s coding" + _hint(d, names),
                        (*cloc, "domains", j), "unknown-domain")
            if themes is not None:
                for j, t in enumerate(coding.themes):
                    if t not in themes:
                        add(f"unknown theme {t!r} in {coder}'s coding" + _hint(t, themes),
                            (*cloc, "themes", j), "unknown-theme")
        for j, who in enumerate(f.coded_by):
            if reviewers and who not in reviewers:
                add(f"coded_by {who!r} is not a reviewer in implmap.yaml",
                    (*floc, "coded_by", j), "unknown-coder", "warning")


def check_charting(review: ReviewFolder, report: Report) -> None:
    """The charting checker of ``implmap check`` (registered in :data:`implmap.checks.CHECKERS`)."""
    if not review.charting_dir.is_dir():
        return
    files = review.study_files()
    vocab = load_vocabulary()
    theme_list = _check_themes(review, report)
    themes = None if theme_list is None else [t.id for t in theme_list]
    themes_file = str(review.rel(review.themes_path))
    _check_mappings(review, vocab, report)
    try:
        reviewers = {r.id for r in review.manifest.reviewers}
    except Exception:  # the manifest checker reports a broken manifest
        reviewers = set()
    try:
        known = {r["id"] for r in review.record_dicts()}
    except Exception:  # the searches checker reports broken record files
        known = set()
    try:
        inc = set(included_records(review))
    except Exception:  # the screening checker reports broken decision logs
        inc = set()
    charted: dict[str, str] = {}
    seen_ids: dict[str, str] = {}
    for path in files:
        rel = str(review.rel(path))
        study, marks, data = read_study(path, report, rel)
        if marks is None or not isinstance(data, dict):
            continue
        if study is not None:
            sid, records = study.id, list(study.records)
            findings = list(enumerate(study.findings))
        else:  # the schema errors are reported; check what can still be checked
            sid = str(data.get("id") or path.stem)
            raw_records = data.get("records")
            records = [r for r in raw_records if isinstance(r, str)] if isinstance(
                raw_records, list) else []
            raw_findings = data.get("findings")
            findings = [(i, f) for i, raw in enumerate(
                raw_findings if isinstance(raw_findings, list) else [])
                if (f := _lenient(raw, i)) is not None]
        if sid != path.stem:
            report.add(rel, f"study ID {sid!r} differs from the file name; name the file "
                       f"{sid}.yaml", line=marks.line(("id",)), field="id",
                       code="study-id-file")
        if sid in seen_ids:
            report.add(rel, f"duplicate study ID {sid!r} (also in {seen_ids[sid]})",
                       line=marks.line(("id",)), field="id", code="duplicate-study")
        seen_ids[sid] = rel
        for j, rid in enumerate(records):
            loc = ("records", j)
            if known and rid not in known:
                report.add(rel, f"record {rid!r} is not in any imported search",
                           line=marks.line(loc), field=f"records[{j}]", record=rid,
                           code="unknown-record")
            elif inc is not None and rid not in inc:
                report.add(rel, f"record {rid!r} is not included at full text; chart only "
                           "included records (or finish screening it)", line=marks.line(loc),
                           field=f"records[{j}]", record=rid, code="record-not-included")
            if rid in charted and charted[rid] != rel:
                report.add(rel, f"record {rid!r} is charted by {charted[rid]} as well; a "
                           "report belongs to one study", line=marks.line(loc),
                           field=f"records[{j}]", record=rid, code="record-two-studies")
            charted.setdefault(rid, rel)
        _check_terms(sid, findings, marks, rel, vocab, themes, themes_file, reviewers, report)
    studies_dir = str(review.rel(review.studies_dir))
    for rid in sorted(inc - set(charted)):
        report.add(studies_dir, f"record {rid} is included at full text but no study "
                   f"charts it; add it to a study's records (or create "
                   f"{studies_dir}/<study-id>.yaml)", record=rid, code="included-not-charted",
                   severity="warning")  # charting takes weeks: not yet charted is no error
