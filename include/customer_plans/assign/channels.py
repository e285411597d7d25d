"""The channel of a contact: by the purpose of its most urgent reason, and the customer's wishes.

Rules ``assignment.channels`` give each reason a channel:

- a channel name (``phone``, ``visit``, ...): that channel;
- ``preferred``: the customer's preferred channel when it is a known channel, else the first
  call channel;
- ``message``: the preferred channel when it is a message channel, else
  ``default_message_channel``;
- ``previous`` (carried-over contacts): the channel planned before, when known, else the
  first call channel.

The contact's most urgent reason (lowest level; among equals, the first in the rules' reason
list) decides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customer_plans.rules import Rules


def known_channels(rules: Rules) -> list[str]:
    assignment = rules.assignment
    return [*assignment.call_channels, *assignment.message_channels, *assignment.visit_channels]


def resolve_channels(codes: np.ndarray, preferred: np.ndarray, previous: np.ndarray,
                     rules: Rules) -> np.ndarray:
    """The concrete channel for each (reason code, preferred channel, previous channel)."""
    assignment = rules.assignment
    wanted = pd.Series(codes, dtype=object).map(assignment.channels).to_numpy(dtype=object)
    preferred = pd.Series(preferred, dtype=object)
    previous = pd.Series(previous, dtype=object)
    fallback = assignment.call_channels[0]
    known = known_channels(rules)
    preferred_known = preferred.isin(known).to_numpy()
    preferred_message = preferred.isin(assignment.message_channels).to_numpy()
    previous_known = previous.isin(known).to_numpy()
    channel = wanted.copy()
    channel[wanted == "preferred"] = np.where(preferred_known, preferred, fallback)[
        wanted == "preferred"]
    channel[wanted == "message"] = np.where(
        preferred_message, preferred, assignment.default_message_channel)[wanted == "message"]
    channel[wanted == "previous"] = np.where(previous_known, previous, fallback)[
        wanted == "previous"]
    return channel


def capacity_kind(channels: np.ndarray, rules: Rules) -> np.ndarray:
    """``visit`` for visit channels (daily_visit_capacity), ``call`` for every other channel
    (daily_call_capacity: calls and messages share the manager's desk time)."""
    is_visit = pd.Series(channels, dtype=object).isin(rules.assignment.visit_channels).to_numpy()
    return np.where(is_visit, "visit", "call").astype(object)
