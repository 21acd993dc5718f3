"""Deduplication: explainable, reversible grouping of the same work found in several searches."""
