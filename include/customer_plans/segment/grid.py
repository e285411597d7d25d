"""The 三分 grid: tier band x familiarity gives one of nine groups.

The group code is what is stored; its strategy is the catalogue's words for the code (kind
``grid strategy``), in the reader's language.
"""

from __future__ import annotations

import numpy as np

from customer_plans.rules import Rules
from customer_plans.segment import jsontext as js


def compute_grid(tier_index: np.ndarray, familiarity_index: np.ndarray, rules: Rules
                 ) -> dict[str, object]:
    """The grid group code of each customer.

    ``tier_index`` indexes ``rules.tiers.levels``; ``familiarity_index`` indexes
    ``rules.familiarity.classes``.
    """
    band_of = {tier: band for band, tiers in rules.grid.tier_bands.items() for tier in tiers}
    tier_codes = [level.code for level in rules.tiers.levels]
    familiarity_codes = [c.code for c in rules.familiarity.classes]
    groups = rules.grid.groups
    at = {(g.tier_band, g.familiarity): i for i, g in enumerate(groups)}
    # the rules guarantee one group per (band, familiarity), so every pair finds one
    table = np.array([[at[(band_of[t], f)] for f in familiarity_codes] for t in tier_codes])
    group = table[tier_index, familiarity_index]
    explanation = js.obj({
        "band": js.pick_json([g.tier_band for g in groups], group),
        "group": js.pick_json([g.code for g in groups], group),
    })
    return {
        "grid_group": js.pick([g.code for g in groups], group),
        "_explanation": explanation,
    }
