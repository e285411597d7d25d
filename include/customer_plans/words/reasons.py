"""The words of a contact reason: its label, what the manager should know, what to say.

Assignment stores each reason as a code and typed facts (``customer_plans.assign.facts``);
render speaks them here, in the reader's language, from the catalogue:

- ``reason label`` / code: a few words (lists, the reasons a carried-over contact carries);
- ``reason know`` / code: why now, for the manager; it may cite what the bank's monitoring
  saw (transfers out, trends, a complaint), the churn score and the risk level;
- ``reason say`` / code: what the manager says to the customer; it never cites a monitored
  transaction, an internal score or a risk level (:data:`UNSAYABLE`);
- ``clause`` / name: how some facts read inside a sentence ("matures on 23 Nov 2026",
  "; rate 1.75%", " (sent ahead: ...)");
- the words of the codes among the facts (``product kind``, ``tier``, ``complaint
  category``, ``holiday``, ``previous status``, ``churn level``, ``reason label``) and
  ``fact`` / name, the label of a fact printed beside the know line.

A sentence's placeholders are facts of its reason (``%(amount_cny)s``), each spoken as
:data:`SPEAKERS` says, so an amount is formatted once and reads the same in both sentences.
:data:`FACT_ROLES` declares, per reason, what becomes of every fact it stores; the start-up
check (:func:`check_reason_words`) holds it to what assignment stores and to the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from customer_plans.assign.facts import REASON_FACTS
from customer_plans.render.masking import mask_account_number
from customer_plans.rules import Rules
from customer_plans.settings import LOCALE_DIR
from customer_plans.words import Words
from customer_plans.words.catalog import CatalogueError, read_catalog
from customer_plans.words.format import MISSING, is_missing, to_date
from customer_plans.words.languages import Languages

# what becomes of a stored fact: spoken in the reason's sentences (a placeholder of its know
# and say entries), shown beside the know line with its "fact" label, or internal (ids and
# codes the plan never prints)
SENTENCE, SHOWN, INTERNAL = "sentence", "shown", "internal"
ROLES = (SENTENCE, SHOWN, INTERNAL)
PARTS = ("reason label", "reason know", "reason say")

_MATURITY = {"account_id": SHOWN, "product_kind": SENTENCE, "amount_cny": SENTENCE,
             "maturity_date": SENTENCE, "days_to_maturity": SHOWN, "rate_pct": SENTENCE}
_RETENTION = {"tier_code": SENTENCE, "churn_score": SHOWN, "churn_level": SENTENCE,
              "signals": SENTENCE}
_CADENCE = {"tier_code": SENTENCE, "cadence_days": SENTENCE, "last_reached_date": SENTENCE,
            "days_since_contact": SHOWN}
_TIER_CHANGE = {"from_tier": SENTENCE, "to_tier": SENTENCE}

FACT_ROLES: dict[str, dict[str, str]] = {
    "service_recovery": {"complaint_id": INTERNAL, "category": SENTENCE,
                         "opened_date": SENTENCE},
    "maturity_due": _MATURITY,
    "maturity_upcoming": _MATURITY,
    "retention_top_tier": _RETENTION,
    "retention": _RETENTION,
    "carried_over": {"from_date": SENTENCE, "first_planned_date": SENTENCE,
                     "previous_status": SENTENCE, "previous_level": INTERNAL,
                     "previous_manager_id": INTERNAL, "previous_reasons": SENTENCE},
    "cadence_overdue_top_tier": _CADENCE,
    "cadence_overdue": _CADENCE,
    "tier_downgrade": _TIER_CHANGE,
    "tier_upgrade": _TIER_CHANGE,
    "birthday": {"birthday": SENTENCE, "greeting_ahead": SENTENCE},
    "holiday": {"holiday": SENTENCE, "holiday_date": SENTENCE, "greeting_ahead": SENTENCE},
    "idle_balance": {"amount_cny": SENTENCE},
    "new_customer_follow_up": {"day": SENTENCE},
    "post_sale_follow_up": {"purchase_date": SENTENCE, "days": SENTENCE},
}

# facts for the manager's eyes only: what the monitoring saw, the score, the risk level, and
# the earlier reasons (which may hold them). A know line may cite them; a say line never
UNSAYABLE = frozenset({"signals", "churn_score", "churn_level", "previous_reasons"})

# the clauses the sentences' facts read through, and the placeholders each may use
CLAUSES: dict[str, tuple[str, ...]] = {
    "matures": ("maturity_date",),
    "matured": ("maturity_date",),
    "rate": ("rate",),
    "greeting_ahead": (),
    "never_reached": (),
    "first_planned": ("first_planned_date",),
}

# the catalogue kinds whose entries a reason's words are made of (scanned for forbidden
# phrases)
SPOKEN_KINDS = (*PARTS, "clause", "fact", "product kind", "tier", "complaint category",
                "holiday", "previous status", "churn level")

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class ReasonWordsError(ValueError):
    """A stored reason cannot be spoken: the message names the reason and what is wrong."""


@dataclass(frozen=True)
class ReasonWords:
    """One reason in the reader's words."""

    code: str
    level: int | None
    label: str  # a few words
    know: str  # why now, for the manager
    say: str  # what to say to the customer
    shown: tuple[tuple[str, str], ...]  # (fact label, value) printed beside the know line


def _value(facts: Mapping[str, Any], name: str) -> Any:
    """A stored fact, None when absent or missing."""
    value = facts.get(name)
    return None if is_missing(value) else value


Speaker = Callable[[Words, Mapping[str, Any], str], str]


def _date(name: str) -> Speaker:
    return lambda words, facts, currency: words.date(_value(facts, name), "medium")


def _number(name: str) -> Speaker:
    return lambda words, facts, currency: words.number(_value(facts, name))


def _code(kind: str, name: str) -> Speaker:
    def speak(words: Words, facts: Mapping[str, Any], currency: str) -> str:
        value = _value(facts, name)
        return MISSING if value is None else words.label(kind, value)
    return speak


def _category(words: Words, facts: Mapping[str, Any], currency: str) -> str:
    # a category the bank added beyond the known codes reads as the source wrote it
    value = _value(facts, "category")
    return MISSING if value is None else words.label_or("complaint category", value, str(value))


def _maturity_date(words: Words, facts: Mapping[str, Any], currency: str) -> str:
    days = _value(facts, "days_to_maturity")
    clause = "matured" if days is not None and float(days) <= 0 else "matures"
    return words.label("clause", clause,
                       maturity_date=words.date(_value(facts, "maturity_date"), "medium"))


def _rate(words: Words, facts: Mapping[str, Any], currency: str) -> str:
    # stored only for the product kinds the rules let a reason quote
    rate = _value(facts, "rate_pct")
    return "" if rate is None else words.label("clause", "rate", rate=words.percent(rate))


def _signals(words: Words, facts: Mapping[str, Any], currency: str) -> str:
    from customer_plans.words.segments import churn_signal

    signals = _value(facts, "signals") or []
    return words.join([churn_signal(words, signal, currency) for signal in signals])


def _previous_reasons(words: Words, facts: Mapping[str, Any], currency: str) -> str:
    codes = _value(facts, "previous_reasons") or []
    return words.join([words.label("reason label", code) for code in codes])


def _first_planned(words: Words, facts: Mapping[str, Any], currency: str) -> str:
    # said only when the contact was first planned before the plan it comes from
    first, since = to_date(_value(facts, "first_planned_date")), to_date(
        _value(facts, "from_date"))
    if first is None or since is None or first >= since:
        return ""
    return words.label("clause", "first_planned",
                       first_planned_date=words.date(first, "medium"))


def _last_reached(words: Words, facts: Mapping[str, Any], currency: str) -> str:
    last = _value(facts, "last_reached_date")
    return words.label("clause", "never_reached") if last is None else words.date(last, "medium")


def _ahead(words: Words, facts: Mapping[str, Any], currency: str) -> str:
    return words.label("clause", "greeting_ahead") if _value(facts, "greeting_ahead") else ""


def _money(name: str) -> Speaker:
    return lambda words, facts, currency: words.money(_value(facts, name), currency)


# how each fact a sentence cites or the plan shows reads
SPEAKERS: dict[str, Speaker] = {
    # which of the customer's accounts, masked as every identifier on a plan is
    "account_id": lambda words, facts, currency: mask_account_number(_value(facts, "account_id")),
    "category": _category,
    "opened_date": _date("opened_date"),
    "product_kind": _code("product kind", "product_kind"),
    "amount_cny": _money("amount_cny"),
    "maturity_date": _maturity_date,
    "days_to_maturity": _number("days_to_maturity"),
    "rate_pct": _rate,
    "tier_code": _code("tier", "tier_code"),
    "churn_score": _number("churn_score"),
    "churn_level": _code("churn level", "churn_level"),
    "signals": _signals,
    "from_date": _date("from_date"),
    "first_planned_date": _first_planned,
    "previous_status": _code("previous status", "previous_status"),
    "previous_reasons": _previous_reasons,
    "cadence_days": _number("cadence_days"),
    "last_reached_date": _last_reached,
    "days_since_contact": _number("days_since_contact"),
    "from_tier": _code("tier", "from_tier"),
    "to_tier": _code("tier", "to_tier"),
    "birthday": _date("birthday"),
    "greeting_ahead": _ahead,
    "holiday": _code("holiday", "holiday"),
    "holiday_date": _date("holiday_date"),
    "day": _number("day"),
    "purchase_date": _date("purchase_date"),
    "days": _number("days"),
}


def _facts_in(roles: Mapping[str, str], role: str) -> list[str]:
    return [name for name, its in roles.items() if its == role]


def reason_words(words: Words, reason: Mapping[str, Any], *, currency: str,
                 rules: Rules) -> ReasonWords:
    """One stored reason (``{"code", "level", "facts"}``) in ``words``' language.

    ``currency``: the currency of its amounts; ``rules``: the rules in force, which must
    know the reason's code. Facts a reason stores beyond its :data:`FACT_ROLES` (a row of
    an older release) are not printed; a missing fact reads as a dash.
    """
    code = str(reason.get("code", ""))
    if code not in rules.assignment.reasons or code not in FACT_ROLES:
        raise ReasonWordsError(
            f"a stored reason has the code {code!r}, which the rules in force "
            f"({rules.source_path or 'rules'}) do not list; the plan cannot say why the "
            "customer is on it")
    facts = reason.get("facts")
    facts = facts if isinstance(facts, Mapping) else {}
    roles = FACT_ROLES[code]
    # each fact spoken once, for both sentences: an amount reads the same in each
    spoken = {name: SPEAKERS[name](words, facts, currency) for name in _facts_in(roles, SENTENCE)}
    shown = tuple((words.label("fact", name), SPEAKERS[name](words, facts, currency))
                  for name in _facts_in(roles, SHOWN) if _value(facts, name) is not None)
    level = reason.get("level")
    return ReasonWords(
        code=code,
        level=int(level) if isinstance(level, int | float) and not isinstance(level, bool)
        else None,
        label=words.label("reason label", code),
        know=words.label("reason know", code, **spoken),
        say=words.label("reason say", code, **spoken),
        shown=shown,
    )


# ---------------------------------------------------------------- start-up check


def _table_problems(codes: list[str]) -> list[str]:
    """Where the roles table disagrees with what assignment stores or the speakers know."""
    problems = []
    where = "customer_plans.words.reasons.FACT_ROLES"
    for code in codes:
        if code not in REASON_FACTS:
            problems.append(f'the reason "{code}" the rules can emit has no stored facts in '
                            "customer_plans.assign.facts.REASON_FACTS")
            continue
        if code not in FACT_ROLES:
            problems.append(f'the reason "{code}" the rules can emit has no entry in {where}')
            continue
        stored, roles = REASON_FACTS[code], FACT_ROLES[code]
        for name in stored:
            if name not in roles:
                problems.append(
                    f'the reason "{code}" stores the fact "{name}", which {where} does not '
                    f"declare: say whether it is spoken in the sentences ({SENTENCE!r}), shown "
                    f"beside them ({SHOWN!r}) or {INTERNAL!r}")
        for name, role in roles.items():
            if name not in stored:
                problems.append(f'{where} declares the fact "{name}" for the reason "{code}", '
                                "which does not store it (customer_plans.assign.facts)")
            elif role not in ROLES:
                problems.append(f'{where}: the fact "{name}" of "{code}" has the role '
                                f"{role!r}, not one of {list(ROLES)}")
            elif role != INTERNAL and name not in SPEAKERS:
                problems.append(f'{where}: the fact "{name}" of "{code}" is {role} but '
                                "customer_plans.words.reasons.SPEAKERS does not say how it reads")
    return problems


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def check_reason_words(languages: Languages, rules: Rules,
                       locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Every problem with the reasons' words, one sentence each (empty: all is well).

    For every language and every reason code the rules can emit: its label, know and say
    entries exist; their placeholders are facts its sentences cite (:data:`FACT_ROLES`),
    and a say entry cites none of :data:`UNSAYABLE`; every clause exists with its own
    placeholders; every shown fact has its ``fact`` label; and no entry of the kinds a
    reason speaks holds one of the rules' ``assignment.forbidden_phrases``.
    """
    codes = list(rules.assignment.reasons)
    problems = _table_problems(codes)
    phrases = [(phrase, phrase.lower()) for phrase in rules.assignment.forbidden_phrases]
    shown = sorted({name for code in codes for name in _facts_in(FACT_ROLES.get(code, {}), SHOWN)})
    for language in languages.codes:
        where = f"include/locale/{language}/LC_MESSAGES/messages.po"
        try:
            catalog = read_catalog(language, locale_dir)
        except CatalogueError as exc:
            problems.append(str(exc))
            continue

        def entry(kind: str, code: str, catalog=catalog) -> str | None:
            message = catalog.get(code, kind)
            if message is None or message.fuzzy or not message.string:
                return None
            return message.string if isinstance(message.string, str) else message.string[0]

        def lacks(kind: str, code: str, what: str, where=where, language=language) -> str:
            return (f"language {language}: no words for {what} "
                    f'(add msgctxt "{kind}" msgid "{code}" to {where})')

        for code in codes:
            sentence = set(_facts_in(FACT_ROLES.get(code, {}), SENTENCE))
            for kind in PARTS:
                text = entry(kind, code)
                if text is None:
                    problems.append(lacks(kind, code, f'the {kind} of the reason "{code}"'))
                    continue
                used = _placeholders(text)
                allowed = set() if kind == "reason label" else sentence
                if used - allowed:
                    problems.append(
                        f'language {language}: the {kind} of "{code}" uses '
                        f"{sorted(used - allowed)}, which are not facts it may cite "
                        f"({sorted(allowed)}: customer_plans.words.reasons.FACT_ROLES) in "
                        f"{where}")
                if kind == "reason say" and used & UNSAYABLE:
                    problems.append(
                        f'language {language}: the reason say of "{code}" cites '
                        f"{sorted(used & UNSAYABLE)}: what the bank's monitoring saw, scores, "
                        "risk levels and earlier reasons are for the manager (reason know), "
                        f"never for what is said to the customer ({where})")
        for name, allowed in CLAUSES.items():
            text = entry("clause", name)
            if text is None:
                problems.append(lacks("clause", name, f'the clause "{name}"'))
            elif _placeholders(text) - set(allowed):
                problems.append(f'language {language}: the clause "{name}" uses '
                                f"{sorted(_placeholders(text) - set(allowed))}; it may use "
                                f"{list(allowed)} ({where})")
        for name in shown:
            if entry("fact", name) is None:
                problems.append(lacks("fact", name, f'the label of the shown fact "{name}"'))
        for message in catalog:
            if message.context not in SPOKEN_KINDS or not message.string:
                continue
            texts = [message.string] if isinstance(message.string, str) else message.string
            found = [phrase for phrase, lowered in phrases
                     if any(lowered in text.lower() for text in texts)]
            if found:
                problems.append(f'language {language}: the {message.context} "{message.id}" '
                                f"contains {found}, which the rules forbid "
                                f"(assignment.forbidden_phrases) ({where})")
    return problems


def catalogue_codes(rules: Rules) -> dict[str, tuple[str, ...]]:
    """The entries the reasons' words need, by kind (for the catalogue template)."""
    codes = tuple(rules.assignment.reasons)
    shown = sorted({name for code in codes for name in _facts_in(FACT_ROLES.get(code, {}), SHOWN)})
    return {**{kind: codes for kind in PARTS}, "clause": tuple(CLAUSES), "fact": tuple(shown)}
