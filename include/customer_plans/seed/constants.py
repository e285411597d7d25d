"""The synthetic bank's vocabulary: table names, code lists, planted shares, their indices.

Plain data shared by the modules that generate the tables (``world``, ``customers``,
``behaviours``, ``accounts``, ``activity``) and the one that writes them (``writer``).
Integer constants such as ``CUR`` or ``T_SALARY`` are positions in the code lists, used as
array values; the strings are what the tables hold.
"""

from __future__ import annotations

import numpy as np

CONTRACT_TABLES = (
    "eod_status", "branches", "managers", "customers", "restricted_list", "accounts",
    "account_balances", "transactions", "contact_history", "complaints",
)
TRUTH_TABLE = "seed_truth"

# The tier ladder the synthetic AUM is stratified against. These are *targets for the
# generated population*, deliberately not read from rules.yaml: a source system knows
# nothing of the consumer's rules, and tests compare the two.
TIER_CODES = ("mass", "gold", "platinum", "diamond", "private")
TIER_FLOOR_CNY = (0.0, 50_000.0, 500_000.0, 2_000_000.0, 6_000_000.0)
TIER_SHARES = (0.70, 0.20, 0.07, 0.025, 0.005)
# target 30-day average daily AUM per tier: kept a little inside the floors so that day to
# day noise rarely carries a customer across a threshold; tilt > 1 favours the low end
LEVEL_LOW = np.array([1_500.0, 51_000.0, 510_000.0, 2_040_000.0, 6_150_000.0])
LEVEL_HIGH = np.array([47_000.0, 470_000.0, 1_900_000.0, 5_700_000.0, 60_000_000.0])
LEVEL_TILT = np.array([1.2, 1.8, 1.6, 1.5, 2.2])

BEHAVIOURS = ("stable", "growing", "declining", "dormant", "leaving", "new", "potential")
BEHAVIOUR_SHARES = (0.56, 0.12, 0.12, 0.08, 0.05, 0.03, 0.04)
STABLE, GROWING, DECLINING, DORMANT, LEAVING, NEW, POTENTIAL = range(7)

PRODUCT_KINDS = (
    "current", "savings", "time_deposit", "wealth", "fund", "insurance", "loan", "credit_card",
)
CUR, SAV, TD, WM, FUND, INS, LOAN, CARD = range(8)
AUM_KINDS = (CUR, SAV, TD, WM, FUND, INS)
FIXED_KINDS = (TD, WM, FUND, INS)  # products whose value does not follow day to day flows

TXN_TYPES = (
    "salary_credit", "card_spend", "transfer_in", "transfer_out_internal",
    "transfer_out_other_bank", "cash_deposit", "cash_withdrawal", "product_purchase",
    "product_redemption", "interest", "fee",
)
(T_SALARY, T_CARD, T_IN, T_OUT_INT, T_OUT_OTHER, T_CASH_IN, T_CASH_OUT, T_BUY, T_REDEEM,
 T_INTEREST, T_FEE) = range(11)
CREDIT_TYPES = (T_SALARY, T_IN, T_CASH_IN, T_REDEEM, T_INTEREST)
TXN_CHANNELS = ("counter", "mobile", "online", "atm", "pos", "batch")
C_COUNTER, C_MOBILE, C_ONLINE, C_ATM, C_POS, C_BATCH = range(6)

CONTACT_CHANNELS = ("phone", "visit", "sms", "wechat", "email", "app")
CONTACT_PURPOSES = (
    "maintenance", "maturity_reminder", "retention", "greeting", "sales", "service_recovery",
    "follow_up", "enquiry",
)
(P_MAINT, P_MATURITY, P_RETENTION, P_GREETING, P_SALES, P_RECOVERY, P_FOLLOW,
 P_ENQUIRY) = range(8)
CONTACT_OUTCOMES = ("reached", "no_answer", "declined", "message_sent")
CONTACT_HISTORY_DAYS = 180
COMPLAINT_CATEGORIES = ("service", "fees", "product", "staff", "system")
RESTRICTION_REASONS = (
    "aml_review", "fraud_investigation", "judicial_freeze", "sanctions_screening",
    "internal_watchlist",
)
MANAGER_STATUSES = ("active", "on_leave", "left")
ACTIVE, ON_LEAVE, LEFT = range(3)
PREFERRED_CHANNELS = CONTACT_CHANNELS

