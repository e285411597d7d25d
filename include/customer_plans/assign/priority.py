"""Priority: hard levels first, then a score within a level, then the customer id.

The score is a weighted sum (rules ``assignment.score_weights``) of four components in 0..1:

- ``value``: tier and AUM. Each tier owns an equal slice of 0..1 (top tier highest); within
  it the customer's average daily AUM places them on a log scale between the tier's threshold
  and the next one (the top tier's slice ends at its threshold times the ratio of the top two
  thresholds);
- ``urgency``: the most urgent of the contact's reasons (days to maturity on the ladder, days
  past the tier's cadence, else the reason's ``urgency`` in the rules);
- ``risk``: churn score / 100;
- ``difficulty``: the MAN difficulty coefficient, easiest (1) = 1, hardest = 0; unknown = 0.

Every component depends on the customer alone, never on who else is in the batch, so
splitting the work by branch never changes a score. Scores are rounded to six decimals
before ranking, so the stored score explains the order exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customer_plans.rules import Rules

SCORE_DECIMALS = 6


def value_component(tier_rank: np.ndarray, aum_cny: np.ndarray, rules: Rules) -> np.ndarray:
    """Tier slice plus the AUM position within the tier, in 0..1."""
    thresholds = np.array([level.min_adb_cny for level in rules.tiers.levels])  # lowest first
    n_tiers = len(thresholds)
    rank = np.nan_to_num(np.asarray(tier_rank, dtype="float64"), nan=n_tiers)
    rank = np.clip(rank, 1, n_tiers).astype(np.int64)
    index = n_tiers - rank  # 0 = lowest tier
    lower = thresholds[index]
    # the top tier has no next threshold: extend it by the ratio of the top two (x10 if the
    # second is 0, i.e. only two tiers)
    ratio = thresholds[-1] / thresholds[-2] if thresholds[-2] > 0 else 10.0
    upper_bounds = np.append(thresholds[1:], thresholds[-1] * ratio)
    upper = upper_bounds[index]
    aum = np.maximum(np.nan_to_num(np.asarray(aum_cny, dtype="float64")), 0.0)
    within = (np.log1p(aum) - np.log1p(lower)) / (np.log1p(upper) - np.log1p(lower))
    return (index + np.clip(within, 0.0, 1.0)) / n_tiers


def difficulty_component(man_difficulty: np.ndarray, rules: Rules) -> np.ndarray:
    coefficients = list(rules.man.difficulty.values())
    easiest, hardest = min(coefficients), max(coefficients)
    difficulty = np.asarray(man_difficulty, dtype="float64")
    scaled = (hardest - difficulty) / max(hardest - easiest, 1)
    return np.where(np.isfinite(scaled), np.clip(scaled, 0.0, 1.0), 0.0)


def score_contacts(contacts: pd.DataFrame, people: pd.DataFrame, pos: np.ndarray,
                   rules: Rules) -> pd.DataFrame:
    """Add ``score`` and its components to one-row-per-customer ``contacts`` (``pos``: each
    contact's row in ``people``)."""
    weights = rules.assignment.score_weights
    value = value_component(people["tier_rank"].to_numpy()[pos],
                            people["aum_adb_cny"].to_numpy()[pos], rules)
    urgency = np.clip(contacts["urgency"].to_numpy(dtype="float64"), 0.0, 1.0)
    risk = np.clip(np.nan_to_num(people["churn_score"].to_numpy()[pos]) / 100.0, 0.0, 1.0)
    difficulty = difficulty_component(people["man_difficulty"].to_numpy()[pos], rules)
    score = (weights.value * value + weights.urgency * urgency + weights.risk * risk
             + weights.difficulty * difficulty)
    return contacts.assign(
        score=np.round(score, SCORE_DECIMALS),
        score_value=np.round(value, SCORE_DECIMALS),
        score_urgency=np.round(urgency, SCORE_DECIMALS),
        score_risk=np.round(risk, SCORE_DECIMALS),
        score_difficulty=np.round(difficulty, SCORE_DECIMALS),
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
