"""Normalised fields from raw tags: DOIs and PMIDs wherever databases hide them."""

from __future__ import annotations

from pathlib import Path

import pytest

from implmap.records.normalise import normalise, normalise_doi
from implmap.records.reader import read_file

FIX = Path(__file__).resolve().parent / "fixtures" / "ris"


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("10.1000/ABC.1", "10.1000/abc.1"),
        ("https://doi.org/10.1000/ABC.1", "10.1000/abc.1"),
        ("http://dx.doi.org/10.1002/cpp.2398", "10.1002/cpp.2398"),
        ("doi:10.1000/x-1", "10.1000/x-1"),
        ("DOI: 10.1000/x-1", "10.1000/x-1"),
        ("See doi: 10.1000/N1.777.", "10.1000/n1.777"),
        ("10.1016/S0140-6736(20)30183-5 [doi]", "10.1016/s0140-6736(20)30183-5"),
        ("(doi:10.1000/in-brackets)", "10.1000/in-brackets"),
        ("https://x.org/r?eid=2&doi=10.15598%2faeee.v16i3.2698&partnerID=40",
         "10.15598/aeee.v16i3.2698"),
        ("10.1002/(SICI)1097-4679(199810)54:6<847::AID-JCLP12>3.0.CO;2-C",
         "10.1002/(sici)1097-4679(199810)54:6<847::aid-jclp12>3.0.co;2-c"),
        ("no doi here", ""),
        ("10.12/too-short-registrant", ""),
    ],
)
def test_normalise_doi(text, doi):
    assert normalise_doi(text) == doi


@pytest.mark.parametrize(
    ("tags", "doi"),
    [
        ({"TY": ["JOUR"], "DO": ["https://doi.org/10.1000/A"]}, "10.1000/a"),
        ({"TY": ["JOUR"], "UR": ["http://dx.doi.org/10.1000/B"]}, "10.1000/b"),
        ({"TY": ["JOUR"], "L2": ["https://e.org/?doi=10.1000%2FC&x=1"]}, "10.1000/c"),
        ({"TY": ["JOUR"], "M3": ["doi:10.1000/D"]}, "10.1000/d"),
        ({"TY": ["JOUR"], "N1": ["published as 10.1000/E"]}, "10.1000/e"),
        ({"TY": ["JOUR"], "AB": ["... https://doi.org/10.1000/F."]}, "10.1000/f"),
        ({"TY": ["JOUR"], "DO": [""], "UR": ["https://doi.org/10.1000/G"]}, "10.1000/g"),
        ({"TY": ["JOUR"], "DO": ["10.1000/first"], "UR": ["https://doi.org/10.1000/x"]},
         "10.1000/first"),
    ],
)
def test_doi_found_in_each_place(tags, doi):
    assert normalise(tags)["doi"] == doi


@pytest.mark.parametrize(
    ("tags", "pmid"),
    [
        ({"TY": ["JOUR"], "PMID": ["33355555"]}, "33355555"),
        ({"TY": ["JOUR"], "AN": ["PMID: 31234567"]}, "31234567"),
        ({"TY": ["JOUR"], "M1": ["pmid:1234"]}, "1234"),
        ({"TY": ["JOUR"], "C2": ["31627144"]}, "31627144"),
        ({"TY": ["JOUR"], "U1": ["PubMed ID 7654321"]}, "7654321"),
        ({"TY": ["JOUR"], "ID": ["29459515"], "DP": ["NLM"]}, "29459515"),
        ({"TY": ["JOUR"], "AN": ["21553931"], "DB": ["MEDLINE"]}, "21553931"),
        # reference-manager IDs and accession numbers are not PMIDs
        ({"TY": ["JOUR"], "ID": ["7"]}, ""),
        ({"TY": ["JOUR"], "AN": ["01611111"]}, ""),
        ({"TY": ["JOUR"], "AN": ["rayyan-264552525"]}, ""),
        ({"TY": ["JOUR"], "M1": ["1008150341"]}, ""),
    ],
)
def test_pmid_found_in_each_place(tags, pmid):
    assert normalise(tags)["pmid"] == pmid


def test_ris_fields():
    rec = read_file(FIX / "basic.ris").records[0]
    fields = normalise(rec.tags)
    assert fields == {
        "type": "JOUR",
        "title": "Barriers to exercise referral in primary care: a qualitative study",
        "authors": ["Okafor, Adaeze", "Lindqvist, Björn", "Nguyen, Thi Mai"],
        "year": "2021",
        "journal": "Journal of Implementation Studies",
        "volume": "12",
        "issue": "3",
        "pages": "101-112",
        "doi": "10.1234/jis.2021.0042",
        "pmid": "",
        "abstract": rec.tags["AB"][0],
        "keywords": ["exercise referral", "general practice", "barriers"],
        "urls": [],
    }


def test_wrapped_values_are_joined_in_fields_but_kept_raw():
    (rec,) = read_file(FIX / "continuation.ris").records
    fields = normalise(rec.tags)
    assert fields["title"] == "A title that was wrapped over two lines"
    assert fields["keywords"] == ["Health Facility Administration", "Joint Commission",
                                  "Medication Reconciliation"]
    assert "\n" in rec.tags["TI"][0]


def test_fallbacks_and_odd_values():
    f = normalise({"TY": ["JOUR"], "TI": [""], "T1": ["Primary title"], "Y1": ["2019//"],
                   "JA": ["J Abbr"], "VO": ["7"], "SP": ["12-19"], "EP": ["19"],
                   "A1": ["B"], "AU": ["A", "B"]})
    assert f["title"] == "Primary title"
    assert f["year"] == "2019"
    assert f["journal"] == "J Abbr"
    assert f["volume"] == "7"
    assert f["pages"] == "12-19"
    assert f["authors"] == ["A", "B"]
    assert normalise({"TY": ["JOUR"], "DA": ["circa 1987/01"]})["year"] == "1987"
    assert normalise({"TY": ["JOUR"], "PY": ["12345"]})["year"] == ""


def test_pubmed_fields():
    pf = read_file(FIX / "pubmed.nbib")
    f = normalise(pf.records[0].tags)
    assert f["type"] == "JOUR"
    assert f["authors"] == ["Ibrahim, Yusuf", "O'Neill, Siobhán"]
    assert f["year"] == "2019"
    assert f["journal"] == "Journal of Pharmacy Implementation"
    assert (f["volume"], f["issue"], f["pages"]) == ("8", "2", "45-52")
    assert f["doi"] == "10.1000/falls.2019.3"
    assert f["pmid"] == "31000001"
    assert f["keywords"] == ["implementation", "Accidental Falls/prevention & control",
                             "Pharmacies"]
