"""Charting: studies, findings, TDF / COM-B / BCW vocabularies, validation, suggestions."""
