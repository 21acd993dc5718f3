"""Screening: decision logs, conflicts, resolution, agreement, PRISMA counts, ranking, stopping."""
