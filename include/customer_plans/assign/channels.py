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

Then reachability (rules ``channel_needs``, ``channel_fallbacks``): the channel is kept only
when the customer can be reached on it, i.e. has any one of what it needs: a value in a
customers column (``mobile_phone``, ``email``, ``address``), ``preferred`` (their
preferred_channel names it) or ``reached`` (a completed contact on it among the recent
contacts). Otherwise the first reachable channel of its fallback list; none reachable:
:data:`NO_CHANNEL`, the plan flags "no contact details" and the branch roll-up counts it.
Consent is not checked here: exclusions already left customers without marketing consent
with service reasons only, and a service contact may go by any channel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customer_plans.assign.inputs import CONTACT_DETAIL_COLUMNS, Inputs, member
from customer_plans.rules import Rules

# plan_contacts.channel of a contact the customer cannot be reached for on any channel
NO_CHANNEL = "none"


def known_channels(rules: Rules) -> list[str]:
    assignment = rules.assignment
    return [*assignment.call_channels, *assignment.message_channels, *assignment.visit_channels]


def reachable_channels(ctx: Inputs, pos: np.ndarray) -> np.ndarray:
    """``(len(pos), len(known_channels))`` booleans: whether the customer at each people
    position can be reached on each channel (rules ``channel_needs``)."""
    rules = ctx.rules.assignment
    people = ctx.people
    customer = people["customer_id"].to_numpy(dtype=object)[pos]
    preferred = people["preferred_channel"].to_numpy(dtype=object)[pos]
    contacts = ctx.contacts
    done = (contacts["outcome"].isin(rules.completed_outcomes).to_numpy()
            & (contacts["contact_day"].to_numpy() <= ctx.day))
    known = known_channels(ctx.rules)
    out = np.zeros((len(pos), len(known)), dtype=bool)
    for j, channel in enumerate(known):
        for need in rules.channel_needs[channel]:
            if need in CONTACT_DETAIL_COLUMNS:
                out[:, j] |= people[f"has_{need}"].to_numpy(dtype=bool)[pos]
            elif need == "preferred":
                out[:, j] |= preferred == channel
            elif need == "reached":
                on_it = done & (contacts["channel"].to_numpy(dtype=object) == channel)
                out[:, j] |= member(customer, contacts.loc[on_it, "customer_id"])
        if not rules.channel_needs[channel]:
            out[:, j] = True
    return out


def reachable_fallback(channel: np.ndarray, reachable: np.ndarray, rules: Rules) -> np.ndarray:
    """Each wanted channel when reachable, else the first reachable one of its
    ``channel_fallbacks``, else :data:`NO_CHANNEL`."""
    known = known_channels(rules)
    column = {c: j for j, c in enumerate(known)}
    out = np.full(len(channel), NO_CHANNEL, dtype=object)
    for wanted in known:
        open_rows = channel == wanted
        for candidate in [wanted, *rules.assignment.channel_fallbacks.get(wanted, [])]:
            ok = open_rows & reachable[:, column[candidate]]
            out[ok] = candidate
            open_rows &= ~ok
    return out


def resolve_channels(codes: np.ndarray, preferred: np.ndarray, previous: np.ndarray,
                     rules: Rules, reachable: np.ndarray | None = None) -> np.ndarray:
    """The concrete channel for each (reason code, preferred channel, previous channel);
    with ``reachable`` (see :func:`reachable_channels`), only a channel the customer can be
    reached on, else :data:`NO_CHANNEL`."""
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
    if reachable is not None:
        channel = reachable_fallback(channel, reachable, rules)
    return channel


def capacity_kind(channels: np.ndarray, rules: Rules) -> np.ndarray:
    """``visit`` for visit channels (daily_visit_capacity), ``call`` for every other channel
    (daily_call_capacity: calls and messages share the manager's desk time; so does a
    :data:`NO_CHANNEL` contact, whose work is finding the customer's contact details)."""
    is_visit = pd.Series(channels, dtype=object).isin(rules.assignment.visit_channels).to_numpy()
    return np.where(is_visit, "visit", "call").astype(object)
