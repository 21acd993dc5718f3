"""Records: reading search exports, normalising them, importing them into a review, exporting.

* :mod:`.reader` (with :mod:`.encoding`, :mod:`.ris`, :mod:`.pubmed`) — ``read_file``,
  ``stream_file``: any RIS or PubMed export, every tag kept, in any encoding;
* :mod:`.normalise` — ``normalise``: one parsed record to a :class:`~.model.Record` (DOI, PMID,
  authors, year, pages cleaned);
* :mod:`.importer` — ``import_file``, ``import_files``: the import transaction (all or nothing);
* :mod:`.export` — ``export_records``, ``records_frame``: RIS, CSV and a pandas table;
* :mod:`.links` — ``doi_url``, ``safe_url``: links that pages may show.

The names load on first use (importing the package loads none of its modules).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .export import export_records, records_frame, records_to_csv, records_to_ris
    from .importer import ImportResult, import_file, import_files
    from .links import doi_url, safe_url
    from .model import RECORD_FIELDS, ParsedFile, ParsedRecord, Record, Search
    from .normalise import find_doi, normalise, normalise_doi
    from .reader import StreamedFile, read_file, stream_file

__all__ = [
    "RECORD_FIELDS", "ImportResult", "ParsedFile", "ParsedRecord", "Record", "Search",
    "StreamedFile", "doi_url", "export_records", "find_doi", "import_file", "import_files",
    "normalise", "normalise_doi", "read_file", "records_frame", "records_to_csv",
    "records_to_ris", "safe_url", "stream_file",
]

__getattr__, __dir__ = lazy_names(__name__)
