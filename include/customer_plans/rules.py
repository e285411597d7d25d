"""The rules file: loaded into typed objects, validated at load time, hashed.

A bad rules file is a clear ``RulesError`` naming the key, never a crash in the
middle of a run. ``Rules.content_hash`` is the SHA-256 of the file's bytes and is
stamped on every output.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from customer_plans.settings import DEFAULT_RULES_PATH

PRODUCT_KINDS = (
    "current", "savings", "time_deposit", "wealth", "fund", "insurance", "loan", "credit_card",
)
# the reporting currency of a rules file that names none (ISO 4217)
DEFAULT_CURRENCY = "CNY"


class RulesError(ValueError):
    """The rules file is unusable; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierLevel(_Strict):
    code: str
    min_adb_cny: float = Field(ge=0)


class Tiers(_Strict):
    aum_product_kinds: list[Literal[PRODUCT_KINDS]]  # type: ignore[valid-type]
    adb_window_days: int = Field(gt=0, le=92)
    downgrade_hold_days: int = Field(ge=0)
    # a customer's history is their latest stored row at most this many days old
    history_lookback_days: int = Field(ge=1)
    levels: list[TierLevel] = Field(min_length=2)

    @model_validator(mode="after")
    def _ascending(self) -> Tiers:
        thresholds = [level.min_adb_cny for level in self.levels]
        if thresholds != sorted(thresholds) or len(set(thresholds)) != len(thresholds):
            raise ValueError("levels must be listed lowest first with strictly rising min_adb_cny")
        if thresholds[0] != 0:
            raise ValueError("the lowest level must start at min_adb_cny 0")
        return self

    @property
    def codes_top_first(self) -> list[str]:
        return [level.code for level in reversed(self.levels)]


class FamiliarityClass(_Strict):
    code: str
    min_reached_contacts: int = Field(ge=0)
    min_profile_completeness: float = Field(ge=0, le=1)


class Familiarity(_Strict):
    contact_window_days: int = Field(gt=0)
    profile_fields: list[str] = Field(min_length=1)
    classes: list[FamiliarityClass] = Field(min_length=2)

    @model_validator(mode="after")
    def _last_class_catches_all(self) -> Familiarity:
        last = self.classes[-1]
        if last.min_reached_contacts != 0 or last.min_profile_completeness != 0:
            raise ValueError("the last class must need 0 contacts and 0 completeness "
                             "so that every customer gets a class")
        return self


class GridGroup(_Strict):
    tier_band: str
    familiarity: str
    code: str


class Grid(_Strict):
    tier_bands: dict[str, list[str]]
    groups: list[GridGroup]


class ManNeed(_Strict):
    # an idle current balance is a need at the one threshold of the idle-balance opportunity
    # (opportunities.idle_current_balance_min_cny): one decision, one number
    maturity_within_days: int = Field(ge=0)
    enquiry_within_days: int = Field(ge=0)


class Man(_Strict):
    money_min_aum_cny: float = Field(ge=0)
    authority_min_age: int = Field(ge=0)
    need: ManNeed
    difficulty: dict[str, int]

    @model_validator(mode="after")
    def _eight_groups(self) -> Man:
        expected = {m + a + n for m in "Mm" for a in "Aa" for n in "Nn"}
        if set(self.difficulty) != expected:
            raise ValueError(f"difficulty must give all eight groups {sorted(expected)}")
        return self


class Lifecycle(_Strict):
    new_customer_days: int = Field(gt=0)
    growing_trend_90d_pct: float
    declining_trend_90d_pct: float
    declining_trend_30d_pct: float
    dormant_days_without_activity: int = Field(gt=0)
    potential_max_aum_cny: float = Field(ge=0)

    @model_validator(mode="after")
    def _trends_ordered(self) -> Lifecycle:
        if not self.declining_trend_90d_pct < 0 < self.growing_trend_90d_pct:
            raise ValueError("need declining_trend_90d_pct < 0 < growing_trend_90d_pct")
        if self.declining_trend_30d_pct >= 0:
            raise ValueError("declining_trend_30d_pct must be below 0")
        return self


class ChurnLevels(_Strict):
    medium_min_score: float
    high_min_score: float


class ChurnSignal(_Strict):
    weight: float = Field(ge=0)


class AumDeclineSignal(ChurnSignal):
    threshold_90d_pct: float = Field(lt=0)


class BalanceDeclineSignal(ChurnSignal):
    threshold_30d_pct: float = Field(lt=0)


class SalaryStoppedSignal(ChurnSignal):
    # the transaction summary covers three 30-day windows: a stop is seen for 1 or 2 months
    months_without: int = Field(ge=1, le=2)


class TransfersOutSignal(ChurnSignal):
    min_90d_cny: float = Field(ge=0)
    min_share_of_aum: float = Field(ge=0)


class ProductNotRenewedSignal(ChurnSignal):
    within_days: int = Field(ge=0)
    # a closed or matured product counts as renewed when the customer opened any product of
    # the same group on or after that date; kinds in no group never raise this signal
    renewal_groups: dict[str, list[Literal[PRODUCT_KINDS]]]  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _kinds_once(self) -> ProductNotRenewedSignal:
        kinds = [kind for group in self.renewal_groups.values() for kind in group]
        if len(kinds) != len(set(kinds)):
            raise ValueError("renewal_groups must place each product kind in one group at most")
        return self


class ComplaintSignal(ChurnSignal):
    recent_days: int = Field(ge=0)


class ChurnSignals(_Strict):
    """The churn signals, each with its weight and thresholds; ``signals["code"]`` works too."""

    aum_decline: AumDeclineSignal
    balance_decline_30d: BalanceDeclineSignal
    salary_stopped: SalaryStoppedSignal
    transfers_out: TransfersOutSignal
    product_not_renewed: ProductNotRenewedSignal
    dormant: ChurnSignal
    complaint: ComplaintSignal
    single_product: ChurnSignal

    def __getitem__(self, code: str) -> ChurnSignal:
        if code not in type(self).model_fields:
            raise KeyError(code)
        return getattr(self, code)

    def items(self) -> list[tuple[str, ChurnSignal]]:
        return [(code, getattr(self, code)) for code in type(self).model_fields]


class Churn(_Strict):
    levels: ChurnLevels
    signals: ChurnSignals

    @model_validator(mode="after")
    def _levels_ordered(self) -> Churn:
        if not 0 < self.levels.medium_min_score < self.levels.high_min_score <= 100:
            raise ValueError("levels need 0 < medium_min_score < high_min_score <= 100")
        return self


class Opportunities(_Strict):
    # maturities, birthdays, holidays and complaints are assignment rules (Assignment)
    idle_current_balance_min_cny: float = Field(ge=0)
    new_customer_follow_up_days: list[int]
    post_sale_follow_up_days: list[int]
    # a follow-up stays due this many days after its day, so a full day does not lose it
    follow_up_grace_days: int = Field(ge=0)


# the contact reasons the assignment stage produces; the rules must give each one a level,
# a channel and a suppression window (a typo in the rules file is an error, not a silent gap)
ASSIGNMENT_REASON_CODES = (
    "service_recovery", "maturity_due", "maturity_upcoming", "retention_top_tier", "retention",
    "cadence_overdue_top_tier", "tier_downgrade", "tier_upgrade", "cadence_overdue", "birthday",
    "holiday", "idle_balance", "new_customer_follow_up", "post_sale_follow_up", "carried_over",
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# what a channel can need for a customer to be reachable on it (assignment.channel_needs):
# a customers column holding a value, the customer's preferred_channel naming the channel, or a
# completed contact on the channel among the recent contacts
CHANNEL_NEEDS = ("mobile_phone", "email", "address", "preferred", "reached")


class ReasonRule(_Strict):
    level: int = Field(ge=1, le=3)
    service: bool
    suppress_days: int = Field(ge=0)
    # urgency score (0..1) of a reason whose urgency does not come from its facts
    urgency: float = Field(default=0.5, ge=0, le=1)
    # whether a deferred or unreached contact for this reason is worth carrying to the next day
    carry_over: bool = True


class Holiday(_Strict):
    date: date
    code: str


class ScoreWeights(_Strict):
    value: float = Field(ge=0)
    urgency: float = Field(ge=0)
    risk: float = Field(ge=0)
    difficulty: float = Field(ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> ScoreWeights:
        if self.value + self.urgency + self.risk + self.difficulty <= 0:
            raise ValueError("at least one score weight must be above 0")
        return self


class Assignment(_Strict):
    maturity_ladder_days: list[int] = Field(min_length=1)
    reasons: dict[str, ReasonRule]
    top_tiers: list[str]
    retention_top_tier_min_level: Literal["medium", "high"]
    retention_min_level: Literal["medium", "high"]
    cadence_days: dict[str, int]
    score_weights: ScoreWeights
    # a contact of this level or more urgent that finds the slots of its kind used up takes a
    # free slot of the other kind, by a channel the customer can be reached on (0: never)
    capacity_fallback_max_level: int = Field(default=2, ge=0, le=3)
    channels: dict[str, str]
    call_channels: list[str] = Field(min_length=1)
    message_channels: list[str] = Field(min_length=1)
    visit_channels: list[str] = Field(min_length=1)
    default_message_channel: str
    # reachability: what each channel needs (any one of; an empty list: nothing), and where a
    # contact goes when its channel is not reachable (channels.py)
    channel_needs: dict[str, list[Literal[CHANNEL_NEEDS]]]  # type: ignore[valid-type]
    channel_fallbacks: dict[str, list[str]]
    holidays: list[Holiday]
    holiday_greeting_days_before: int = Field(ge=0)
    holiday_greeting_tiers: list[str]
    non_working_weekdays: list[Literal[WEEKDAYS]]  # type: ignore[valid-type]
    # the country whose public holidays and make-up working days apply (``holidays`` library
    # code; null: weekdays only), and the bank's own days off and working days, which win
    holiday_calendar: str | None = "CN"
    bank_holidays: list[date] = Field(default_factory=list)
    bank_working_days: list[date] = Field(default_factory=list)
    # which calendar days the core system closes: every_day (a working day is planned from
    # the business date just before it) or working_days (from the last working day before it)
    core_closes: Literal["every_day", "working_days"] = "every_day"
    completed_outcomes: list[str] = Field(min_length=1)
    carry_over_max_level: int = Field(ge=1, le=3)
    carry_over_max_days: int = Field(ge=1)
    previous_plan_lookback_days: int = Field(ge=1)
    # the product kinds whose interest rate a maturity reason may quote (a deposit's rate is a
    # term of its contract; an investment's rate or yield is never quoted)
    quote_rate_for: list[Literal[PRODUCT_KINDS]]  # type: ignore[valid-type]
    forbidden_phrases: list[str]

    @model_validator(mode="after")
    def _consistent(self) -> Assignment:
        if any(day < 0 for day in self.maturity_ladder_days) or len(
            set(self.maturity_ladder_days)
        ) != len(self.maturity_ladder_days):
            raise ValueError("maturity_ladder_days must be distinct days >= 0")
        missing = [code for code in ASSIGNMENT_REASON_CODES if code not in self.reasons]
        unknown = sorted(set(self.reasons) - set(ASSIGNMENT_REASON_CODES))
        if missing or unknown:
            raise ValueError(
                f"reasons must list exactly the codes {list(ASSIGNMENT_REASON_CODES)}: "
                f"missing {missing}, unknown {unknown}"
            )
        groups = [self.call_channels, self.message_channels, self.visit_channels]
        channels = [channel for group in groups for channel in group]
        if len(channels) != len(set(channels)):
            raise ValueError("call_channels, message_channels and visit_channels must not overlap")
        allowed = {"preferred", "message", *channels}
        bad = {
            code: value for code, value in self.channels.items()
            if value not in allowed and not (code == "carried_over" and value == "previous")
        }
        if bad:
            raise ValueError(
                f"channels {bad} are not 'preferred', 'message' or a listed channel "
                "('previous' is allowed for carried_over only)"
            )
        extra = sorted(set(self.channels) - set(self.reasons))
        if extra:
            raise ValueError(f"channels names reasons that are not in reasons: {extra}")
        if self.default_message_channel not in self.message_channels:
            raise ValueError("default_message_channel must be one of message_channels")
        if set(self.channel_needs) != set(channels):
            raise ValueError(
                f"channel_needs must list every channel exactly {sorted(channels)}: "
                f"missing {sorted(set(channels) - set(self.channel_needs))}, "
                f"unknown {sorted(set(self.channel_needs) - set(channels))}")
        for channel, fallbacks in self.channel_fallbacks.items():
            wrong = [c for c in fallbacks if c not in channels or c == channel]
            if channel not in channels or wrong or len(set(fallbacks)) != len(fallbacks):
                raise ValueError(
                    f"channel_fallbacks.{channel} must be a channel with a list of other, "
                    f"distinct channels (of {sorted(channels)}); got {fallbacks}")
        if len(self.non_working_weekdays) >= len(WEEKDAYS):
            raise ValueError("non_working_weekdays must leave at least one working day")
        if self.holiday_calendar:
            import holidays

            if self.holiday_calendar not in holidays.list_supported_countries():
                raise ValueError(
                    f"holiday_calendar {self.holiday_calendar!r} is not a country code the "
                    "holidays library knows (e.g. CN, HK, SG); null for weekdays only")
        both = sorted(set(self.bank_holidays) & set(self.bank_working_days))
        if both:
            raise ValueError(f"bank_holidays and bank_working_days both list {both}")
        return self

    @property
    def non_working_weekday_numbers(self) -> list[int]:
        """``non_working_weekdays`` as Python weekday numbers (Monday = 0)."""
        return sorted(WEEKDAYS.index(day) for day in self.non_working_weekdays)

    def reason_order(self) -> list[str]:
        """Reason codes in the order the rules list them: ties in level break by this order."""
        return list(self.reasons)


class Rules(_Strict):
    version: str
    # the currency every amount is in (thresholds, data) and plans print: ISO 4217, known to Babel
    currency: str = DEFAULT_CURRENCY
    tiers: Tiers
    familiarity: Familiarity
    grid: Grid
    man: Man
    lifecycle: Lifecycle
    churn: Churn
    opportunities: Opportunities
    assignment: Assignment
    content_hash: str = ""
    source_path: str = ""

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, code: str) -> str:
        from babel.numbers import is_currency  # imported when rules load, not at DAG parse

        if not is_currency(code):
            raise ValueError(f"{code!r} is not an ISO 4217 currency code (e.g. CNY, HKD, USD)")
        return code

    @model_validator(mode="after")
    def _cross_references(self) -> Rules:
        tier_codes = {level.code for level in self.tiers.levels}
        familiarity_codes = {c.code for c in self.familiarity.classes}
        banded = [code for codes in self.grid.tier_bands.values() for code in codes]
        if sorted(banded) != sorted(tier_codes):
            raise ValueError("grid.tier_bands must place every tier code exactly once")
        pairs = {(g.tier_band, g.familiarity) for g in self.grid.groups}
        expected = {(b, f) for b in self.grid.tier_bands for f in familiarity_codes}
        if pairs != expected:
            raise ValueError("grid.groups must give one group per tier band and familiarity class")
        unknown = set(self.assignment.top_tiers) - tier_codes
        if unknown:
            raise ValueError(f"assignment.top_tiers names unknown tiers {sorted(unknown)}")
        if set(self.assignment.cadence_days) != tier_codes:
            raise ValueError("assignment.cadence_days must give a cadence for every tier code")
        missing = set(self.assignment.reasons) - set(self.assignment.channels)
        if missing:
            raise ValueError(f"assignment.channels has no channel for reasons {sorted(missing)}")
        return self


def load_rules(path: Path | str | None = None) -> Rules:
    """Load and validate the rules file (``include/config/rules.yaml`` by default)."""
    path = Path(path) if path is not None else DEFAULT_RULES_PATH
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulesError(f"rules file {path} cannot be read: {exc}") from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise RulesError(f"rules file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RulesError(f"rules file {path} must hold a mapping at the top level")
    data["content_hash"] = hashlib.sha256(raw).hexdigest()
    data["source_path"] = str(path)
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise RulesError(f"rules file {path} is invalid: {problems}") from None
