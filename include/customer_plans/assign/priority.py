"""Priority: the level first, then the score (highest first), then the customer id.

The policy, in one place (rules ``assignment.reasons`` levels, ``score_weights``; see
docs/pipeline.md "Priority"):

1. **Level** (1 urgent, 2 important, 3 routine): the best level among the contact's reasons.
   Level 1: money or the relationship at stake today (an open complaint, a maturity today or
   tomorrow, a top-tier customer at high churn risk). Level 2: risks and the bank's promises
   (a maturity on the ladder, a churn risk, every tier's contact cadence, a tier downgrade).
   Level 3: routine (greetings, an upgrade, idle money, follow-ups).
2. **Score** within a level: ``tier points + blend``.

   - ``tier points``: how many tiers lie below the customer's tier (0 for the lowest tier, 4
     for private banking with five tiers; an unknown tier counts as the lowest). The blend
     never reaches 1, so within a level a higher tier always ranks above a lower one: value
     dominates, whatever the other components;
   - ``blend``: the weighted mean (rules ``assignment.score_weights``) of four components in
     0..1, capped at :data:`BLEND_MAX`:

     - ``value`` (``score_value``): the customer's average daily AUM placed on a log scale
       between the tier's threshold and the next one (the top tier's range ends at its
       threshold times the ratio of the top two thresholds);
     - ``urgency``: the most urgent of the contact's reasons (days to maturity on the ladder,
       days past the tier's cadence, else the reason's ``urgency`` in the rules);
     - ``risk``: churn score / 100;
     - ``difficulty``: the MAN difficulty coefficient, easiest (1) = 1, hardest = 0;
       unknown = 0.

So ``floor(score)`` is the tier points and ``score - floor(score)`` the blend: the stored
score and its stored components explain the order exactly. Every component depends on the
customer alone, never on who else is in the batch, so splitting the work by branch never
changes a score. Scores are rounded to six decimals before ranking.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customer_plans.rules import Rules

SCORE_DECIMALS = 6
# the blend's ceiling: below 1 at six decimals, so a blend never reaches the next tier's points
BLEND_MAX = 1.0 - 10.0 ** -SCORE_DECIMALS


def _tier_index(tier_rank: np.ndarray, n_tiers: int) -> np.ndarray:
    """0 for the lowest tier .. n_tiers - 1 for the top (rank 1); unknown = the lowest."""
    rank = np.nan_to_num(np.asarray(tier_rank, dtype="float64"), nan=n_tiers)
    return n_tiers - np.clip(rank, 1, n_tiers).astype(np.int64)


def tier_points(tier_rank: np.ndarray, rules: Rules) -> np.ndarray:
    """How many tiers lie below the customer's: the whole part of the score."""
    return _tier_index(tier_rank, len(rules.tiers.levels))


def value_component(tier_rank: np.ndarray, aum_cny: np.ndarray, rules: Rules) -> np.ndarray:
    """The AUM position within the customer's tier, in 0..1 (log scale from the tier's
    threshold to the next one)."""
    thresholds = np.array([level.min_adb_cny for level in rules.tiers.levels])  # lowest first
    index = _tier_index(tier_rank, len(thresholds))
    lower = thresholds[index]
    # the top tier has no next threshold: extend it by the ratio of the top two (x10 if the
    # second is 0, i.e. only two tiers)
    ratio = thresholds[-1] / thresholds[-2] if thresholds[-2] > 0 else 10.0
    upper_bounds = np.append(thresholds[1:], thresholds[-1] * ratio)
    upper = upper_bounds[index]
    aum = np.maximum(np.nan_to_num(np.asarray(aum_cny, dtype="float64")), 0.0)
    within = (np.log1p(aum) - np.log1p(lower)) / (np.log1p(upper) - np.log1p(lower))
    return np.clip(within, 0.0, 1.0)


def difficulty_component(man_difficulty: np.ndarray, rules: Rules) -> np.ndarray:
    coefficients = list(rules.man.difficulty.values())
    easiest, hardest = min(coefficients), max(coefficients)
    difficulty = np.asarray(man_difficulty, dtype="float64")
    scaled = (hardest - difficulty) / max(hardest - easiest, 1)
    return np.where(np.isfinite(scaled), np.clip(scaled, 0.0, 1.0), 0.0)


def score_contacts(contacts: pd.DataFrame, people: pd.DataFrame, pos: np.ndarray,
                   rules: Rules) -> pd.DataFrame:
    """Add ``score`` (tier points + blend) and the blend's components to one-row-per-customer
    ``contacts`` (``pos``: each contact's row in ``people``)."""
    weights = rules.assignment.score_weights
    tier_rank = people["tier_rank"].to_numpy()[pos]
    value = np.round(value_component(tier_rank, people["aum_adb_cny"].to_numpy()[pos], rules),
                     SCORE_DECIMALS)
    urgency = np.round(np.clip(contacts["urgency"].to_numpy(dtype="float64"), 0.0, 1.0),
                       SCORE_DECIMALS)
    risk = np.round(np.clip(np.nan_to_num(people["churn_score"].to_numpy()[pos]) / 100.0,
                            0.0, 1.0), SCORE_DECIMALS)
    difficulty = np.round(difficulty_component(people["man_difficulty"].to_numpy()[pos], rules),
                          SCORE_DECIMALS)
    total = weights.value + weights.urgency + weights.risk + weights.difficulty
    blend = (weights.value * value + weights.urgency * urgency + weights.risk * risk
             + weights.difficulty * difficulty) / total
    blend = np.minimum(np.round(blend, SCORE_DECIMALS), BLEND_MAX)
    return contacts.assign(
        score=np.round(tier_points(tier_rank, rules) + blend, SCORE_DECIMALS),
        score_value=value,
        score_urgency=urgency,
        score_risk=risk,
        score_difficulty=difficulty,
    )


def priority_order(contacts: pd.DataFrame) -> pd.DataFrame:
    """Contacts sorted by list, level, score (highest first), customer: the rank order.

    ``pos`` (the customer's row in the id-sorted customers) stands for the customer id.
    """
    lists, _ = pd.factorize(contacts["manager_id"].to_numpy(dtype=object), sort=True)
    order = np.lexsort((contacts["pos"].to_numpy(dtype=np.int64),
                        -contacts["score"].to_numpy(dtype="float64"),
                        contacts["priority_level"].to_numpy(), lists))
    return contacts.iloc[order].reset_index(drop=True)
