"""The registry of validation problem codes: every :class:`~implmap.errors.Problem` that
``implmap check`` (or any other validation) reports carries one of these codes.

Each code names one kind of problem, says what it means and what to do about it; the table is
documented in ``docs/reference/problems.md`` (a test keeps the two the same). Codes are stable:
scripts may filter on them (``implmap check --json``). Add a code here, in the section of the
part of implmap that reports it, before using it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CODES", "ProblemCode", "describe", "markdown_table"]


@dataclass(frozen=True)
class ProblemCode:
    """One kind of validation problem: its code, what it means, and what to do about it."""

    code: str
    meaning: str
    fix: str


def _codes(*items: tuple[str, str, str]) -> dict[str, ProblemCode]:
    return {c: ProblemCode(c, meaning, fix) for c, meaning, fix in items}


CODES: dict[str, ProblemCode] = {
    # -- any file -------------------------------------------------------------------------
    **_codes(
        ("invalid", "a value that does not fit the schema (the message says which and why)",
         "correct the value the message names"),
        ("yaml-syntax", "a YAML file that cannot be parsed", "fix the syntax at the line named"),
        ("duplicate-key", "a YAML mapping that names the same key twice",
         "keep one of the two keys"),
        ("malformed-line", "a JSON-lines log line that is not valid UTF-8, not JSON or not a "
         "JSON object (often a write cut short by a crash or a full disk)",
         "nothing to do for a cut-short last line; otherwise restore the file from git"),
        ("merge-conflict", "a git conflict marker (<<<<<<<, ======= or >>>>>>>) left in a log "
         "or YAML file by a merge", "keep the lines of both sides in a log, choose the right "
         "lines in a YAML file, delete the marker lines; then set up the review's "
         ".gitattributes so that logs merge as unions"),
        ("repeated-line", "a log line written twice, exactly (what a git union merge of a line "
         "both sides had gives); a warning when the repeat changes nothing, an error when it "
         "changes which decision counts", "delete the repeated line"),
    ),
    # -- the manifest and the searches (implmap.checks) ------------------------------------
    **_codes(
        ("manifest-unreadable", "implmap.yaml is missing, not YAML, or not a mapping",
         "restore it from git, or fix the syntax at the line named"),
        ("invalid-manifest", "a manifest field that does not fit the manifest schema",
         "correct the field named in implmap.yaml"),
        ("unknown-role", "a reviewer whose role is none of reviewer (screens), third (the "
         "arbiter, who resolves conflicts) and coder (charts); a misspelt role would silently "
         "change how records are screened", "correct the role named in implmap.yaml"),
        ("search-no-provenance", "a search folder without its search.yaml",
         "import the export file again"),
        ("invalid-provenance", "a search.yaml that does not fit the provenance schema",
         "restore it from git, or import the export file again"),
        ("raw-export-missing", "the export file a search was imported from is gone",
         "restore it from git"),
        ("raw-export-changed", "the export file differs from the bytes that were imported "
         "(its sha256 changed)", "restore it from git"),
        ("records-missing", "a search folder without its records.jsonl",
         "import the export file again"),
        ("invalid-record", "a parsed record that does not fit the record schema",
         "import the export file again (records.jsonl is written by implmap)"),
        ("duplicate-record-id", "one record ID in two searches", "import the files again"),
        ("record-wrong-search", "a record that names another search than its folder",
         "import the export file again"),
        ("record-count", "search.yaml counts another number of records than records.jsonl "
         "holds", "import the export file again"),
    ),
    # -- deduplication (implmap.dedupe) ----------------------------------------------------
    **_codes(
        ("dedupe-invalid-group", "a line of dedupe/groups.jsonl without two or more members, "
         "with a primary that is not a member, or with evidence that is not a list",
         "re-run dedupe (the file is regenerated; decisions are kept)"),
        ("dedupe-record-two-groups", "one record in two duplicate groups",
         "re-run dedupe (the file is regenerated; decisions are kept)"),
        ("dedupe-invalid-pair", "an uncertain pair that is not two different record IDs",
         "re-run dedupe (the file is regenerated)"),
        ("dedupe-stale-record", "a group or uncertain pair naming a record the review no "
         "longer holds (a search was removed or re-imported)", "re-run dedupe"),
        ("dedupe-invalid-decision", "a decision whose action is not merge, keep_apart or undo, "
         "or that does not name two different records", "restore the line from git, or decide "
         "the pair again"),
        ("dedupe-unknown-record", "a people's decision naming a record the review does not hold "
         "(was its search removed?)", "restore the search, or leave it: the decision is skipped"),
    ),
    # -- screening (implmap.screening) -----------------------------------------------------
    **_codes(
        ("unknown-stage", "a log for a stage the manifest does not list",
         "add the stage to the manifest or move the log"),
        ("unknown-reviewer", "a decision by a reviewer the manifest does not list",
         "add the reviewer to the manifest"),
        ("unknown-record", "a record ID that no search of the review holds",
         "re-import the search that holds it, or withdraw the decision"),
        ("log-missing-field", "a decision, resolution or retrieval line without a field its "
         "format requires", "restore the line from git, or record the decision again"),
        ("log-unexpected-field", "a log line with a field its format does not know (a "
         "warning: the field is ignored)", "remove the field, or leave it"),
        ("log-invalid-time", "a log line whose time is not an ISO 8601 date-time",
         "restore the line from git (implmap writes the time itself)"),
        ("log-wrong-reviewer", "a line in one reviewer's log that names another reviewer",
         "move the line to the log of the reviewer it names"),
        ("log-wrong-stage", "a line in one stage's log that names another stage",
         "move the line to the log of the stage it names"),
        ("record-not-screened", "a decision on a record that is not screened at its stage (a "
         "duplicate, or not passed on by the stage before); a warning: the line is ignored",
         "nothing, or withdraw the decision"),
        ("invalid-decision", "a decision that is not include, exclude or maybe",
         "record the decision again"),
        ("unknown-reason", "an exclusion reason the manifest's exclusion_reasons do not list",
         "add the reason to exclusion_reasons in implmap.yaml, or record the decision again"),
        ("reason-not-exclude", "an exclusion reason on a decision that is not exclude",
         "record the decision again without the reason"),
        ("reason-required", "an exclude without a reason at a stage whose exclusions need one",
         "record the exclusion again with one of the manifest's exclusion_reasons"),
        ("invalid-note", "a note that is not text", "record the decision again"),
        ("resolution-no-reviewers", "a resolution that does not list who resolved it",
         "resolve the conflict again, naming who decided"),
        ("invalid-method", "a resolution method other than third_reviewer or consensus",
         "resolve the conflict again with one of the two methods"),
        ("invalid-retrieval-status", "a retrieval status other than retrieved or "
         "not_retrieved", "record the retrieval status again"),
        ("full-text-missing", "a full-text file in force that is not there any more",
         "restore it, or record the retrieval again with its new place"),
        ("full-text-outside", "a full-text file outside the review folder and the "
         "full_text_library (a path such as ../../etc/passwd, or a link pointing out)",
         "copy the file into the review folder and record the retrieval again"),
        ("retrieval-contradiction", "a report marked not retrieved that has a full-text "
         "decision or resolution (PRISMA cannot count it)", "mark it retrieved if it was "
         "assessed, or withdraw the full-text decisions if it was never read"),
    ),
    # -- charting (implmap.charting) -------------------------------------------------------
    **_codes(
        ("invalid-study", "a study file that does not fit the study schema",
         "correct the field named"),
        ("missing-type", "a finding without its type", "say 'barrier' or 'facilitator'"),
        ("empty-statement", "a finding whose statement is missing or empty",
         "write the finding in your own words"),
        ("empty-citation", "a study whose citation is missing or empty",
         "give the study's reference"),
        ("invalid-field", "a study field that is missing, unknown or of the wrong kind",
         "correct the field named (implmap schema shows the study schema)"),
        ("unknown-domain", "a TDF domain that TDF v2 does not name",
         "use one of the 14 domains (implmap vocab domains)"),
        ("unknown-component", "a COM-B component that the model does not name",
         "use one of the six COM-B components"),
        ("unknown-function", "an intervention function the Behaviour Change Wheel does not name",
         "use one of the nine intervention functions"),
        ("invalid-theme", "a codebook theme entry that does not fit its schema",
         "correct the entry named"),
        ("unknown-theme", "a theme reference that the codebook does not hold",
         "add the theme to charting/themes.yaml or correct the reference"),
        ("duplicate-finding", "two findings of one study with one ID",
         "give each finding its own ID"),
        ("duplicate-domain", "a TDF domain listed twice on one finding",
         "merge its constructs under one entry"),
        ("unknown-construct", "a construct that TDF v2 does not name",
         "use a construct of the domain (implmap vocabulary)"),
        ("construct-wrong-domain", "a construct placed under a domain it does not belong to",
         "move it under its own domain"),
        ("unknown-coder", "a coder who is not a reviewer in the manifest",
         "add them to implmap.yaml or correct the name"),
        ("no-codebook", "findings carry themes but the review has no charting/themes.yaml",
         "create it: a list of {id, name, description}"),
        ("invalid-codebook", "a theme codebook that does not fit its schema",
         "correct the entry named"),
        ("duplicate-theme", "two codebook entries with one ID", "give each theme its own ID"),
        ("invalid-mappings", "charting/mappings.yaml does not fit the mapping schema",
         "correct the entry named"),
        ("duplicate-study", "two study files with one study ID", "give each study its own ID"),
        ("study-id-file", "a study whose ID differs from its file name",
         "rename the file or the ID"),
        ("record-two-studies", "one record charted by two studies",
         "keep the record in one study"),
        ("record-not-included", "a study that charts a record not included at full text",
         "include the record, or remove it from the study"),
        ("included-not-charted", "a record included at full text that no study charts",
         "chart it (a warning while charting is under way)"),
        ("coding-in-study-file", "coders' own tags kept inside a study file (a finding's "
         "`coding`, the older layout), where every coder sees them (a warning)",
         "move them to the coders' own logs with `implmap chart migrate`"),
    ),
}


def describe(code: str) -> ProblemCode:
    """The registered meaning of ``code`` (``KeyError`` naming the known codes otherwise)."""
    try:
        return CODES[code]
    except KeyError:
        raise KeyError(f"unknown problem code {code!r}; register it in implmap.problems "
                       f"(known: {', '.join(sorted(CODES))})") from None


def markdown_table() -> str:
    """The registry as the Markdown table of ``docs/reference/problems.md``."""
    rows = ["| code | meaning | what to do |", "| --- | --- | --- |"]
    rows += [f"| `{c.code}` | {c.meaning} | {c.fix} |" for c in CODES.values()]
    return "\n".join(rows) + "\n"
