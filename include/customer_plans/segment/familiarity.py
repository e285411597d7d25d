"""Familiarity (熟悉程度): reached manager contacts AND profile completeness, never one alone."""

from __future__ import annotations

import numpy as np

from customer_plans.rules import Rules
from customer_plans.segment import jsontext as js
from customer_plans.segment.inputs import Inputs


def compute_familiarity(inputs: Inputs, rules: Rules) -> dict[str, object]:
    """The first class (top first) whose contact AND completeness minimums are both met.

    The inputs are stored as columns (``reached_contacts_90d``, ``profile_completeness``);
    the explanation names the class and the minimums it met.
    """
    classes = rules.familiarity.classes
    reached = inputs.base["reached_contacts_90d"].to_numpy()
    completeness = np.round(inputs.base["profile_completeness"].to_numpy(), 4)
    conditions = [
        (reached >= c.min_reached_contacts) & (completeness >= c.min_profile_completeness)
        for c in classes
    ]
    # the last class needs nothing (checked when the rules load), so every customer gets one
    chosen = np.select(conditions, np.arange(len(classes)), default=len(classes) - 1)
    codes = [c.code for c in classes]
    explanation = js.obj({
        "class": js.pick_json(codes, chosen),
        "min_profile_completeness": js.pick(
            [str(c.min_profile_completeness) for c in classes], chosen),
        "min_reached_contacts": js.pick([str(c.min_reached_contacts) for c in classes], chosen),
    })
    return {
        "familiarity": js.pick(codes, chosen),
        "reached_contacts_90d": reached.astype(np.int64),
        "profile_completeness": completeness,
        "_familiarity_index": chosen,
        "_explanation": explanation,
    }
