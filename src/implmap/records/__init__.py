"""Reading RIS and PubMed exports, normalising DOIs, PMIDs and authors, and deduplication."""
