"""Why was a customer on a list on a business date, or why not: the auditor's question.

Reads only what the run recorded (segments, plan_contacts, plan_exclusions, the delivery
ledger), so the answer is what the plan said at the time, not a recomputation. The answer
holds the record as stored (codes and facts, for the auditor to check) and, first, its
``words``: the same decision said in the auditor's language through the catalogue, whatever
language the manager reads, so an English-reading auditor reads a Chinese manager's plan in
English.

Rows written before render owned the words (reasons with ``text_en``/``text_zh``, contacts
with ``talking_points_en``/``_zh``, segments with ``lifecycle_reason_en``/``_zh`` and signals
with their texts) stay readable: their facts do not give the words, so they read the text
they stored, in the auditor's language when it was stored, else the first stored. So do
exclusions' ``detail`` and contacts' ``deferred_reason`` stored as English text before they
held facts (a JSON object).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa

from customer_plans.assign.coverage import POOL_PREFIX
from customer_plans.db import make_engine, statement
from customer_plans.rules import Rules, load_rules
from customer_plans.words import Words, words_in
from customer_plans.words.languages import shipped_languages
from customer_plans.words.reasons import ReasonWordsError, reason_words
from customer_plans.words.segments import SegmentWordsError, churn_signal, lifecycle_reason

# each part of the answer: the table it reads (absent: no answer) and its SQL file
_QUERIES = {
    "segment": ("segments", "plans/segments_for_customer.sql"),
    "contacts": ("plan_contacts", "plans/plan_contacts_for_customer.sql"),
    "exclusions": ("plan_exclusions", "plans/plan_exclusions_for_customer.sql"),
}
_JSON_COLUMNS = {"churn_signals", "opportunities", "explanation", "reasons", "dropped_reasons"}
# columns of facts (a JSON object) that rows written before held English text in, kept as is
_FACT_COLUMNS = {"detail", "deferred_reason"}
# the catalogue codes that say an exclusion's facts (``exclusion detail``) and a contact's
# deferral for capacity (``deferral``: the kind of slot it needed, and the other kind when it
# could have taken one)
EXCLUSION_DETAIL_CODES = (
    "quarantined", "closed", "closed_stage", "restricted", "do_not_contact",
    "no_marketing_consent", "open_complaint", "recently_contacted", "recently_contacted_by",
    "carry_over_expired",
)
DEFERRAL_CODES = ("call", "visit", "call_and_visit", "visit_and_call")


class UnknownLanguage(ValueError):
    """The language asked for is none of the configured languages."""


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if key in _JSON_COLUMNS and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        elif key in _FACT_COLUMNS and (facts := _facts(value)) is not None:
            value = facts
        out[key] = value.isoformat() if hasattr(value, "isoformat") else value
    # a row the words-late migration kept the old sentences of (customer_plans.migrate):
    # they read as the columns they were stored in
    recorded = out.pop("recorded_words", None)
    if isinstance(recorded, str):
        try:
            recorded = json.loads(recorded)
        except ValueError:
            recorded = None
    if isinstance(recorded, dict):
        for key, value in recorded.items():
            out.setdefault(key, value)
    return out


def _facts(value: object) -> dict[str, Any] | None:
    """The facts a column holds as a JSON object; None for anything else (no value, or the
    English text a row written before facts replaced words holds)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _delivery(conn: sa.Connection, business_date: str, list_id: str) -> dict[str, Any] | None:
    """The latest ledger row of the list the customer is on: how far it got, to whom (kind)."""
    kind = "pool" if list_id.startswith(POOL_PREFIX) else "plan"
    row = conn.execute(statement("plans/mail_deliveries_latest_for_document.sql"),
                       {"d": business_date, "kind": kind, "key": list_id}).first()
    return _decode(dict(row._mapping)) if row else None


def reader_words(language: str | None) -> Words:
    """The words of the language asked for: a configured language's code or a roster locale
    (``zh-CN``), or the languages file's default when none is given."""
    languages = shipped_languages()
    if language is None:
        return words_in(languages.default)
    found = languages.find(language)
    if found is None:
        raise UnknownLanguage(f"no configured language is {language!r} (configured: "
                              f"{', '.join(languages.codes)}; {languages.source_path})")
    return words_in(found.code)


def explain_customer(
    plans_db_url: str, business_date: date, customer_id: str, language: str | None = None,
    rules: Rules | None = None,
) -> dict[str, Any]:
    """The recorded segment, list placement (with reasons), exclusions and list delivery of
    one customer, with their ``words`` in ``language`` (see :func:`reader_words`).

    ``rules`` (default: the shipped rules file) give the words of codes the rules define and
    the currency amounts are in.
    """
    words = reader_words(language)
    record = _record(plans_db_url, business_date, customer_id)
    rules = rules or load_rules()
    return {"words": explain_words(record, words, rules), **record}


def _record(plans_db_url: str, business_date: date, customer_id: str) -> dict[str, Any]:
    """What the run stored about the customer, decoded (JSON columns, dates as ISO text)."""
    engine = make_engine(plans_db_url)
    params = {"business_date": business_date.isoformat(), "customer_id": customer_id}
    record: dict[str, Any] = {"business_date": params["business_date"], "customer_id": customer_id}
    inspector = sa.inspect(engine)
    with engine.connect() as conn:
        for name, (table, sql_file) in _QUERIES.items():
            if not inspector.has_table(table):
                record[name] = None
                continue
            rows = [_decode(dict(r._mapping)) for r in conn.execute(statement(sql_file), params)]
            record[name] = rows[0] if name == "segment" and rows else (rows or None)
        record["delivery"] = None
        if record["contacts"] and inspector.has_table("mail_deliveries"):
            record["delivery"] = _delivery(conn, params["business_date"],
                                           record["contacts"][0]["manager_id"])
    engine.dispose()
    record["outcome"] = ("listed" if record["contacts"] else "not_listed" if record["exclusions"]
                         else "no_reason" if record["segment"] else "no_record")
    return record


# -- the words ----------------------------------------------------------------------------


def explain_words(record: dict[str, Any], words: Words, rules: Rules) -> dict[str, Any]:
    """The record said in ``words``: the verdict (on which list, or why on none), how the
    customer came to a pool list and what happened, the list's delivery, why the contact was
    deferred, the reasons, the exclusions and the segment. Each sentence stands alone
    (``None`` when it does not apply).
    """
    contact = (record.get("contacts") or [None])[0]
    exclusions = record.get("exclusions") or []
    delivery = record.get("delivery")
    reasons = [reason for reason in (contact.get("reasons") or [] if contact else [])
               if isinstance(reason, dict)]
    # rows written before render owned the words: what to say, one line per reason
    said = (_stored_text(contact, "talking_points", words) or "").split("\n") if contact else []
    said = said if len(said) == len(reasons) else [None] * len(reasons)
    return {
        "language": words.code,
        "verdict": _verdict(record, contact, exclusions, words),
        "pool": _pool_words(contact, words) if contact else None,
        "delivery": words.gettext(
            "The list's delivery: %(status)s (%(transport)s, to the %(recipient)s).",
            status=_code_words(words, "delivery status", delivery["status"]),
            transport=_code_words(words, "transport", delivery["transport"]),
            recipient=_code_words(words, "recipient", delivery["recipient_kind"]))
        if delivery else None,
        "deferral": _deferral(contact.get("deferred_reason"), words) if contact else None,
        "reasons": [_reason(reason, stored_say, words, rules)
                    for reason, stored_say in zip(reasons, said, strict=True)],
        "exclusions": [_exclusion(row, words) for row in exclusions],
        "segment": _segment(record["segment"], words, rules) if record.get("segment") else None,
    }


def _verdict(record: dict[str, Any], contact: dict[str, Any] | None,
             exclusions: list[dict[str, Any]], words: Words) -> str:
    if contact is None:
        if exclusions:
            return words.gettext("Not listed: %(reasons)s.", reasons=words.join(
                [_code_words(words, "exclusion", row["reason_code"]) for row in exclusions]))
        if record.get("segment"):
            return words.gettext("Not listed: no reason to contact on this date.")
        return words.gettext("No record of this customer on this business date.")
    list_id = str(contact["manager_id"])
    values = {"rank": words.number(contact["rank"]),
              "level": _code_words(words, "priority level", contact["priority_level"]),
              "status": _code_words(words, "contact status", contact["status"])}
    if list_id.startswith(POOL_PREFIX):
        return words.gettext(
            "Listed on the branch pool list %(list)s (customers whose manager left or who have "
            "none; the list goes to the branch head): rank %(rank)s, priority %(level)s, "
            "%(status)s.", list=list_id, **values)
    return words.gettext(
        "Listed for manager %(manager)s: rank %(rank)s, priority %(level)s, %(status)s.",
        manager=list_id, **values)


def _pool_words(contact: dict[str, Any], words: Words) -> str | None:
    """Why a contact of a branch pool was there and what happened (``manager_left backup``):
    taken over by the manager whose list it is on, or left on the pool list."""
    reason = str(contact.get("assignment_reason") or "").split()
    if len(reason) != 2:
        return None
    why, how = reason
    home = contact.get("home_manager_id") or ""
    return words.gettext(
        "Branch pool: %(why)s; %(how)s.",
        why=_code_words(words, "pool why", why, name=home),
        how=_code_words(words, "pool how", how, name=contact["manager_id"]))


def _code_words(words: Words, kind: str, code: object, **values: Any) -> str:
    """The words for a recorded code; a code the catalogue does not know (a row written under
    other rules) is shown as recorded, so an old record stays readable."""
    return words.label_or(kind, code, str(code), **values)


def _stored_text(row: dict[str, Any], prefix: str, words: Words) -> str | None:
    """The words a row stored before render owned them (``<prefix>_en``, ``<prefix>_zh``): the
    one of the reader's language when stored, else the first stored."""
    own = row.get(f"{prefix}_{words.language.babel_locale.language}")
    if isinstance(own, str) and own:
        return own
    stored = [value for key, value in sorted(row.items())
              if key.startswith(f"{prefix}_") and isinstance(value, str) and value]
    return stored[0] if stored else None


def _reason(reason: dict[str, Any], stored_say: str | None, words: Words,
            rules: Rules) -> dict[str, Any]:
    """A contact reason's label, the lines the manager read (know, say) and the facts shown
    beside them.

    From the stored code and facts through the catalogue (``words.reasons``). A reason stored
    before render owned the words kept them (``text_en``/``text_zh``) beside facts of that
    release, which do not give them (signals as bare codes, no tier for a cadence): it
    reads its stored text, and what to say from its contact's stored talking point
    (``stored_say``). A reason whose code the rules in force no longer list (a date planned
    under earlier rules) reads its label alone.
    """
    code = str(reason.get("code", ""))
    stored = {"code": code, "label": _code_words(words, "reason label", code),
              "know": _stored_text(reason, "text", words), "say": stored_say or None,
              "shown": []}
    if stored["know"] is not None:
        return stored
    try:
        spoken = reason_words(words, reason, currency=rules.currency, rules=rules)
    except ReasonWordsError:
        return stored
    return {"code": code, "label": spoken.label, "know": spoken.know, "say": spoken.say or None,
            "shown": [{"fact": label, "value": value} for label, value in spoken.shown]}


def _exclusion(row: dict[str, Any], words: Words) -> dict[str, Any]:
    """Why the customer (or some of their reasons) were left out, what the run knew of it
    (``detail``, from the stored facts) and the reasons dropped."""
    dropped = row.get("dropped_reasons")
    codes = [str(code) for code in dropped] if isinstance(dropped, list) else []
    return {"code": row["reason_code"],
            "words": _code_words(words, "exclusion", row["reason_code"]),
            "detail": _exclusion_detail(str(row["reason_code"]), row.get("detail"), codes,
                                        words),
            "dropped_reasons": [_code_words(words, "reason label", code) for code in codes]}


def _exclusion_detail(code: str, detail: object, dropped: list[str], words: Words) -> str | None:
    """An exclusion's facts said in ``words`` (``assign.exclusions``; a capacity exclusion
    holds its deferral's, a carry-over that expired those of ``assign.feedback``). A row
    written before facts replaced words reads its stored text; a code this release has no
    words for (a row of other rules), None."""
    facts = _facts(detail)
    if facts is None:
        return detail if isinstance(detail, str) and detail else None
    if code == "capacity":
        return _deferral(facts, words)
    values: dict[str, Any] = {}
    if code == "closed":
        if facts.get("closed_date"):
            values["date"] = words.date(facts["closed_date"])
        else:
            code = "closed_stage"
            values["stage"] = _code_words(words, "lifecycle stage",
                                          facts.get("lifecycle_stage", "lost"))
    elif code == "recently_contacted":
        windows = facts.get("suppress_days") or {}
        ordered = [c for c in dropped if c in windows] + sorted(set(windows) - set(dropped))
        values["date"] = words.date(facts.get("last_contact_date"))
        values["windows"] = words.join([words.ngettext(
            "%(reason)s: %(num)s day", "%(reason)s: %(num)s days", _count(windows[reason]),
            num=words.number(_count(windows[reason])),
            reason=_code_words(words, "reason label", reason)) for reason in ordered])
        if facts.get("channel"):
            code = "recently_contacted_by"
            values["channel"] = _code_words(words, "channel", facts["channel"])
    elif code == "carry_over_expired":
        values["date"] = words.date(facts.get("first_planned_date"))
        days = _count(facts.get("carry_over_max_days"))
        values["days"] = words.ngettext("%(num)s working day", "%(num)s working days", days,
                                        num=words.number(days))
        values["reasons"] = words.join([_code_words(words, "reason label", reason)
                                        for reason in facts.get("previous_reasons") or []])
    if not words.has("exclusion detail", code):
        return None
    return words.label("exclusion detail", code, **values)


def _deferral(reason: object, words: Words) -> str | None:
    """Why a contact was deferred (``assign.capacity``): its rank and the daily capacity its
    kind of slot, and the other kind when it could have taken one, had (used by
    higher-ranked contacts). A row written before facts replaced words reads its stored
    text."""
    facts = _facts(reason)
    if facts is None:
        return reason if isinstance(reason, str) and reason else None
    kind = str(facts.get("kind"))
    code = f"{kind}_and_{facts['fallback_kind']}" if facts.get("fallback_kind") else kind
    if not words.has("deferral", code):
        return None
    values = {key: words.number(facts[key]) for key in ("rank", "slots", "fallback_slots")
              if key in facts}
    return words.label("deferral", code, **values)


def _count(value: object) -> int:
    """A stored count of days (0 when absent)."""
    return int(value) if isinstance(value, int | float) else 0


def _segment(segment: dict[str, Any], words: Words, rules: Rules) -> dict[str, Any]:
    """The segment's labels, why its lifecycle stage and what each churn signal saw.

    The lifecycle reason and the signals are said from the stored rule or signal code and
    its facts (``words.segments``). A row written before render owned the words stored them
    (``lifecycle_reason_en``/``_zh``, signals with ``text_en``/``text_zh``) beside facts
    that do not give them (no trend, no thresholds): it reads its stored text.
    """
    signals = segment.get("churn_signals")
    explanation = segment.get("explanation")
    facts = explanation.get("lifecycle") if isinstance(explanation, dict) else None
    lifecycle = _stored_text(segment, "lifecycle_reason", words)
    if lifecycle is None and segment.get("lifecycle_rule"):
        lifecycle = _said(lambda: lifecycle_reason(
            words, segment["lifecycle_rule"], facts if isinstance(facts, dict) else {},
            currency=rules.currency, rules=rules))
    return {
        "tier": _code_words(words, "tier", segment["tier_code"]),
        "familiarity": _code_words(words, "familiarity", segment["familiarity"]),
        "grid_strategy": _code_words(words, "grid strategy", segment["grid_group"]),
        "lifecycle_stage": _code_words(words, "lifecycle stage", segment["lifecycle_stage"]),
        "lifecycle_reason": lifecycle,
        "churn_level": _code_words(words, "churn level", segment["churn_level"]),
        "churn_signals": [
            _stored_text(signal, "text", words)
            or _said(lambda signal=signal: churn_signal(words, signal, rules.currency))
            for signal in (signals if isinstance(signals, list) else [])
            if isinstance(signal, dict)],
    }


def _said(say: Callable[[], str]) -> str | None:
    """The words of a stored lifecycle rule or signal; None for a code this release cannot
    say (a row of earlier rules), whose code and facts the record still shows."""
    try:
        return say()
    except SegmentWordsError:
        return None
