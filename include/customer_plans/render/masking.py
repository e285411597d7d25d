"""Masking of personal identifiers in anything that travels (email, PDF).

The plan shows only what a manager needs to act: the customer's name, the bank's
own customer number, and a masked mobile number (enough to recognise it in the
CRM). National IDs are never loaded for rendering; account and card numbers never
appear in full. ``scrub_text`` is the safety net for free text written upstream
(reasons, talking points, data-quality warnings): any identifier-shaped digit run
in it is masked before it reaches a template.

Decision on names: the plan body shows the customer's full name (the manager must
recognise whom to call); email subject lines and PDF titles carry no customer
names at all, only the manager's own name and the plan date, so names need no
partial masking.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from customer_plans.words.format import is_missing

MASK = "*"

_NATIONAL_ID = r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])|(?<![\d])\d{15}(?!\d)"
_MOBILE = r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"
# account and card numbers: 12 to 19 digits, in one run or in groups of four (never dates)
_ACCOUNT = r"(?<![\d-])(?:\d{12,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,4})?)(?![\d-])"
_IDENTIFIERS = re.compile(f"(?P<id>{_NATIONAL_ID})|(?P<mobile>{_MOBILE})|(?P<account>{_ACCOUNT})")


def _digits(value: Any) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit() or ch in "Xx")


def mask_phone(value: Any) -> str:
    """``"13812341234"`` -> ``"138****1234"``; other numbers keep only their last four digits."""
    if is_missing(value) or not str(value).strip():
        return ""
    digits = _digits(value)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1"):  # a mainland mobile number
        return f"{digits[:3]}{MASK * 4}{digits[-4:]}"
    if len(digits) >= 7:
        return MASK * 4 + digits[-4:]
    return MASK * 4


def mask_national_id(value: Any) -> str:
    """``"110101199003071234"`` -> ``"110***********1234"`` (length kept, birth date hidden)."""
    if is_missing(value) or not str(value).strip():
        return ""
    text = _digits(value)
    if len(text) < 8:
        return MASK * len(text)
    return text[:3] + MASK * (len(text) - 7) + text[-4:]


def mask_account_number(value: Any) -> str:
    """``"6222021234567890"`` -> ``"****7890"``: an account or card number, last four only."""
    if is_missing(value) or not str(value).strip():
        return ""
    digits = _digits(value)
    return MASK * 4 + digits[-4:] if len(digits) > 4 else MASK * 4


def scrub_text(text: Any) -> str:
    """Mask every national-ID, mobile- or account-shaped number inside free text."""
    if is_missing(text):
        return ""

    def _mask(match: re.Match[str]) -> str:
        if match.group("id"):
            return mask_national_id(match.group("id"))
        if match.group("mobile"):
            return mask_phone(match.group("mobile"))
        return mask_account_number(match.group("account"))

    return _IDENTIFIERS.sub(_mask, str(text))


# what a document must never carry from the data verbatim: control characters (but line
# breaks and tabs) and the bidirectional embeddings, overrides, isolates and marks, which
# make a stored "\u202elive" print as "evil"; zero-width joiners, which scripts need, stay
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                  "\u2066\u2067\u2068\u2069")
_KEPT_CONTROLS = frozenset("\n\t")
REPLACEMENT = "\ufffd"


def unsafe_character(char: str) -> bool:
    """True for a control or bidirectional-formatting character a document must not print."""
    return char in _BIDI or (unicodedata.category(char) == "Cc" and char not in _KEPT_CONTROLS)


def display_text(value: Any) -> Any:
    """Text from the data as a document prints it: each control or bidirectional-override
    character replaced by U+FFFD, so the reader sees that something was there and the text
    reads in the order it was stored. Anything that is not a string is returned as it is."""
    if not isinstance(value, str) or not any(unsafe_character(c) for c in value):
        return value
    return "".join(REPLACEMENT if unsafe_character(c) else c for c in value)
