"""The synthetic core bank: deterministic, consistent, and realistic enough for the rules.

Most tests read the session's ``small_bank`` (1,500 customers, 12 managers, 3 branches,
seed 7; see conftest.py) and never modify it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from customer_plans.cli import main
from customer_plans.seed import BEHAVIOURS, generate_bank
from customer_plans.seed.generator import CONTRACT_TABLES, PRODUCT_KINDS, TRUTH_TABLE

AS_OF = date(2026, 11, 19)
HISTORY_DAYS = 100
WINDOW_START = AS_OF - timedelta(days=HISTORY_DAYS - 1)
# the tier ladder the generated AUM must cover (CNY, 30-day average daily balance)
TIER_FLOORS = [0, 50_000, 500_000, 2_000_000, 6_000_000]
TIERS = ["mass", "gold", "platinum", "diamond", "private"]
AUM_KINDS = ("current", "savings", "time_deposit", "wealth", "fund", "insurance")
DEPOSIT_LIKE = (*AUM_KINDS, "loan", "credit_card")
CUSTOMER_MADE_EXCLUDED = ("salary_credit", "interest", "fee")


def _query(path: Path, sql: str, params: tuple = ()) -> pd.DataFrame:
    with sqlite3.connect(path) as conn:
        return pd.read_sql(sql, conn, params=params)


def _scalar(path: Path, sql: str, params: tuple = ()):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchone()[0]


def _table_hashes(path: Path) -> dict[str, str]:
    """SHA-256 of every table's rows in a stable order."""
    hashes = {}
    with sqlite3.connect(path) as conn:
        for table in (*CONTRACT_TABLES, TRUTH_TABLE):
            digest = hashlib.sha256()
            for row in conn.execute(f"select * from {table} order by 1, 2"):
                digest.update(repr(row).encode())
            hashes[table] = digest.hexdigest()
    return hashes


def _small(path: Path, **overrides) -> dict[str, int]:
    params = dict(customers=600, managers=12, branches=3, as_of=AS_OF, seed=11,
                  chunk_size=250)
    params.update(overrides)
    return generate_bank(f"sqlite:///{path}", **params)


@pytest.fixture(scope="module")
def aum(small_bank) -> pd.DataFrame:
    """Daily AUM per customer over the history window (customers x days, 0 when no row)."""
    frame = _query(small_bank, f"""
        select a.customer_id, b.balance_date, sum(b.balance_cny) as aum_cny
        from account_balances b join accounts a on a.account_id = b.account_id
        where a.product_kind in ({", ".join("?" * len(AUM_KINDS))})
        group by a.customer_id, b.balance_date""", AUM_KINDS)
    days = pd.date_range(WINDOW_START, AS_OF).strftime("%Y-%m-%d")
    return frame.pivot(index="customer_id", columns="balance_date", values="aum_cny") \
        .reindex(columns=days).fillna(0.0)


@pytest.fixture(scope="module")
def truth(small_bank) -> pd.Series:
    return _query(small_bank, f"select * from {TRUTH_TABLE}").set_index(
        "customer_id")["planted_behaviour"]


# ----------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_tables(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    counts = _small(first)
    assert _small(second) == counts
    assert _table_hashes(first) == _table_hashes(second)


def test_other_seed_gives_other_bank(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    _small(first)
    _small(second, seed=12)
    assert _table_hashes(first)["customers"] != _table_hashes(second)["customers"]


def test_rerun_replaces_the_bank(tmp_path):
    path = tmp_path / "bank.db"
    _small(path, customers=300)
    counts = _small(path, customers=200)
    assert _scalar(path, "select count(*) from customers") == 200 == counts["customers"]
    assert _scalar(path, "select count(*) from accounts") == counts["accounts"]
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


# ----------------------------------------------------------------------------- integrity


@pytest.mark.parametrize("sql", [
    "select count(*) from managers m left join branches b using (branch_id) "
    "where b.branch_id is null",
    "select count(*) from customers c left join branches b using (branch_id) "
    "where b.branch_id is null",
    "select count(*) from customers c left join managers m using (manager_id) "
    "where c.manager_id is not null and m.manager_id is null",
    "select count(*) from accounts a left join customers c using (customer_id) "
    "where c.customer_id is null",
    "select count(*) from account_balances b left join accounts a using (account_id) "
    "where a.account_id is null",
    "select count(*) from transactions t left join accounts a using (account_id) "
    "where a.account_id is null or a.customer_id <> t.customer_id",
    "select count(*) from contact_history h left join customers c using (customer_id) "
    "where c.customer_id is null",
    "select count(*) from contact_history h left join managers m using (manager_id) "
    "where h.manager_id is not null and m.manager_id is null",
    "select count(*) from complaints x left join customers c using (customer_id) "
    "where c.customer_id is null",
    "select count(*) from restricted_list r left join customers c using (customer_id) "
    "where c.customer_id is null",
    f"select count(*) from {TRUTH_TABLE} t left join customers c using (customer_id) "
    "where c.customer_id is null",
    # nothing predates the customer or outlives the account
    "select count(*) from accounts a join customers c using (customer_id) "
    "where a.opened_date < c.onboarding_date",
    "select count(*) from transactions t join accounts a using (account_id) "
    "where t.transaction_date < a.opened_date or t.transaction_date > coalesce(a.closed_date, "
    "'9999-12-31')",
    "select count(*) from customers c join accounts a using (customer_id) "
    "where c.closed_date is not null and (a.closed_date is null or a.closed_date > c.closed_date)",
    "select count(*) from complaints where closed_date < opened_date",
])
def test_referential_integrity(small_bank, sql):
    assert _scalar(small_bank, sql) == 0


def test_one_balance_row_per_account_per_day_while_open(small_bank):
    accounts = _query(small_bank, "select account_id, opened_date, closed_date from accounts")
    first = pd.to_datetime(accounts["opened_date"]).clip(lower=pd.Timestamp(WINDOW_START))
    last = pd.to_datetime(accounts["closed_date"]).fillna(pd.Timestamp(AS_OF)).clip(
        upper=pd.Timestamp(AS_OF))
    expected = ((last - first).dt.days + 1).clip(lower=0)
    rows = _query(small_bank, "select account_id, count(*) as n, min(balance_date) as lo, "
                              "max(balance_date) as hi from account_balances group by 1")
    got = accounts["account_id"].map(rows.set_index("account_id")["n"]).fillna(0)
    assert (got.to_numpy() == expected.to_numpy()).all()
    assert rows["hi"].max() == AS_OF.isoformat()
    assert rows["lo"].min() == WINDOW_START.isoformat()


def test_balances_are_never_negative_and_cards_stay_within_limit(small_bank):
    assert _scalar(small_bank, f"""
        select count(*) from account_balances b join accounts a using (account_id)
        where a.product_kind in ({", ".join("?" * len(DEPOSIT_LIKE))}) and b.balance_cny < 0
        """, DEPOSIT_LIKE) == 0
    assert _scalar(small_bank, """
        select count(*) from account_balances b join accounts a using (account_id)
        where a.product_kind = 'credit_card' and b.balance_cny > a.credit_limit_cny""") == 0
    # a closed account's last row shows it emptied
    assert _scalar(small_bank, """
        select count(*) from account_balances b join accounts a
          on a.account_id = b.account_id and b.balance_date = a.closed_date
        where b.balance_cny <> 0""") == 0


def test_nothing_happens_after_the_business_date(small_bank):
    assert _scalar(small_bank, "select max(transaction_date) from transactions") \
        <= AS_OF.isoformat()
    assert _scalar(small_bank, "select min(transaction_date) from transactions") \
        >= WINDOW_START.isoformat()
    assert _scalar(small_bank, "select max(contact_ts) from contact_history") \
        <= f"{AS_OF.isoformat()} 23:59:59"
    assert _scalar(small_bank, "select max(onboarding_date) from customers") <= AS_OF.isoformat()


def test_transaction_directions_follow_their_type(small_bank):
    frame = _query(small_bank, "select transaction_type, direction, count(*) as n, "
                               "min(amount_cny) as low from transactions group by 1, 2")
    credit = {"salary_credit", "transfer_in", "cash_deposit", "product_redemption", "interest"}
    debit = {"card_spend", "transfer_out_internal", "transfer_out_other_bank",
             "cash_withdrawal", "product_purchase", "fee"}
    assert set(frame["transaction_type"]) == credit | debit
    for row in frame.itertuples():
        assert row.direction == ("credit" if row.transaction_type in credit else "debit")
        assert row.low > 0
    assert _scalar(small_bank, """select count(*) from transactions where
        (transaction_type = 'transfer_out_other_bank') <> (counterparty_bank is not null)
        and transaction_type <> 'transfer_in'""") == 0


def test_eod_status_closed_through_the_business_date(small_bank):
    frame = _query(small_bank, "select * from eod_status order by business_date")
    assert len(frame) == HISTORY_DAYS
    assert frame["business_date"].iloc[-1] == AS_OF.isoformat()
    assert (frame["closed_at"] > frame["business_date"]).all()


def test_business_date_can_be_left_open(tmp_path):
    path = tmp_path / "open.db"
    _small(path, customers=40, close_as_of=False)
    assert _scalar(path, "select max(business_date) from eod_status") == \
        (AS_OF - timedelta(days=1)).isoformat()


# ----------------------------------------------------------------------------- people


def test_managers_of_every_status_with_valid_backups(small_bank):
    managers = _query(small_bank, "select * from managers").set_index("manager_id")
    assert set(managers["status"]) == {"active", "on_leave", "left"}
    backups = managers.loc[managers["backup_manager_id"]]
    assert (backups["status"].to_numpy() == "active").all()
    assert (backups.index.to_numpy() != managers.index.to_numpy()).all()
    assert (backups["branch_id"].to_numpy() == managers["branch_id"].to_numpy()).all()
    on_leave = managers[managers["status"] == "on_leave"]
    assert ((on_leave["leave_start_date"] <= AS_OF.isoformat())
            & (on_leave["leave_end_date"] >= AS_OF.isoformat())).all()
    left = managers[managers["status"] == "left"]
    assert (left["left_date"] < AS_OF.isoformat()).all()
    assert managers["email"].str.fullmatch(r"m\d{5}@bank\.example").all()
    # left managers keep their book (customers to be covered); a few customers have none
    assert _scalar(small_bank, "select count(*) from customers c join managers m using "
                               "(manager_id) where m.status = 'left'") > 0
    assert _scalar(small_bank, "select count(*) from customers where manager_id is null") > 0


def test_national_ids_match_birth_date_and_gender(small_bank):
    customers = _query(small_bank, "select national_id, birth_date, gender, mobile_phone "
                                   "from customers")
    ids = customers["national_id"]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = ids.map(lambda s: "10X98765432"[sum(int(c) * w for c, w in zip(s[:17], weights,
                                                                          strict=True)) % 11])
    assert (check == ids.str[17]).all()
    assert (ids.str[6:14] == customers["birth_date"].str.replace("-", "")).all()
    assert ((ids.str[16].astype(int) % 2 == 1) == (customers["gender"] == "M")).all()
    phones = customers["mobile_phone"].dropna()  # some customers have none on record
    assert ids.is_unique and phones.is_unique
    assert phones.str.fullmatch(r"1[358]\d{9}").all()


def test_some_customers_have_no_phone_and_some_no_contact_details_at_all(small_bank):
    # (deterministic with the seed like every table: test_same_seed_gives_identical_tables)
    customers = _query(small_bank, "select mobile_phone, email, address from customers")
    no_phone = customers["mobile_phone"].isna()
    bare = no_phone & customers["email"].isna() & customers["address"].isna()
    assert 0.02 < no_phone.mean() < 0.08
    assert 0 < bare.sum() < no_phone.sum()


def test_customer_profiles_vary(small_bank):
    customers = _query(small_bank, "select * from customers")
    fields = ["email", "address", "occupation", "employer", "annual_income_cny",
              "risk_profile"]
    missing = customers[fields].isna().mean()
    assert ((missing > 0.05) & (missing < 0.6)).all(), missing
    minors = customers[customers["is_primary_holder"] == 0]
    assert 0 < len(minors) < 0.03 * len(customers)
    assert (minors["birth_date"] > (AS_OF.replace(year=AS_OF.year - 18)).isoformat()).all()
    assert set(customers["risk_profile"].dropna()) == {"R1", "R2", "R3", "R4", "R5"}
    # consent: mostly given, some withdrawn in the last 30 days; a few do-not-contact
    no_consent = customers[customers["marketing_consent"] == 0]
    assert 0.04 < len(no_consent) / len(customers) < 0.12
    recent = (AS_OF - timedelta(days=30)).isoformat()
    assert (no_consent["consent_updated_date"] >= recent).any()
    assert 0 < customers["do_not_contact"].sum() < 0.05 * len(customers)
    # birthdays in the next week
    birth = pd.to_datetime(customers["birth_date"])
    soon = [(AS_OF + timedelta(days=k)).strftime("%m-%d") for k in range(1, 8)]
    assert birth.dt.strftime("%m-%d").isin(soon).sum() > 5


def test_restricted_list_has_current_and_past_listings(small_bank):
    frame = _query(small_bank, "select * from restricted_list")
    assert frame["delisted_date"].isna().any() and frame["delisted_date"].notna().any()
    assert (frame["listed_date"] <= AS_OF.isoformat()).all()


def test_english_names(tmp_path):
    path = tmp_path / "en.db"
    _small(path, customers=60, names="en")
    assert _scalar(path, "select count(*) from managers where locale <> 'en'") == 0
    name = _scalar(path, "select customer_name from customers limit 1")
    assert name.isascii() and " " in name
    assert _scalar(path, "select branch_name from branches limit 1").endswith("Sub-branch")
    assert _scalar(path, "select count(*) from branches where locale <> 'en'") == 0
    assert _query(path, "select head_name from branches where head_name is not null")[
        "head_name"].map(str.isascii).all()


def test_branch_heads_are_filled_with_a_vacancy_and_a_default_language(small_bank):
    branches = _query(small_bank, "select * from branches order by branch_id")
    assert list(branches.columns) == ["branch_id", "branch_name", "city", "head_name",
                                      "head_email", "locale"]
    with_head = branches[branches["head_email"].notna()]
    # every head on record has a name and a well-formed, unique address of their own
    assert with_head["head_name"].notna().all()
    assert with_head["head_email"].str.fullmatch(r"br\d{3}\.head@bank\.example").all()
    assert with_head["head_email"].is_unique
    # a vacant post (no name, no address) and a head whose language is not on record,
    # so that delivery's "no address" path and the bank's default language both run
    vacant = branches[branches["head_email"].isna()]
    assert len(vacant) >= 1 and vacant["head_name"].isna().all()
    assert branches.loc[branches["head_email"].notna(), "locale"].isna().any()
    assert set(branches["locale"].dropna()) <= {"zh_CN", "en"}



# ----------------------------------------------------------------------------- products


def test_every_behaviour_and_product_kind_is_present(small_bank, truth):
    assert set(truth) == set(BEHAVIOURS)
    kinds = _query(small_bank, "select distinct product_kind from accounts")["product_kind"]
    assert set(kinds) == set(PRODUCT_KINDS)


def test_all_five_tiers_present_by_30_day_adb(aum):
    adb = aum.iloc[:, -30:].mean(axis=1)
    tiers = pd.cut(adb, [*TIER_FLOORS, float("inf")], right=False, labels=TIERS)
    shares = tiers.value_counts(normalize=True)
    assert (tiers.value_counts() > 0).all(), shares
    assert 0.6 < shares["mass"] < 0.8 and 0.12 < shares["gold"] < 0.28
    assert shares["private"] < shares["diamond"] < shares["platinum"] < shares["gold"]


def test_maturities_in_the_next_days(small_bank):
    frame = _query(small_bank, """
        select julianday(maturity_date) - julianday(?) as days_ahead, customer_id
        from accounts where product_kind in ('time_deposit', 'wealth')
          and closed_date is null and maturity_date >= ?""", (AS_OF.isoformat(),) * 2)
    ahead = frame["days_ahead"].astype(int)
    assert {0, 1, 3, 7} <= set(ahead[ahead <= 7])
    customers = _scalar(small_bank, "select count(*) from customers")
    share = frame.loc[ahead <= 30, "customer_id"].nunique() / customers
    assert 0.02 < share < 0.15


def test_recent_purchases_and_contacts_for_feedback(small_bank):
    recent = (AS_OF - timedelta(days=13)).isoformat()
    assert _scalar(small_bank, "select count(distinct customer_id) from transactions where "
                               "transaction_type = 'product_purchase' and transaction_date >= ?",
                   (recent,)) > 5
    for day in (AS_OF, AS_OF - timedelta(days=1)):
        assert _scalar(small_bank, "select count(*) from contact_history where "
                                   "substr(contact_ts, 1, 10) = ?", (day.isoformat(),)) > 0
    assert _scalar(small_bank, "select count(*) from contact_history where "
                               "initiated_by = 'customer' and purpose = 'enquiry'") > 0
    statuses = _query(small_bank, "select distinct status from complaints")["status"]
    assert {"closed"} < set(statuses) <= {"open", "in_progress", "closed"}
    assert _scalar(small_bank, "select count(*) from complaints where status <> 'closed' "
                               "and closed_date is not null") == 0


# ----------------------------------------------------------------------------- behaviours


def _trend(aum: pd.DataFrame, days_back: int) -> pd.Series:
    now = aum.iloc[:, -7:].mean(axis=1)
    then = aum.iloc[:, -7 - days_back:-days_back].mean(axis=1)
    return (now / then - 1) * 100


def test_planted_trajectories_show_in_the_balances(aum, truth):
    trend = _trend(aum, 90)
    by = trend.groupby(truth.reindex(trend.index)).median()
    assert by["declining"] < -30
    assert by["growing"] > 25
    assert abs(by["stable"]) < 5 and abs(by["dormant"]) < 1
    assert by["leaving"] < -99
    declining = trend[truth.reindex(trend.index) == "declining"]
    assert (declining < -25).mean() > 0.9
    stable = trend[truth.reindex(trend.index) == "stable"]
    assert (stable.abs() < 15).mean() > 0.95


def test_churn_signals_of_decliners_and_leavers(small_bank, truth):
    tx = _query(small_bank, "select customer_id, transaction_date, transaction_type, amount_cny "
                            "from transactions")
    tx["days_ago"] = (pd.Timestamp(AS_OF) - pd.to_datetime(tx["transaction_date"])).dt.days
    beh = tx["customer_id"].map(truth)
    # salary credits stopped a month or two ago
    salary = tx[tx["transaction_type"] == "salary_credit"]
    recent_salary = set(salary.loc[salary["days_ago"] < 30, "customer_id"])
    assert not recent_salary & set(truth[truth == "declining"].index)
    assert recent_salary & set(truth[truth == "stable"].index)
    # large transfers out to other banks
    out = tx[(tx["transaction_type"] == "transfer_out_other_bank") & (tx["days_ago"] < 90)]
    per_customer = out.groupby(out["customer_id"].map(truth))["amount_cny"].sum() / \
        truth.value_counts()
    assert per_customer["declining"] > 10 * per_customer["stable"]
    # dormant customers did nothing themselves for 90 days
    own = tx[~tx["transaction_type"].isin(CUSTOMER_MADE_EXCLUDED)]
    assert own.loc[beh.loc[own.index] == "dormant", "days_ago"].min() > 90
    # leavers are closed inside the window
    closed = _query(small_bank, "select customer_id, closed_date from customers "
                                "where closed_date is not null").set_index("customer_id")
    assert set(closed.index) == set(truth[truth == "leaving"].index)
    assert (closed["closed_date"] >= WINDOW_START.isoformat()).all()


def test_new_customers_joined_recently_with_few_products(small_bank, truth):
    customers = _query(small_bank, "select customer_id, onboarding_date from customers") \
        .set_index("customer_id")
    age = (pd.Timestamp(AS_OF) - pd.to_datetime(customers["onboarding_date"])).dt.days
    new = truth[truth == "new"].index
    assert (age[new] < 90).all() and (age[new] < 7).any() and (age[new] < 30).sum() > 1
    assert (age.drop(new) >= 90).all()
    products = _query(small_bank, "select customer_id, count(*) as n from accounts group by 1") \
        .set_index("customer_id")["n"]
    assert products[new].mean() < products.drop(new).mean()


# ----------------------------------------------------------------------------- interfaces


def test_cli_seed(tmp_path, capsys):
    path = tmp_path / "cli.db"
    status = main(["seed", "--customers", "80", "--managers", "4", "--branches", "2",
                   "--as-of", "2026-11-19", "--seed", "3", "--url", f"sqlite:///{path}",
                   "--history-days", "100", "--chunk-size", "50"])
    assert status == 0
    out = capsys.readouterr().out
    assert "customers 80" in out and "planted behaviours" in out
    assert _scalar(path, "select count(*) from customers") == 80


def test_cli_rejects_bad_arguments(tmp_path, capsys):
    status = main(["seed", "--customers", "10", "--managers", "1", "--branches", "2",
                   "--url", f"sqlite:///{tmp_path / 'x.db'}", "--quiet"])
    assert status == 2
    assert "managers (1) must be at least branches (2)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["seed", "--as-of", "20-11-2026"])


@pytest.mark.postgres
def test_postgresql_gets_the_same_bank(pg_schema_url, small_bank):
    import sqlalchemy as sa

    counts = generate_bank(pg_schema_url, customers=1500, managers=12, branches=3, as_of=AS_OF,
                           seed=7, progress=False)
    for table, n in counts.items():
        assert n == _scalar(small_bank, f"select count(*) from {table}"), table
    engine = sa.create_engine(pg_schema_url)
    try:
        with engine.connect() as conn:
            pg_total = conn.exec_driver_sql(
                "select sum(balance_cny) from account_balances").scalar_one()
            pg_kinds = {r[0] for r in conn.exec_driver_sql(
                "select distinct product_kind from accounts")}
    finally:
        engine.dispose()
    assert float(pg_total) == pytest.approx(
        _scalar(small_bank, "select sum(balance_cny) from account_balances"), rel=1e-9)
    assert pg_kinds == set(PRODUCT_KINDS)
