"""Reading RIS and PubMed files: every "lose nothing" case and every bad input, on hand-made
fixtures in tests/fixtures/ris/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rispy

from implmap.errors import InputFormatError
from implmap.records.reader import read_file
from implmap.records.ris import LosslessRisParser

FIX = Path(__file__).resolve().parent / "fixtures" / "ris"

BASIC_FIRST = {
    "TY": ["JOUR"],
    "TI": ["Barriers to exercise referral in primary care: a qualitative study"],
    "AU": ["Okafor, Adaeze", "Lindqvist, Björn", "Nguyen, Thi Mai"],
    "PY": ["2021"],
    "JO": ["Journal of Implementation Studies"],
    "VL": ["12"],
    "IS": ["3"],
    "SP": ["101"],
    "EP": ["112"],
    "DO": ["https://doi.org/10.1234/JIS.2021.0042"],
    "KW": ["exercise referral", "general practice; barriers"],
    "SN": ["1234-5678", "8765-4321"],
    "Z9": ["an unknown tag value", "a second value of the unknown tag"],
    "AB": ["General practitioners described time pressure, unclear referral pathways and "
           "patients' low confidence as the main obstacles."],
}


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("basic.ris", "utf-8"),
        ("bom_crlf.ris", "utf-8 (with byte-order mark)"),
        ("cr_only.ris", "utf-8"),
        ("utf16.ris", "utf-16-le (with byte-order mark)"),
    ],
)
def test_same_records_whatever_the_bom_line_ends_or_encoding(name, encoding):
    pf = read_file(FIX / name)
    assert pf.format == "ris"
    assert pf.encoding == encoding
    assert pf.warnings == []
    assert [r.line for r in pf.records] == [1, 22]
    assert pf.records[0].tags == BASIC_FIRST  # repeated and unknown tags: every value, in order
    assert pf.records[1].tags["AN"] == ["PMID: 31234567"]


def test_rispy_alone_loses_what_we_keep():
    """The reason for our reader: rispy 0.10 keeps one SN and drops the BOM file's record."""
    entries = rispy.load(FIX / "basic.ris", encoding="utf-8")
    assert entries[0]["issn"] == "1234-5678"  # the second SN is gone
    assert len(rispy.load(FIX / "bom_crlf.ris", encoding="utf-8")) == 1  # BOM: first one lost


def test_windows_1252_is_detected_and_reported():
    pf = read_file(FIX / "cp1252.ris")
    assert pf.encoding == "cp1252"
    assert pf.records[0].tags["TI"] == ["Patients’ views on self-management – a café-based survey"]
    assert pf.records[0].tags["AB"] == [
        "Participants named cost (€) and “lack of time” as barriers."]
    (w,) = pf.warnings
    assert w.startswith("cp1252.ris, line 2: ") and "Windows-1252" in w


def test_latin1_text_is_reported_as_windows_1252_when_identical():
    pf = read_file(FIX / "latin1.ris")
    assert pf.records[0].tags["AU"] == ["Lefèvre, Hélène"]
    assert pf.encoding == "cp1252"
    assert "Latin-1 give the same text" in pf.warnings[0]


def test_latin1_with_bytes_windows_1252_lacks():
    pf = read_file(FIX / "latin1_c1.ris")
    assert pf.encoding == "latin-1"
    assert "Latin-1" in pf.warnings[0] and "line 2" in pf.warnings[0]
    assert pf.records[0].tags["AU"] == ["Lefèvre, Hélène"]


def test_preamble_lines_are_skipped_and_each_reported():
    pf = read_file(FIX / "preamble.ris")
    assert len(pf.records) == 1 and pf.records[0].line == 5
    assert [w.split(":")[0] for w in pf.warnings] == [
        "preamble.ris, line 1", "preamble.ris, line 2", "preamble.ris, line 3"]
    assert "Provider: Example Publishing" in pf.warnings[0]


def test_ovid_numbers_and_lines_after_er():
    pf = read_file(FIX / "ovid_numbered.ris")
    assert [r.line for r in pf.records] == [2, 11]
    first = pf.records[0].tags
    assert first["NL"] == ["Link to the full text: http://example.org/ovid?AN=2020-00001-001"]
    assert "ER" not in first
    text = " ".join(pf.warnings)
    assert "record number" in text and "line(s) 1, 10" in text
    assert "'NL'" in text or "tag line" in text


def test_final_record_without_er_is_kept_and_reported():
    pf = read_file(FIX / "no_final_er.ris")
    assert len(pf.records) == 2
    assert pf.records[1].tags["AU"] == ["Kowalski, Jan"]
    assert pf.warnings == [
        "no_final_er.ris, line 5: the last record has no 'ER  -' line; it was kept, ending at "
        "the end of the file"]


def test_spacing_variants():
    pf = read_file(FIX / "spacing_variants.ris")
    assert [r.tags["TY"] for r in pf.records] == [["JOUR"], ["BOOK"]]
    assert pf.records[0].tags["KW"] == ["keyword one"]
    assert pf.records[0].tags["PMID"] == ["30000001"]
    assert pf.records[1].tags["TI"] == ["No space after the dash"]
    assert pf.records[1].tags["PMID"] == ["30000002"]


def test_continuation_lines_and_blank_lines_inside_values():
    (rec,) = read_file(FIX / "continuation.ris").records
    assert rec.tags["TI"] == ["A title that was\nwrapped over two lines"]
    assert rec.tags["AB"] == ["First paragraph of the abstract.\n\nSecond paragraph after a "
                              "blank line."]
    assert rec.tags["KW"] == ["Health Facility Administration\nJoint Commission\n"
                              "Medication Reconciliation"]
    assert rec.tags["N1"] == ["Cited By :9\n\nExport Date: 12 May 2022"]


def test_bare_cr_inside_a_value_is_a_line_break():
    (rec,) = read_file(FIX / "bare_cr.ris").records
    assert rec.tags["AB"] == ["Background. One line.\nMethods. Another line.\nResults. A third."]
    assert rec.tags["PY"] == ["2016"]


def test_pubmed_medline_format():
    pf = read_file(FIX / "pubmed.nbib")
    assert pf.format == "pubmed"
    assert [r.line for r in pf.records] == [1, 26]
    tags = pf.records[0].tags
    assert tags["TI"] == ["Barriers and facilitators to implementing falls prevention in "
                          "community pharmacies: a qualitative study."]
    assert tags["FAU"] == ["Ibrahim, Yusuf", "O'Neill, Siobhán"]
    assert tags["MH"] == ["Accidental Falls/prevention & control", "Pharmacies"]
    assert tags["STAT"] == ["MEDLINE"]


@pytest.mark.parametrize(
    ("name", "looks_like"),
    [
        ("not_ris.csv", "CSV (comma-separated) table"),
        ("fake.pdf", "PDF document"),
        ("binary.bin", "binary file"),
        ("wos_tagged.txt", "Web of Science tagged export (FN/PT/ER"),
        ("empty.ris", "the file is empty"),
        ("blank.ris", "the file is empty"),
        ("bibtex.bib", "BibTeX"),
    ],
)
def test_bad_input_gets_one_clear_error_naming_the_file(name, looks_like):
    with pytest.raises(InputFormatError) as info:
        read_file(FIX / name)
    msg = str(info.value)
    assert msg.startswith(str(FIX / name) + ": ")
    assert looks_like in msg
    assert "RIS" in msg  # says what to do


def test_malformed_record_names_file_and_line():
    with pytest.raises(InputFormatError) as info:
        read_file(FIX / "tag_before_record.ris")
    assert info.value.line == 3
    assert info.value.path == str(FIX / "tag_before_record.ris")
    assert re.search(r"tag_before_record\.ris, line 3: a 'AU  - ' line before the first record",
                     str(info.value))


def test_data_argument_and_no_such_file(tmp_path):
    data = (FIX / "basic.ris").read_bytes()
    assert len(read_file(tmp_path / "named.ris", data=data).records) == 2
    with pytest.raises(InputFormatError, match="no such file"):
        read_file(tmp_path / "absent.ris")


def test_utf16_without_bom_is_guessed_and_reported(tmp_path):
    data = (FIX / "basic.ris").read_text("utf-8").encode("utf-16-le")
    pf = read_file(tmp_path / "x.ris", data=data)
    assert pf.encoding == "utf-16-le" and len(pf.records) == 2
    assert "UTF-16" in pf.warnings[0]


def test_many_skipped_lines_are_summarised_not_lost(tmp_path):
    body = "".join(f"junk line {i}\n" for i in range(150)) + "TY  - JOUR\nTI  - x\nER  - \n"
    pf = read_file(tmp_path / "junk.ris", data=body.encode())
    assert len(pf.warnings) == 101
    assert pf.warnings[99].startswith("junk.ris, line 100: ")
    assert "50 more warning(s)" in pf.warnings[-1] and "lines 101 to 150" in pf.warnings[-1]


def test_big_file_read_in_chunks_keeps_line_numbers(tmp_path, monkeypatch):
    import implmap.records.encoding as encoding

    monkeypatch.setattr(encoding, "CHUNK", 64)  # force many chunks, cut anywhere
    one = (FIX / "continuation.ris").read_text("utf-8")
    text = "\r\n".join([one.replace("\n", "\r\n")] * 40)
    for codec in ("utf-8", "utf-16"):
        pf = read_file(tmp_path / "many.ris", data=text.encode(codec))
        assert len(pf.records) == 40
        assert pf.records[1].line == one.count("\n") + 2
        assert pf.records[0].tags == read_file(FIX / "continuation.ris").records[0].tags
        assert all(r.tags == pf.records[0].tags for r in pf.records)


def test_parser_keeps_rispys_interface():
    text = (FIX / "basic.ris").read_text("utf-8")
    entries = rispy.loads(text, implementation=LosslessRisParser)
    assert entries[0]["SN"] == ["1234-5678", "8765-4321"]
    assert LosslessRisParser().parse_line("TY - JOUR") == ("TY", "JOUR")
    assert LosslessRisParser().parse_line("US - Mexico border") == (None, "US - Mexico border")


def _all_inputs() -> list[Path]:
    from conftest import CORPORA

    files = sorted(p for p in FIX.iterdir() if p.suffix in (".ris", ".nbib"))
    if (CORPORA / "ris").is_dir():
        files += sorted(p for p in (CORPORA / "ris").rglob("*") if p.suffix in (".ris", ".txt"))
    return files


def test_fast_path_reads_exactly_like_the_line_by_line_reading(monkeypatch, tmp_path):
    """Whole plain records are read in one go; that must change nothing, warnings included."""
    import implmap.records.ris as ris

    def read_all(path: Path):
        try:
            pf = read_file(path)
        except InputFormatError as exc:
            return str(exc)
        return [(r.line, r.tags) for r in pf.records], pf.warnings

    inputs = _all_inputs()
    generated = tmp_path / "mixed.ris"
    generated.write_bytes(b"\n".join(p.read_bytes() for p in inputs
                                     if p.suffix == ".ris" and p.read_bytes().isascii()))
    inputs.append(generated)
    fast = {p: read_all(p) for p in inputs}
    monkeypatch.setattr(ris, "_TY_HEAD", re.compile(r"(?!)"))  # never: line by line only
    slow = {p: read_all(p) for p in inputs}
    for p in inputs:
        assert fast[p] == slow[p], p


def test_value_whose_first_line_is_empty(tmp_path):
    data = b"TY  - JOUR\nTI  - \n  continued title\nN1  -\n\nnote after a blank line\nER  - \n"
    (rec,) = read_file(tmp_path / "x.ris", data=data).records
    assert rec.tags == {"TY": ["JOUR"], "TI": ["\ncontinued title"],
                        "N1": ["\n\nnote after a blank line"]}
