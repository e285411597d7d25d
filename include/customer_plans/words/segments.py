"""The words of a segment's decisions: why its lifecycle stage, what each churn signal saw.

Segmentation stores codes and typed facts (``customer_plans.segment``): the lifecycle rule
that decided the stage with the facts it saw (``explanation.lifecycle``), and each fired
churn signal with its facts (``churn_signals``). They read here, in the reader's language:

- ``lifecycle rule`` / rule code: why the customer is at their stage ("AUM -32% over 90 days
  -> declining");
- ``churn signal`` / signal code: what the signal saw ("CNY 320,000 transferred to other
  banks in 90 days (45% of AUM)"); the retention reasons quote them (``words.reasons``).

A code's own entry is its usual sentence; ``code:variant`` entries say the same when a fact
is unknown or reads otherwise (``dormant:no_days``: no transaction in the extract's window).
Dates, amounts, percentages and numbers are the reader's (``Words``); product kinds and
complaint categories are the catalogue's words for their codes, a complaint category the
bank added beyond the known ones reading as the source wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from customer_plans.rules import Rules
from customer_plans.segment.lifecycle import LIFECYCLE_RULES
from customer_plans.settings import LOCALE_DIR
from customer_plans.words import Words
from customer_plans.words.catalog import CatalogueError, read_catalog
from customer_plans.words.format import MISSING, is_missing
from customer_plans.words.languages import Languages

LIFECYCLE_KIND = "lifecycle rule"
SIGNAL_KIND = "churn signal"

# a trend reads signed ("AUM -32%") or as the size of the change ("资产90天下降32%"): each
# language's sentence uses the one it needs
TREND = ("trend", "change")

# the catalogue entries of each lifecycle rule and the placeholders each may use
LIFECYCLE_ENTRIES: dict[str, dict[str, tuple[str, ...]]] = {
    "lost_closed": {"lost_closed": ("closed_date",)},
    "lost_no_accounts": {"lost_no_accounts": ()},
    "new": {"new": ("days", "limit")},
    "dormant": {"dormant": ("days",), "dormant:no_days": ("limit",)},
    "declining_90d": {"declining_90d": TREND},
    "declining_30d": {"declining_30d": TREND},
    "growing": {"growing": TREND},
    "potential": {"potential": ("aum", "limit")},
    "stable": {"stable": TREND, "stable:no_trend": ()},
}

# the catalogue entries of each churn signal and the placeholders each may use
SIGNAL_ENTRIES: dict[str, dict[str, tuple[str, ...]]] = {
    "aum_decline": {"aum_decline": TREND},
    "balance_decline_30d": {"balance_decline_30d": TREND},
    "salary_stopped": {"salary_stopped": ("months",)},
    "transfers_out": {"transfers_out": ("amount", "share"),
                      "transfers_out:no_share": ("amount",)},
    "product_not_renewed": {"product_not_renewed": ("product", "date", "more"),
                            "product_not_renewed:matured": ("product", "date", "more"),
                            "product_not_renewed:more": ("more",)},
    "dormant": {"dormant": ("days",), "dormant:no_days": ("limit",)},
    "complaint": {"complaint": ("category", "opened_date"),
                  "complaint:closed": ("category", "closed_date")},
    "single_product": {"single_product": ("product",)},
}

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class SegmentWordsError(ValueError):
    """A stored lifecycle rule or churn signal cannot be said: the message names it."""


def _value(facts: Mapping[str, Any], name: str) -> Any:
    """A stored fact, None when absent or missing."""
    value = facts.get(name)
    return None if is_missing(value) else value


def _trend(words: Words, trend: Any) -> dict[str, str]:
    if trend is None:
        return {"trend": MISSING, "change": MISSING}
    change = words.percent(abs(trend), 0)
    # whole percent; no change reads unsigned ("0%", not "+0%" or "-0%")
    signed = change if round(abs(float(trend))) == 0 else words.signed_percent(trend, 0)
    return {"trend": signed, "change": change}


def _product(words: Words, kind: Any) -> str:
    return MISSING if kind is None else words.label("product kind", kind)


# each composer: (the reader's words, the stored facts, the currency) -> (entry, values)
Composer = Callable[[Words, Mapping[str, Any], str], tuple[str, dict[str, str]]]


def _lost_closed(words, facts, currency):
    return "lost_closed", {"closed_date": words.date(_value(facts, "closed_date"))}


def _lost_no_accounts(words, facts, currency):
    return "lost_no_accounts", {}


def _new(words, facts, currency):
    return "new", {"days": words.number(_value(facts, "days_since_onboarding")),
                   "limit": words.number(_value(facts, "new_customer_days"))}


def _dormant(words, facts, currency):
    # the days are unknown when the extract's window holds no customer-initiated transaction
    days = _value(facts, "days_since_customer_txn")
    if days is None:
        return "dormant:no_days", {
            "limit": words.number(_value(facts, "dormant_days_without_activity"))}
    return "dormant", {"days": words.number(days)}


def _trend_of(code: str) -> Composer:
    """The composer of a rule or signal whose words cite its ``trend_pct``."""
    return lambda words, facts, currency: (code, _trend(words, _value(facts, "trend_pct")))


def _potential(words, facts, currency):
    return "potential", {"aum": words.money(_value(facts, "aum_cny"), currency),
                         "limit": words.money(_value(facts, "potential_max_aum_cny"), currency)}


def _stable(words, facts, currency):
    trend = _value(facts, "trend_pct")
    if trend is None:
        return "stable:no_trend", {}
    return "stable", _trend(words, trend)


LIFECYCLE_COMPOSERS: dict[str, Composer] = {
    "lost_closed": _lost_closed,
    "lost_no_accounts": _lost_no_accounts,
    "new": _new,
    "dormant": _dormant,
    "declining_90d": _trend_of("declining_90d"),
    "declining_30d": _trend_of("declining_30d"),
    "growing": _trend_of("growing"),
    "potential": _potential,
    "stable": _stable,
}


def _salary_stopped(words, facts, currency):
    return "salary_stopped", {"months": words.number(_value(facts, "months"))}


def _transfers_out(words, facts, currency):
    amount = words.money(_value(facts, "amount_cny"), currency)
    share = _value(facts, "share_of_aum")  # none when there was no AUM to compare against
    if share is None:
        return "transfers_out:no_share", {"amount": amount}
    return "transfers_out", {"amount": amount, "share": words.rate(share)}


def _not_renewed(words, facts, currency):
    # the latest lapsed product is described; the others are counted
    others = int(_value(facts, "count") or 1) - 1
    more = words.label(SIGNAL_KIND, "product_not_renewed:more", more=words.number(others)) \
        if others > 0 else ""
    entry = "product_not_renewed:matured" if _value(facts, "matured") else "product_not_renewed"
    return entry, {"product": _product(words, _value(facts, "product_kind")),
                   "date": words.date(_value(facts, "date")), "more": more}


def _complaint(words, facts, currency):
    code = _value(facts, "category")
    # a category the bank added beyond the known codes reads as the source wrote it
    category = MISSING if code is None else words.label_or("complaint category", code, str(code))
    if _value(facts, "open") is False:
        return "complaint:closed", {"category": category,
                                    "closed_date": words.date(_value(facts, "closed_date"))}
    return "complaint", {"category": category,
                         "opened_date": words.date(_value(facts, "opened_date"))}


def _single_product(words, facts, currency):
    return "single_product", {"product": _product(words, _value(facts, "product_kind"))}


SIGNAL_COMPOSERS: dict[str, Composer] = {
    "aum_decline": _trend_of("aum_decline"),
    "balance_decline_30d": _trend_of("balance_decline_30d"),
    "salary_stopped": _salary_stopped,
    "transfers_out": _transfers_out,
    "product_not_renewed": _not_renewed,
    # the same facts and entry names as the dormant lifecycle rule
    "dormant": _dormant,
    "complaint": _complaint,
    "single_product": _single_product,
}


def lifecycle_reason(words: Words, rule: str, facts: Mapping[str, Any], *, currency: str,
                     rules: Rules | None = None) -> str:
    """Why the customer is at their lifecycle stage, in ``words``' language.

    ``rule``: the stored ``lifecycle_rule``; ``facts``: the row's ``explanation.lifecycle``
    (the inputs the rule saw and the threshold it applied, so the words are those of the
    decision whatever the rules are now: ``rules`` is not read); ``currency``: the currency
    of its amounts. A missing fact reads as a dash.
    """
    compose = LIFECYCLE_COMPOSERS.get(str(rule))
    if compose is None:
        raise SegmentWordsError(
            f"a stored segment has the lifecycle rule {rule!r}, which is none of "
            f"{list(LIFECYCLE_COMPOSERS)} (customer_plans.segment.lifecycle); its stage "
            "cannot be explained")
    entry, values = compose(words, facts if isinstance(facts, Mapping) else {}, currency)
    return words.label(LIFECYCLE_KIND, entry, **values)


def churn_signal(words: Words, signal: Mapping[str, Any], currency: str) -> str:
    """What one stored churn signal (an entry of ``churn_signals``: its code and facts) saw,
    in ``words``' language; ``currency``: the currency of its amounts."""
    code = str(signal.get("code", ""))
    compose = SIGNAL_COMPOSERS.get(code)
    if compose is None:
        raise SegmentWordsError(
            f"a stored churn signal has the code {code!r}, which is none of "
            f"{list(SIGNAL_COMPOSERS)} (customer_plans.segment.churn); it cannot be said")
    entry, values = compose(words, signal, currency)
    return words.label(SIGNAL_KIND, entry, **values)


# ---------------------------------------------------------------- start-up check


def _signal_codes(rules: Rules) -> list[str]:
    return [code for code, _ in rules.churn.signals.items()]


def _entries(rules: Rules) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """``(kind, code, entry, placeholders)`` of every entry the segments' words may use."""
    out = [(LIFECYCLE_KIND, code, entry, allowed) for code in LIFECYCLE_RULES
           for entry, allowed in LIFECYCLE_ENTRIES.get(code, {}).items()]
    out += [(SIGNAL_KIND, code, entry, allowed) for code in _signal_codes(rules)
            for entry, allowed in SIGNAL_ENTRIES.get(code, {}).items()]
    return out


def _code_problems(rules: Rules) -> list[str]:
    """Codes the stages can store that this module cannot say."""
    problems = []
    where = "customer_plans.words.segments"
    for code in LIFECYCLE_RULES:
        if code not in LIFECYCLE_COMPOSERS or code not in LIFECYCLE_ENTRIES:
            problems.append(f'the lifecycle rule "{code}" has no words in {where} '
                            "(LIFECYCLE_COMPOSERS, LIFECYCLE_ENTRIES)")
    for code in _signal_codes(rules):
        if code not in SIGNAL_COMPOSERS or code not in SIGNAL_ENTRIES:
            problems.append(f'the churn signal "{code}" the rules can emit has no words in '
                            f"{where} (SIGNAL_COMPOSERS, SIGNAL_ENTRIES)")
    return problems


def check_segment_words(languages: Languages, rules: Rules,
                        locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Every problem with the segments' words, one sentence each (empty: all is well).

    For every language, every lifecycle rule and every churn signal of the rules has each
    of its entries (its own and its variants), final and non-empty, using only the
    placeholders its facts give; and none holds one of the rules'
    ``assignment.forbidden_phrases`` (the signals are quoted in the retention reasons).
    """
    problems = _code_problems(rules)
    entries = _entries(rules)
    phrases = [(phrase, phrase.lower()) for phrase in rules.assignment.forbidden_phrases]
    for language in languages.codes:
        where = f"include/locale/{language}/LC_MESSAGES/messages.po"
        try:
            catalog = read_catalog(language, locale_dir)
        except CatalogueError as exc:
            problems.append(str(exc))
            continue
        for kind, code, entry, allowed in entries:
            message = catalog.get(entry, kind)
            text = None if message is None or message.fuzzy else message.string
            if not isinstance(text, str) or not text:
                problems.append(f'language {language}: no words for the {kind} "{code}" '
                                f'(add msgctxt "{kind}" msgid "{entry}" to {where})')
                continue
            extra = set(PLACEHOLDER.findall(text)) - set(allowed)
            if extra:
                problems.append(f'language {language}: the {kind} "{entry}" uses '
                                f"{sorted(extra)}; it may use {list(allowed)} ({where})")
            found = [phrase for phrase, lowered in phrases if lowered in text.lower()]
            if found:
                problems.append(f'language {language}: the {kind} "{entry}" contains {found}, '
                                f"which the rules forbid (assignment.forbidden_phrases) "
                                f"({where})")
    return problems


def catalogue_codes(rules: Rules) -> dict[str, tuple[str, ...]]:
    """The entries the segments' words need, by kind (for the catalogue template)."""
    kinds: dict[str, tuple[str, ...]] = {LIFECYCLE_KIND: (), SIGNAL_KIND: ()}
    for kind, _, entry, _ in _entries(rules):
        kinds[kind] = (*kinds[kind], entry)
    return kinds
