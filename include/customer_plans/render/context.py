"""From data frames to what a plan template shows: one ``PlanContext`` per manager.

Everything here is pure: it takes the frames the plans DB and the staging area
hold (see ``PlanInputs``; ``data.load_plan_inputs`` reads them) and returns plain
dataclasses. Joins are done once for the whole batch; the per-contact step only
shapes each row for display (parsing its reasons, masking its phone number).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd
from markupsafe import Markup

from customer_plans.extract import WEEKLY_AUM_COLUMNS as WEEKLY_AUM_COLUMNS_NEWEST_FIRST
from customer_plans.render.masking import mask_phone, scrub_text
from customer_plans.render.quality_audience import COUNT_COLUMNS, Audience, audience_of, rule_key
from customer_plans.render.svg import (
    LIFECYCLE_COLOURS,
    UNKNOWN_COLOUR,
    BarSegment,
    BookRow,
    book_bars,
    spark_bars,
    sparkline,
)
from customer_plans.rules import DEFAULT_CURRENCY, Rules
from customer_plans.words import Words, words_for
from customer_plans.words.format import is_missing, to_date
from customer_plans.words.languages import shipped_languages
from customer_plans.words.reasons import reason_words

log = logging.getLogger(__name__)

# customer_balances: AUM every 7 days, w00 = the business date, w13 = 91 days before
WEEKLY_AUM_COLUMNS = list(reversed(WEEKLY_AUM_COLUMNS_NEWEST_FIRST))  # oldest first
# churn levels (segments.churn_level) that earn a customer an AUM sparkline on the plan
SPARKLINE_CHURN_LEVELS = ("medium", "high")
# the order channels are listed in a plan's summary (ties in count), most personal first
CHANNEL_ORDER = ("visit", "phone", "wechat", "sms", "email", "app", "message", "event")
# plan_contacts.channel of a contact no channel reaches (customer_plans.assign.channels.NO_CHANNEL)
NO_CONTACT_CHANNEL = "none"
LEVELS = (1, 2, 3)

SEGMENT_COLUMNS = [
    "customer_id", "manager_id", "branch_id", "tier_code", "lifecycle_stage", "aum_cny",
    "aum_trend_90d_pct", "churn_level", "churn_score",
]
# a branch pool's list: customers without an active manager (docs/pipeline.md, plan_contacts)
POOL_PREFIX = "POOL-"
CONTACT_COLUMNS = [
    "business_date", "branch_id", "manager_id", "rank", "status", "customer_id", "assignment",
    "home_manager_id", "assignment_reason", "priority_level", "score", "reasons", "channel",
]
# a pool contact a manager of the branch took over (assign/takeover.py)
TAKEOVER = "pool_takeover"
# the language the validate stage writes a warning's own message in (summary.json)
VALIDATOR_LANGUAGE = "en"


@dataclass(frozen=True)
class QualityWarning:
    """One validate-stage warning, as ``summary.json`` lists it, worded in each language.

    Worded from its table, column, rule and row count: the catalogue has the words of each
    warning rule of the suites (kind ``quality warning``, id ``<table>.<column>.<rule>``). A
    rule without them reads, to a reader of the validator's language, as the validator's
    message, and to any other reader as a generic line naming the table, column and rule as
    they are, so a Chinese plan never prints the validator's English. A warning that came as
    bare text has no such fields: readers of the validator's language get the text, others a
    line saying there is a warning. Example keys are never printed.
    """

    table: str | None = None
    column: str | None = None
    rule: str | None = None
    rows: int | None = None
    message: str = ""  # the validator's English
    # about the reader's own roster record (a MANAGER rule on their plan): the catalogue's
    # ``quality own`` words of the rule, addressed to them, without a count
    own: bool = False

    @classmethod
    def from_record(cls, warning: Any) -> QualityWarning | None:
        """From a ``summary.json`` warning (a record or bare text); None when it is empty."""
        if not isinstance(warning, dict):
            text = "" if is_missing(warning) else str(warning).strip()
            return cls(message=text) if text else None

        def field_text(name: str) -> str | None:
            value = warning.get(name)
            return None if is_missing(value) or not str(value).strip() else str(value)

        try:
            rows = int(warning["rows"])
        except (KeyError, TypeError, ValueError):  # absent, null or not a count
            rows = None
        record = cls(
            table=field_text("table"), column=field_text("column"), rule=field_text("rule"),
            rows=rows, message=(field_text("message") or "").strip(),
        )
        return record if record.message or (record.table and record.rule) else None

    @property
    def rule_key(self) -> str:
        """``table.column.rule``: the catalogue's id of the rule's words."""
        return rule_key(self.table, self.column, self.rule)

    def text(self, words: Words) -> str:
        """The line a plan prints in the reader's words (digit runs that could be identifiers
        masked)."""
        reads_message = words.language.babel_locale.language == VALIDATOR_LANGUAGE
        if self.own and words.has("quality own", self.rule_key):
            text = words.label("quality own", self.rule_key)
        elif not (self.table and self.rule):
            text = self.message if reads_message else words.gettext(
                "A data-quality warning: ask the operations team for details")
        elif self.rows is not None and words.has("quality warning", self.rule_key):
            text = words.label("quality warning", self.rule_key, rows=self.rows)
        elif reads_message and self.message:
            text = self.message
        else:
            where = f"{self.table}.{self.column}" if self.column else self.table
            if self.rows is not None:
                text = words.ngettext("%(where)s: %(rows)s row failed the check %(rule)s",
                                      "%(where)s: %(rows)s rows failed the check %(rule)s",
                                      self.rows, where=where, rows=self.rows, rule=self.rule)
            else:
                text = words.gettext("%(where)s: the check %(rule)s failed", where=where,
                                     rule=self.rule)
        return scrub_text(text)


@dataclass(frozen=True)
class QualityStatus:
    """The data-quality verdict printed in every plan's and roll-up's header, with its
    warnings: all of them on a roll-up, a plan's own ones on a plan (``for_list``)."""

    status_key: str  # passed | warning | failed | unknown
    warnings: tuple[QualityWarning, ...] = ()

    def for_list(self, counts: Mapping[str, int]) -> QualityStatus:
        """What one plan prints: only the warnings about its own book or its manager's own
        record (``quality_audience.WARNING_AUDIENCES``), each with the plan's own count.

        ``counts``: how many rows of each rule (``table.column.rule``) are in the list's book
        (``quality_audience.count_by_list``). Warnings for operators and branch heads, and
        bare-text ones, stay off; a run whose warnings are all about other books reads
        "passed" on this plan.
        """
        kept = []
        for warning in self.warnings:
            key = rule_key(warning.table, warning.column, warning.rule)
            audience = audience_of(warning.table, warning.column, warning.rule)
            rows = counts.get(key, 0) if warning.table and warning.rule else 0
            if audience is not Audience.OPERATIONS and rows:
                kept.append(replace(warning, rows=rows, own=audience is Audience.MANAGER))
        status = "passed" if self.status_key == "warning" and not kept else self.status_key
        return QualityStatus(status, tuple(kept))

    def verdict(self, words: Words) -> str:
        """The verdict in the reader's words."""
        return {
            "passed": words.gettext("passed"),
            "warning": words.gettext("passed with warnings"),
            "failed": words.gettext("failed"),
        }.get(self.status_key) or words.gettext("not reported")

    def warnings_in(self, words: Words) -> tuple[str, ...]:
        """The warnings in the reader's words, in the validator's order."""
        return tuple(warning.text(words) for warning in self.warnings)

    @classmethod
    def from_summary(cls, summary: dict[str, Any] | None) -> QualityStatus:
        """From ``output/quality/<business_date>/summary.json`` (``None`` when absent)."""
        if not summary:
            return cls("unknown")
        raw = str(summary.get("status", "")).strip().lower()
        warnings = tuple(
            warning for warning in map(QualityWarning.from_record, summary.get("warnings") or ())
            if warning is not None
        )
        if raw in ("fail", "failed", "error", "blocked"):
            key = "failed"
        elif "warn" in raw or (warnings and raw in ("", "ok", "pass", "passed", "success")):
            key = "warning"
        elif raw in ("ok", "pass", "passed", "success", "succeeded"):
            key = "passed"
        else:
            key = "unknown"
        return cls(key, warnings)


@dataclass(frozen=True)
class PlanInputs:
    """The frames one batch of plans is built from (columns per docs/pipeline.md).

    ``contacts``: plan_contacts rows of the managers; ``segments``: segments rows of
    their books and of every contacted customer; ``managers``: the whole roster (names
    of covered colleagues); ``customers``: ``customer_id, customer_name, mobile_phone``;
    ``balances``: ``customer_id`` and the weekly ``aum_wNN_cny`` columns;
    ``last_contacts``: ``customer_id, last_reached_date`` (contact_summary);
    ``feedback``: plan_feedback rows (``manager_id, planned_yesterday,
    completed_yesterday, completion_rate``), empty when the table does not exist.
    """

    contacts: pd.DataFrame
    segments: pd.DataFrame
    managers: pd.DataFrame
    customers: pd.DataFrame
    balances: pd.DataFrame
    last_contacts: pd.DataFrame = field(default_factory=pd.DataFrame)
    feedback: pd.DataFrame = field(default_factory=pd.DataFrame)
    quality: QualityStatus = field(default_factory=lambda: QualityStatus("unknown"))
    # how many rows of each warning rule a plan prints are in each list's book
    # (quality_audience.count_by_list); without it plans print no warning
    quality_counts: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=COUNT_COLUMNS))


@dataclass(frozen=True)
class ReasonView:
    code: str
    level: int | None
    text: str
    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ContactView:
    """One line of a plan."""

    rank: int
    status: str
    assignment: str
    customer_id: str
    customer_name: str
    phone_masked: str
    tier_label: str
    lifecycle_label: str
    priority_level: int
    channel_code: str
    channel_label: str
    reasons: tuple[ReasonView, ...]
    talking_points: tuple[str, ...]  # one line per reason
    aum_cny: float | None
    aum_trend_90d_pct: float | None
    churn_level: str
    sparkline: Markup  # SVG, for the email
    spark_bars: str  # the same line as bar characters, for paper (svg.spark_bars)
    maturing_amount_cny: float | None
    maturing_date: date | None
    last_reached_date: date | None
    home_manager_id: str
    home_manager_name: str
    # pool and taken-over contacts: why on the pool and what happened (two codes, see
    # assign/takeover.py), and that said in the reader's language for a pool list's card
    assignment_reason: str = ""
    assignment_note: str = ""

    @property
    def pool_why(self) -> str:
        return self.assignment_reason.split(" ")[0] if self.assignment_reason else ""

    @property
    def pool_how(self) -> str:
        parts = self.assignment_reason.split(" ")
        return parts[1] if len(parts) > 1 else ""

    @property
    def at_risk(self) -> bool:
        """A churn risk worth showing (and drawing the AUM sparkline for)."""
        return self.churn_level in SPARKLINE_CHURN_LEVELS

    @property
    def no_contact_details(self) -> bool:
        """No channel reaches the customer: the plan flags it (find the details first)."""
        return self.channel_code == NO_CONTACT_CHANNEL


@dataclass(frozen=True)
class CoveredGroup:
    home_manager_id: str
    home_manager_name: str
    contacts: tuple[ContactView, ...]


@dataclass(frozen=True)
class TakeoverGroup:
    """Contacts a manager took over from the branch pool, by whose customers they are and
    why they came to this manager (backup or least loaded)."""

    home_manager_id: str
    title: str  # whose customers, in the reader's language
    how: str  # why they came to this manager
    contacts: tuple[ContactView, ...]


def pool_why_text(why: str, name: str, words: Words) -> str:
    """Why a customer was on the pool (``assignment_reason``'s first code), in the reader's
    words; ``name``: their manager."""
    return words.label_or("pool why", why, why, name=name)


def pool_how_text(how: str, name: str, words: Words) -> str:
    """What happened to a pool contact (``assignment_reason``'s second code), in the reader's
    words; ``name``: the manager who took it over."""
    return words.label_or("pool how", how, how, name=name)


@dataclass(frozen=True)
class Completion:
    rate: float | None
    planned: int | None
    completed: int | None


@dataclass(frozen=True)
class Book:
    """A book of customers by tier and lifecycle: table bars for email, SVG bars for print."""

    total: int
    rows: tuple[BookRow, ...]
    legend: tuple[tuple[str, str], ...]
    svg: Markup


@dataclass(frozen=True)
class PlanContext:
    """Everything one manager's plan shows."""

    manager_id: str
    manager_name: str
    branch_id: str
    branch_name: str
    locale: str  # the roster's
    words: Words  # the reader's language, chosen from ``locale``
    business_date: date
    plan_date: date
    rules_version: str
    rules_hash: str
    quality: QualityStatus
    document_title: str
    contacts: tuple[ContactView, ...]
    covered: tuple[CoveredGroup, ...]
    deferred: tuple[ContactView, ...]
    by_level: tuple[tuple[int, int], ...]
    by_channel: tuple[tuple[str, int], ...]
    completion: Completion
    book: Book
    currency: str = DEFAULT_CURRENCY  # the rules file's: what the money filter prints
    taken_over: tuple[TakeoverGroup, ...] = ()

    @property
    def planned_count(self) -> int:
        return (len(self.contacts) + sum(len(group.contacts) for group in self.covered)
                + self.taken_over_count)

    @property
    def taken_over_count(self) -> int:
        return sum(len(group.contacts) for group in self.taken_over)

    @property
    def urgent_count(self) -> int:
        return dict(self.by_level).get(1, 0)

    @property
    def covered_count(self) -> int:
        return sum(len(group.contacts) for group in self.covered)

    @property
    def customer_ids(self) -> list[str]:
        """Every customer on the plan, planned first then deferred, in rank order."""
        planned = sorted(
            [*self.contacts, *(c for g in self.covered for c in g.contacts),
             *(c for g in self.taken_over for c in g.contacts)],
            key=lambda c: c.rank,
        )
        return [c.customer_id for c in [*planned, *self.deferred]]


def plan_date_for(business_date: date, rules: Rules) -> date:
    """The working day the plan is for (``customer_plans.workdays``); an error for a business
    date that serves no plan (the pipeline renders nothing for those)."""
    from customer_plans.workdays import BankCalendar

    calendar = BankCalendar.from_rules(rules)
    served = calendar.plan_date(business_date)
    if served is None:
        raise ValueError(calendar.no_plan_reason(business_date))
    return served


def _text(value: Any, default: str = "") -> str:
    return default if is_missing(value) else str(value)


def _number_or_none(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


def parse_reasons(value: Any) -> list[dict[str, Any]]:
    """plan_contacts.reasons (JSON text or an already-parsed list) as a list of dicts."""
    if isinstance(value, list):
        return [r for r in value if isinstance(r, dict)]
    if is_missing(value) or not str(value).strip():
        return []
    parsed = json.loads(value)
    return [r for r in parsed if isinstance(r, dict)] if isinstance(parsed, list) else []


def _reason_views(
    reasons: list[dict[str, Any]], words: Words, rules: Rules,
) -> tuple[tuple[ReasonView, ...], tuple[str, ...]]:
    """Each stored reason in the reader's words (``words.reasons``): what the manager should
    know, with the facts the sentence does not state, and what to say, one line each."""
    views, say = [], []
    for reason in reasons:
        spoken = reason_words(words, reason, currency=rules.currency, rules=rules)
        views.append(ReasonView(code=spoken.code, level=spoken.level,
                                text=scrub_text(spoken.know),
                                facts=tuple((label, scrub_text(value))
                                            for label, value in spoken.shown)))
        say.append(scrub_text(spoken.say))
    return tuple(views), tuple(line for line in say if line.strip())


def _maturing(reasons: list[dict[str, Any]]) -> tuple[float | None, date | None]:
    """The amount and date of the first maturity reason's facts, if any."""
    for reason in reasons:
        if not str(reason.get("code", "")).startswith("maturity"):
            continue
        facts = reason.get("facts") or {}
        if not isinstance(facts, dict):
            continue
        amount = next((v for k, v in facts.items() if k.endswith("_cny")), None)
        when = next((v for k, v in facts.items() if k.endswith("_date")), None)
        return _number_or_none(amount), to_date(when)
    return None, None


def tier_labels(rules: Rules, words: Words) -> dict[str, str]:
    """The words for each tier of the rules, by tier code."""
    return {level.code: words.label("tier", level.code) for level in rules.tiers.levels}


def _channel_sort_key(item: tuple[str, int]) -> tuple[int, int, str]:
    """Most used channel first; ties in ``CHANNEL_ORDER``."""
    code, count = item
    order = CHANNEL_ORDER.index(code) if code in CHANNEL_ORDER else len(CHANNEL_ORDER)
    return -count, order, code


def _channel_label(code: str, words: Words) -> str:
    return words.label_or("channel", code, code)


def _lifecycle_label(code: str, words: Words) -> str:
    return words.label_or("lifecycle stage", code, code)


def _roster(managers: pd.DataFrame) -> pd.DataFrame:
    return managers.drop_duplicates("manager_id").set_index("manager_id", drop=False)


def majority_locale(managers: pd.DataFrame) -> str:
    """The locale most of ``managers`` read (ties: the first in sort order); the languages
    file's default language if none."""
    locales = managers["locale"].dropna().astype(str) if "locale" in managers else pd.Series()
    if locales.empty:
        return shipped_languages().default
    counts = locales.value_counts()
    return sorted(counts[counts == counts.max()].index)[0]


def list_owner(
    manager_id: str, roster: pd.DataFrame, rows: pd.DataFrame
) -> tuple[str, str, str, str]:
    """``(name, branch_id, branch_name, locale)`` of a plan list.

    A manager on the roster reads their own; a branch pool (``POOL-<branch_id>``) reads in
    its branch's majority locale; an unknown id is shown as it is.
    """
    if manager_id in roster.index:
        manager = roster.loc[manager_id]
        branch_id = _text(manager.get("branch_id"))
        return (
            _text(manager.get("manager_name"), manager_id),
            branch_id,
            _text(manager.get("branch_name"), branch_id),
            _text(manager.get("locale"), shipped_languages().default),
        )
    branch_ids = rows["branch_id"].dropna() if "branch_id" in rows else pd.Series()
    branch_id = str(branch_ids.iloc[0]) if len(branch_ids) else (
        manager_id.removeprefix(POOL_PREFIX) if manager_id.startswith(POOL_PREFIX) else ""
    )
    colleagues = roster[roster["branch_id"] == branch_id] if "branch_id" in roster else roster
    names = colleagues["branch_name"].dropna() if "branch_name" in colleagues else pd.Series()
    branch_name = str(names.iloc[0]) if len(names) else branch_id
    locale = majority_locale(colleagues)
    if manager_id.startswith(POOL_PREFIX):
        return words_for(locale).gettext("Branch pool"), branch_id, branch_name, locale
    return manager_id, branch_id, branch_name, locale


def join_contacts(inputs: PlanInputs) -> pd.DataFrame:
    """plan_contacts joined to segments, customer names, weekly AUM and last contacts."""
    contacts = inputs.contacts.copy()
    for column in CONTACT_COLUMNS:
        if column not in contacts.columns:
            contacts[column] = None
    segments = inputs.segments.reindex(columns=SEGMENT_COLUMNS).drop_duplicates("customer_id")
    joined = contacts.merge(
        segments.drop(columns=["manager_id", "branch_id"]), on="customer_id", how="left"
    )
    customers = inputs.customers.reindex(columns=["customer_id", "customer_name", "mobile_phone"])
    joined = joined.merge(customers.drop_duplicates("customer_id"), on="customer_id", how="left")
    balances = inputs.balances.reindex(columns=["customer_id", *WEEKLY_AUM_COLUMNS])
    joined = joined.merge(balances.drop_duplicates("customer_id"), on="customer_id", how="left")
    last = inputs.last_contacts.reindex(columns=["customer_id", "last_reached_date"])
    joined = joined.merge(last.drop_duplicates("customer_id"), on="customer_id", how="left")
    missing_names = joined["customer_name"].isna()
    if missing_names.any():
        # the plan still lists the customer, by customer number; upstream must fix the extract
        log.warning(
            "render: %d plan_contacts rows have no customer in customers.parquet (example "
            "customer_id %s); shown by customer number",
            int(missing_names.sum()), joined.loc[missing_names, "customer_id"].iloc[0],
        )
    joined["rank"] = joined["rank"].astype(int)
    return joined.sort_values(["manager_id", "status", "rank"], kind="stable")


def _contact_views(
    rows: pd.DataFrame, words: Words, tiers: dict[str, str],
    names: dict[str, Any], rules: Rules,
) -> list[ContactView]:
    """``names``: manager names by manager_id, for the covered customers' home managers."""
    weekly = rows[WEEKLY_AUM_COLUMNS].astype(float).to_numpy()
    views = []
    # rows as dicts, a column at a time: DataFrame.to_dict("records") went through pandas'
    # indexing for every row and was a quarter of building a plan
    columns = list(rows.columns)
    records = (dict(zip(columns, values, strict=True))
               for values in zip(*(rows[column].tolist() for column in columns), strict=True))
    for position, row in enumerate(records):
        reasons = parse_reasons(row["reasons"])
        reason_views, talking_points = _reason_views(reasons, words, rules)
        churn_level = _text(row["churn_level"])
        amount, when = _maturing(reasons)
        home = _text(row["home_manager_id"])
        # the AUM line is drawn for customers at risk only: SVG for email, bars for paper
        weeks = list(weekly[position]) if churn_level in SPARKLINE_CHURN_LEVELS else []
        views.append(
            ContactView(
                rank=int(row["rank"]),
                status=_text(row["status"]),
                assignment=_text(row["assignment"], "own"),
                customer_id=str(row["customer_id"]),
                customer_name=_text(row["customer_name"], str(row["customer_id"])),
                phone_masked=mask_phone(row["mobile_phone"]),
                tier_label=tiers.get(_text(row["tier_code"]), _text(row["tier_code"])),
                lifecycle_label=_lifecycle_label(_text(row["lifecycle_stage"]), words),
                priority_level=int(row["priority_level"]),
                channel_code=_text(row["channel"]),
                channel_label=_channel_label(_text(row["channel"]), words),
                reasons=reason_views,
                talking_points=talking_points,
                aum_cny=_number_or_none(row["aum_cny"]),
                aum_trend_90d_pct=_number_or_none(row["aum_trend_90d_pct"]),
                churn_level=churn_level,
                sparkline=sparkline(weeks) if weeks else Markup(""),
                spark_bars=spark_bars(weeks) if weeks else "",
                maturing_amount_cny=amount,
                maturing_date=when,
                last_reached_date=to_date(row["last_reached_date"]),
                home_manager_id=home,
                home_manager_name=_text(names.get(home), home) if home else "",
                assignment_reason=_text(row["assignment_reason"]),
                assignment_note=_pool_note(_text(row["assignment"]),
                                           _text(row["assignment_reason"]),
                                           _text(names.get(home), home) if home else "",
                                           words),
            )
        )
    return views


def _pool_note(assignment: str, reason: str, home_name: str, words: Words) -> str:
    """A pool list card's line: why the customer is on the pool and why nobody took them."""
    if assignment != "pool" or not reason:
        return ""
    why, _, how = reason.partition(" ")
    if not how:
        return pool_why_text(why, home_name, words)
    return words.gettext("%(why)s; %(how)s", why=pool_why_text(why, home_name, words),
                         how=pool_how_text(how, "", words))


def build_book(
    segments: pd.DataFrame, rules: Rules, words: Words
) -> Book:
    """Counts of ``segments`` rows by tier (top tier first) and lifecycle stage."""
    tiers = tier_labels(rules, words)
    counts = (
        segments.groupby(["tier_code", "lifecycle_stage"]).size()
        if len(segments)
        else pd.Series(dtype=int)
    )
    stages = list(LIFECYCLE_COLOURS) + sorted(
        {stage for _, stage in counts.index} - set(LIFECYCLE_COLOURS)
    )
    totals = counts.groupby(level=0).sum() if len(counts) else pd.Series(dtype=int)
    longest = int(totals.max()) if len(totals) else 0
    # plain dicts: a pandas lookup by (tier, stage) cost as much as the rest of the book
    count_of = {key: int(value) for key, value in counts.items()}
    total_of = {key: int(value) for key, value in totals.items()}
    rows = []
    for tier_code in rules.tiers.codes_top_first:
        segments_of_tier = []
        for stage in stages:
            count = count_of.get((tier_code, stage), 0)
            if count:
                segments_of_tier.append(
                    BarSegment(
                        stage=stage,
                        label=_lifecycle_label(stage, words),
                        count=count,
                        colour=LIFECYCLE_COLOURS.get(stage, UNKNOWN_COLOUR),
                        share_pct=100.0 * count / longest,
                    )
                )
        rows.append(
            BookRow(
                tier_code=tier_code,
                tier_label=tiers[tier_code],
                total=total_of.get(tier_code, 0),
                segments=tuple(segments_of_tier),
            )
        )
    present = {stage for _, stage in counts.index}
    legend = tuple(
        (_lifecycle_label(stage, words), LIFECYCLE_COLOURS.get(stage, UNKNOWN_COLOUR))
        for stage in stages
        if stage in present
    )
    total = int(counts.sum()) if len(counts) else 0
    return Book(
        total=total,
        rows=tuple(rows),
        legend=legend,
        svg=book_bars(rows, [colour for _, colour in legend]) if total else Markup(""),
    )


def _completion(feedback: pd.DataFrame, manager_id: str) -> Completion:
    """Yesterday's completion: completed / planned, else the stored rate; all None if absent."""
    if feedback.empty or "manager_id" not in feedback:
        return Completion(None, None, None)
    rows = feedback[feedback["manager_id"] == manager_id]
    if rows.empty:
        return Completion(None, None, None)
    row = rows.iloc[0]
    planned = _number_or_none(row.get("planned_yesterday"))
    completed = _number_or_none(row.get("completed_yesterday"))
    if planned is not None and completed is not None:
        rate = completed / planned if planned > 0 else None
        return Completion(rate, int(planned), int(completed))
    return Completion(_number_or_none(row.get("completion_rate")), None, None)


def _takeover_groups(views: list[ContactView], words: Words) -> tuple[TakeoverGroup, ...]:
    """Taken-over contacts by whose customers they are (why they were on the pool, their
    manager) and how they came (backup first), each group in rank order."""
    how_order = {"backup": 0, "least_loaded": 1}
    keys = sorted({(how_order.get(v.pool_how, 2), v.pool_how, v.pool_why, v.home_manager_id)
                   for v in views})
    groups = []
    for _, how, why, home in keys:
        members = tuple(v for v in views
                        if (v.pool_how, v.pool_why, v.home_manager_id) == (how, why, home))
        name = members[0].home_manager_name
        groups.append(TakeoverGroup(
            home_manager_id=home,
            title=words.label("takeover from", why, name=name) if words.has("takeover from", why)
            else words.label("takeover from", "unknown_manager", name=name or why),
            how=words.label_or("takeover how", how, ""),
            contacts=members,
        ))
    return tuple(groups)


def _quality_counts_by_list(counts: pd.DataFrame) -> dict[str, dict[str, int]]:
    """``{manager_id: {table.column.rule: rows}}`` from ``PlanInputs.quality_counts``."""
    by_list: dict[str, dict[str, int]] = {}
    frame = counts.reindex(columns=COUNT_COLUMNS)
    for manager_id, table, column, rule, rows in frame.itertuples(index=False):
        column = None if is_missing(column) else column
        by_list.setdefault(str(manager_id), {})[rule_key(table, column, rule)] = int(rows)
    return by_list


def build_plan_contexts(
    inputs: PlanInputs, manager_ids: Sequence[str], business_date: date, rules: Rules
) -> list[PlanContext]:
    """One ``PlanContext`` per manager in ``manager_ids`` (same order), zero contacts included."""
    roster = _roster(inputs.managers)
    manager_names = roster["manager_name"].to_dict() if "manager_name" in roster else {}
    joined = join_contacts(inputs)
    by_manager = dict(tuple(joined.groupby("manager_id", sort=False))) if len(joined) else {}
    segments = inputs.segments.reindex(columns=SEGMENT_COLUMNS)
    books = dict(tuple(segments.groupby("manager_id", sort=False))) if len(segments) else {}
    plan_date = plan_date_for(business_date, rules)
    unknown = [
        m for m in manager_ids if m not in roster.index and not m.startswith(POOL_PREFIX)
    ]
    if unknown:
        log.warning(
            "render: %d lists belong to no manager on the roster (example %s)",
            len(unknown), unknown[0],
        )
    quality_counts = _quality_counts_by_list(inputs.quality_counts)
    contexts = []
    for manager_id in manager_ids:
        rows = by_manager.get(manager_id, joined.iloc[0:0])
        manager_name, branch_id, branch_name, locale = list_owner(manager_id, roster, rows)
        words = words_for(locale)
        views = _contact_views(rows, words, tier_labels(rules, words), manager_names, rules)
        planned = [v for v in views if v.status == "planned"]
        own = tuple(v for v in planned if v.assignment not in ("covered", TAKEOVER))
        covered_views = [v for v in planned if v.assignment == "covered"]
        taken_over = _takeover_groups([v for v in planned if v.assignment == TAKEOVER], words)
        covered = tuple(
            CoveredGroup(
                home_manager_id=home,
                home_manager_name=next(v.home_manager_name for v in covered_views
                                       if v.home_manager_id == home),
                contacts=tuple(v for v in covered_views if v.home_manager_id == home),
            )
            for home in sorted({v.home_manager_id for v in covered_views})
        )
        levels = pd.Series([v.priority_level for v in planned], dtype=int).value_counts()
        channels = pd.Series([v.channel_code for v in planned], dtype=str).value_counts()
        contexts.append(
            PlanContext(
                manager_id=manager_id,
                manager_name=manager_name,
                branch_id=branch_id,
                branch_name=branch_name,
                locale=locale,
                words=words,
                business_date=business_date,
                plan_date=plan_date,
                rules_version=rules.version,
                rules_hash=rules.content_hash[:12],
                quality=inputs.quality.for_list(quality_counts.get(manager_id, {})),
                document_title=words.gettext(
                    "Customer plan for %(plan_date)s: %(manager_name)s",
                    plan_date=words.date(plan_date), manager_name=manager_name,
                ),
                contacts=own,
                covered=covered,
                deferred=tuple(v for v in views if v.status == "deferred"),
                by_level=tuple((level, int(levels.get(level, 0))) for level in LEVELS),
                by_channel=tuple(
                    (_channel_label(code, words), int(count))
                    for code, count in sorted(channels.items(), key=_channel_sort_key)
                ),
                completion=_completion(inputs.feedback, manager_id),
                book=build_book(books.get(manager_id, segments.iloc[0:0]), rules, words),
                taken_over=taken_over,
                currency=rules.currency,
            )
        )
    return contexts
