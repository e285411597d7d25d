"""The fixed code vocabularies of the segments (lifecycle stages, churn levels, tier changes).

The segments table stores these codes; their words are the catalogue's (kinds
``lifecycle stage``, ``churn level``), like those of the tiers, familiarity classes and grid
groups, whose codes come from the rules file.
"""

from __future__ import annotations

# the stages the lifecycle rules decide (segment.lifecycle.LIFECYCLE_RULES maps rule to stage)
LIFECYCLE_STAGES: tuple[str, ...] = (
    "lost", "new", "dormant", "declining", "growing", "potential", "stable",
)

CHURN_LEVELS: tuple[str, ...] = ("low", "medium", "high")

TIER_CHANGES: tuple[str, ...] = ("up", "down", "same", "new")
