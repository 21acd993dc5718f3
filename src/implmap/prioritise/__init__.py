"""Prioritisation: ranking records for screening, the stopping estimate, and simulations."""
