"""The inputs of assignment, checked and normalised once: segments, staging frames, dates.

``people`` is one row per segmented customer with everything the rules read about them
(segments joined to the customers extract). The other frames keep only the columns
assignment reads, with dates as ``datetime64[D]`` so every rule is a whole-array comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from customer_plans.rules import Rules
from customer_plans.workdays import BankCalendar


class AssignmentError(ValueError):
    """The inputs cannot be assigned; the message names the table, column and an example."""


SEGMENT_COLUMNS = (
    "customer_id", "manager_id", "branch_id", "aum_cny", "tier_code", "tier_rank",
    "tier_change", "previous_tier_code", "churn_score", "churn_level", "churn_signals",
    "opportunities", "man_difficulty", "lifecycle_stage",
)

# the staging columns assignment reads (docs/pipeline.md); quarantine is optional
FRAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": (
        "customer_id", "birth_date", "closed_date", "branch_id", "manager_id",
        "preferred_channel", "marketing_consent", "do_not_contact",
        "mobile_phone", "email", "address",
    ),
    "restricted_list": ("customer_id",),
    "managers": (
        "manager_id", "branch_id", "daily_call_capacity", "daily_visit_capacity", "status",
        "leave_start_date", "leave_end_date", "left_date", "backup_manager_id",
    ),
    "recent_contacts": ("customer_id", "contact_ts", "channel", "outcome"),
    "complaints": ("complaint_id", "customer_id", "opened_date", "closed_date", "category"),
    "accounts": (
        "account_id", "customer_id", "product_kind", "closed_date", "maturity_date",
        "interest_rate_pct", "principal_cny", "balance_cny",
    ),
}

# the previous plan's columns that carry-over and feedback read
PREVIOUS_PLAN_COLUMNS = (
    "business_date", "branch_id", "manager_id", "customer_id", "status", "priority_level",
    "channel", "reason_codes", "carried_reason_codes", "first_planned_date",
)

CHURN_ORDER = {"low": 0, "medium": 1, "high": 2}
# the customers columns that make a channel reachable (rules channel_needs); people has a
# ``has_<column>`` flag for each
CONTACT_DETAIL_COLUMNS = ("mobile_phone", "email", "address")


def to_day(values: pd.Series | np.ndarray) -> np.ndarray:
    """Dates or timestamps (any unit, or ISO text) as ``datetime64[D]``; missing is NaT."""
    values = pd.Series(values)
    if len(values) == 0:
        return np.array([], dtype="datetime64[D]")
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values.astype("object"), errors="coerce", format="mixed")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.to_numpy(dtype="datetime64[D]")


def to_float(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def text_array(values) -> pa.Array:
    """Any text column as an Arrow string array."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        return pa.array(values, type=pa.string())
    values = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    return pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)


def member(values, pool) -> np.ndarray:
    """``values`` in ``pool`` (any text collections), element-wise, as a hash lookup in Arrow:
    pandas' ``isin`` on Arrow strings converts the pool one Python scalar at a time."""
    pool = list(pool) if isinstance(pool, set | frozenset) else pool
    return pc.fill_null(pc.is_in(text_array(values), value_set=text_array(pool)),
                        False).to_numpy(zero_copy_only=False)


def frame(columns: dict) -> pd.DataFrame:
    """A DataFrame that keeps object (text) arrays as they are: pandas would otherwise turn
    each into an Arrow string column, and every later ``to_numpy`` back again."""
    return pd.DataFrame({
        name: pd.Series(values, dtype=object) if isinstance(values, np.ndarray)
        and values.dtype == object else values
        for name, values in columns.items()
    })


def to_text(values: pd.Series) -> np.ndarray:
    """Text column as an object array of ``str`` (missing is ``None``)."""
    values = pd.Series(values)
    return values.astype("object").where(values.notna(), None).to_numpy(dtype=object)


def has_value(values) -> np.ndarray:
    """Element-wise: the text holds something besides blanks (missing is False)."""
    values = np.asarray(values, dtype=object)
    try:
        array = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers (a phone stored as an integer)
        series = pd.Series(values, dtype=object)
        array = pa.array(series.where(series.isna(), series.astype(str)), type=pa.string(),
                         from_pandas=True)
    length = pc.utf8_length(pc.utf8_trim_whitespace(array))
    return pc.fill_null(pc.greater(length, 0), False).to_numpy(zero_copy_only=False)


@dataclass
class Inputs:
    """Everything one assignment run reads, normalised."""

    business_date: date
    day: np.datetime64  # the business date as datetime64[D]
    contact_date: date  # the day the plan is worked: the working day the business date serves
    rules: Rules
    people: pd.DataFrame  # one row per segmented customer
    managers: pd.DataFrame
    accounts: pd.DataFrame
    complaints: pd.DataFrame
    contacts: pd.DataFrame  # recent contacts: customer_id, contact_day, channel, outcome
    restricted: set[str]
    quarantined: set[str]

    def __post_init__(self) -> None:
        # one hash index of the customers, reused by every lookup
        self.people_index = pd.Index(self.people["customer_id"])
        self.calendar = BankCalendar.from_rules(self.rules)

    def worked_on(self, business_date: date) -> np.datetime64:
        """The day the plan of an earlier ``business_date`` was worked."""
        served = self.calendar.plan_date(business_date)
        return np.datetime64(served or business_date + timedelta(days=1), "D")

    def positions(self, customer_ids) -> np.ndarray:
        """Row positions in ``people`` of ``customer_ids`` (-1 where unknown)."""
        return self.people_index.get_indexer(pd.Index(np.asarray(customer_ids, dtype=object)))

    @property
    def contact_day(self) -> np.datetime64:
        return np.datetime64(self.contact_date, "D")


def plan_date_of(business_date: date, rules: Rules) -> date:
    """The working day the run of ``business_date`` plans; an error when it serves none (the
    pipeline does not assign such a date: ``customer_plans.workdays``)."""
    served = BankCalendar.from_rules(rules).plan_date(business_date)
    if served is None:
        raise AssignmentError(BankCalendar.from_rules(rules).no_plan_reason(business_date))
    return served


def _require(frame: pd.DataFrame, table: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AssignmentError(
            f"{table} lacks column(s) {', '.join(missing)}; see docs/pipeline.md for the contract"
        )


def _unique(frame: pd.DataFrame, table: str, key: str) -> None:
    duplicated = frame[key].duplicated(keep=False)
    if duplicated.any():
        example = frame.loc[duplicated, key].iloc[0]
        raise AssignmentError(
            f"{table} has {int(duplicated.sum())} rows sharing a {key} (one expected), "
            f"e.g. {key}={example}"
        )


def check_rules(rules: Rules) -> None:
    """Cross-checks of the assignment rules against the tiers (the rules model checks the rest)."""
    tier_codes = {level.code for level in rules.tiers.levels}
    unknown = sorted(set(rules.assignment.holiday_greeting_tiers) - tier_codes)
    if unknown:
        raise AssignmentError(
            f"rules assignment.holiday_greeting_tiers names unknown tiers {unknown} "
            f"(tiers: {sorted(tier_codes)})"
        )


def build_people(segments: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Segments joined to the customers extract: one row per segmented customer, sorted by
    customer id (so a row position orders customers like their ids, whatever the input order).
    """
    _require(segments, "segments", SEGMENT_COLUMNS)
    _unique(segments, "segments", "customer_id")
    order = pc.sort_indices(text_array(segments["customer_id"])).to_numpy()
    segments = segments.iloc[order]
    people = frame({
        "customer_id": to_text(segments["customer_id"]),
        "manager_id": to_text(segments["manager_id"]),
        "branch_id": to_text(segments["branch_id"]),
        "tier_code": to_text(segments["tier_code"]),
        "tier_rank": to_float(segments["tier_rank"]),
        "tier_change": to_text(segments["tier_change"]),
        "previous_tier_code": to_text(segments["previous_tier_code"]),
        "churn_score": to_float(segments["churn_score"]),
        "churn_level": to_text(segments["churn_level"]),
        "churn_signals": to_text(segments["churn_signals"]),
        "opportunities": to_text(segments["opportunities"]),
        "man_difficulty": to_float(segments["man_difficulty"]),
        "lifecycle_stage": to_text(segments["lifecycle_stage"]),
        "aum_cny": to_float(segments["aum_cny"]),
        "aum_adb_cny": to_float(segments["aum_adb_cny"]) if "aum_adb_cny" in segments
        else to_float(segments["aum_cny"]),
    })
    people["churn_rank"] = people["churn_level"].map(CHURN_ORDER).fillna(0).to_numpy()
    customers = customers.drop_duplicates("customer_id")
    pos = pd.Index(to_text(customers["customer_id"])).get_indexer(people["customer_id"])
    known = pos >= 0
    safe = np.where(known, pos, 0)

    def column(name, convert, fill):
        values = convert(customers[name])
        if len(values) == 0:
            return np.full(len(people), fill)
        return np.where(known, values[safe], fill)

    people["birth_date"] = column("birth_date", to_day, np.datetime64("NaT", "D"))
    people["closed_date"] = column("closed_date", to_day, np.datetime64("NaT", "D"))
    people["preferred_channel"] = pd.Series(column("preferred_channel", to_text, None),
                                            dtype=object)
    # a customer the extract does not know has no consent on record: service contacts only
    people["marketing_consent"] = np.nan_to_num(column("marketing_consent", to_float, 0.0)) == 1
    people["do_not_contact"] = np.nan_to_num(column("do_not_contact", to_float, 0.0)) == 1
    # contact details: only whether the customer has one on record (channels.py), never the value
    for name in CONTACT_DETAIL_COLUMNS:
        people[f"has_{name}"] = has_value(column(name, to_text, None))
    return people


def build_inputs(segments: pd.DataFrame, frames: dict[str, pd.DataFrame],
                 business_date: date, rules: Rules) -> Inputs:
    """Check and normalise the inputs of :func:`customer_plans.assign.assign_contacts`."""
    check_rules(rules)
    for table, columns in FRAME_COLUMNS.items():
        if table not in frames:
            raise AssignmentError(f"staging extract {table!r} is missing; assignment needs "
                                  f"{', '.join(FRAME_COLUMNS)}")
        _require(frames[table], f"staging extract {table!r}", columns)
    _unique(frames["managers"], "staging extract 'managers'", "manager_id")
    people = build_people(segments, frames["customers"])

    managers = frames["managers"]
    roster = frame({
        "manager_id": to_text(managers["manager_id"]),
        "branch_id": to_text(managers["branch_id"]),
        "daily_call_capacity": np.nan_to_num(to_float(managers["daily_call_capacity"])),
        "daily_visit_capacity": np.nan_to_num(to_float(managers["daily_visit_capacity"])),
        "status": to_text(managers["status"]),
        "leave_start_date": to_day(managers["leave_start_date"]),
        "leave_end_date": to_day(managers["leave_end_date"]),
        "left_date": to_day(managers["left_date"]),
        "backup_manager_id": to_text(managers["backup_manager_id"]),
    })

    known = people["customer_id"].to_numpy(dtype=object)
    raw = frames["accounts"]
    raw = raw[member(raw["customer_id"], known) & raw["maturity_date"].notna().to_numpy()]
    accounts = frame({
        "account_id": to_text(raw["account_id"]),
        "customer_id": to_text(raw["customer_id"]),
        "product_kind": to_text(raw["product_kind"]),
        "closed_date": to_day(raw["closed_date"]),
        "maturity_date": to_day(raw["maturity_date"]),
        "rate_pct": to_float(raw["interest_rate_pct"]),
        "amount_cny": np.where(raw["principal_cny"].notna(), to_float(raw["principal_cny"]),
                               to_float(raw["balance_cny"])),
    })

    raw = frames["complaints"]
    raw = raw[member(raw["customer_id"], known)]
    complaints = frame({
        "complaint_id": to_text(raw["complaint_id"]),
        "customer_id": to_text(raw["customer_id"]),
        "category": to_text(raw["category"]),
        "opened_date": to_day(raw["opened_date"]),
        "closed_date": to_day(raw["closed_date"]),
    })

    raw = frames["recent_contacts"]
    contacts = frame({
        "customer_id": to_text(raw["customer_id"]),
        "contact_day": to_day(raw["contact_ts"]),
        "channel": to_text(raw["channel"]),
        "outcome": to_text(raw["outcome"]),
    })

    restricted = set(to_text(frames["restricted_list"]["customer_id"]))
    quarantine = frames.get("quarantine")
    quarantined: set[str] = set()
    if quarantine is not None and len(quarantine):
        if "customer_id" not in quarantine.columns:
            raise AssignmentError("quarantine lacks column customer_id; cannot tell which "
                                  "customers to leave out")
        quarantined = {c for c in to_text(quarantine["customer_id"]) if c is not None}

    return Inputs(
        business_date=business_date,
        day=np.datetime64(business_date, "D"),
        contact_date=plan_date_of(business_date, rules),
        rules=rules,
        people=people,
        managers=roster,
        accounts=accounts,
        complaints=complaints,
        contacts=contacts,
        restricted=restricted,
        quarantined=quarantined,
    )
