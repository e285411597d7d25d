"""One address check for the gate and for delivery: one address, at one of the bank's domains.

Whatever a value holds besides a single plain address (a second line, a second address, a
display name, a quoted local part, an IP literal, invisible or bidirectional characters) must
be refused: any of them could add a recipient or a header, or show a reader a different
address from the one mailed.
"""

from __future__ import annotations

import pytest
from customer_plans.recipients import (
    DOMAIN_NOT_ALLOWED,
    MISSING,
    NOT_AN_ADDRESS,
    check_address,
    domain_allowed,
    header_text,
)

BANK = ("bank.example",)


def test_a_plain_address_at_the_bank_is_usable():
    checked = check_address("m00001@bank.example", BANK)
    assert checked.usable and checked.problem is None
    assert checked.address == "m00001@bank.example"


@pytest.mark.parametrize("value", ["  m00001@bank.example ", "m00001@bank.example\r\n",
                                   "\tm00001@bank.example\u2028"])
def test_surrounding_whitespace_is_harmless_and_not_kept(value):
    # the address returned is the one mailed: stripped, nothing of the value around it
    assert check_address(value, BANK).address == "m00001@bank.example"


def test_an_uppercase_domain_is_the_same_domain():
    checked = check_address("Zhang.Wei@BANK.EXAMPLE", BANK)
    assert checked.usable
    assert checked.address.lower() == "zhang.wei@bank.example"


@pytest.mark.parametrize("value", [None, "", "   ", 12345])
def test_nothing_on_record_is_missing(value):
    assert check_address(value, BANK) == check_address(None, BANK)
    assert check_address(value, BANK).problem == MISSING


@pytest.mark.parametrize("value", [
    "m00001@bank.example\r\nBcc: x@evil.example",
    "m00001@bank.example\nBcc: x@evil.example",
    "Bcc: x@evil.example",
    "m00001@bank.example, x@evil.example",
    "m00001@bank.example;x@evil.example",
    "Zhang Wei <m00001@bank.example>",
    '"zhang wei"@bank.example',
    "m00001@[192.0.2.1]",
    "m00001@[IPv6:2001:db8::1]",
    "m00001\u202e@bank.example",  # right-to-left override: reads as another address
    "m00001@bank.example\u200b",  # zero-width space
    "m00001@bank\u2028.example",  # line separator
    "m00001 at bank.example",
    "m00001@@bank.example",
    "m00001@bank.example.",
    "m00001@localhost",
    "x@host.local",
])
def test_anything_but_one_plain_address_is_not_an_address(value):
    checked = check_address(value, BANK)
    assert checked.problem == NOT_AN_ADDRESS, value
    assert checked.address is None and not checked.usable


def test_a_reserved_name_stays_refused_even_when_allow_listed():
    assert check_address("x@host.local", ("host.local", ".local")).problem == NOT_AN_ADDRESS


def test_an_address_outside_the_bank_is_refused_by_domain():
    checked = check_address("m00001@evil.example", BANK)
    assert checked.problem == DOMAIN_NOT_ALLOWED and checked.address is None
    # a look-alike ending is not the bank's domain
    assert check_address("m00001@notbank.example", BANK).problem == DOMAIN_NOT_ALLOWED
    assert check_address("m00001@bank.example.evil.example", BANK).problem == DOMAIN_NOT_ALLOWED


def test_subdomains_only_through_a_leading_dot_entry():
    assert check_address("m00001@hq.bank.example", BANK).problem == DOMAIN_NOT_ALLOWED
    dotted = (".bank.example",)
    assert check_address("m00001@hq.bank.example", dotted).usable
    assert check_address("m00001@a.hq.bank.example", dotted).usable
    assert check_address("m00001@bank.example", dotted).usable
    assert check_address("m00001@notbank.example", dotted).problem == DOMAIN_NOT_ALLOWED
    assert check_address("m00001@x.corp.example", ("bank.example", ".corp.example")).usable


def test_domain_allowed_ignores_case_and_a_trailing_dot():
    assert domain_allowed("BANK.example.", ["Bank.Example "])
    assert domain_allowed("HQ.Bank.Example", [".bank.example"])
    assert not domain_allowed("bank.example", [])


def test_header_text_is_one_line_without_control_or_invisible_characters():
    text = header_text("Zhang\r\nBcc: x@evil.example\u2028Wei\u200bLi\u202e\t ok")
    for character in ("\r", "\n", "\u2028", "\u200b", "\u202e", "\t"):
        assert character not in text, repr(character)
    assert text == "Zhang Bcc: x@evil.example Wei Li ok"
    assert len(text.splitlines()) == 1


def test_header_text_falls_back_and_is_cut():
    assert header_text(None, "fallback") == "fallback"
    assert header_text(float("nan"), "fallback") == "fallback"
    assert header_text(" \r\n ", "fallback") == "fallback"
    assert header_text("张伟") == "张伟"
    assert len(header_text("x" * 500)) == 200
