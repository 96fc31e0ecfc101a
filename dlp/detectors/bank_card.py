"""Payment card number (银行卡号), 16-19 digits with a Luhn check digit.

About one random number in ten passes Luhn, so a card number is only reported
with a bank-card context word nearby (银行卡, 卡号, 开户行, card ...). Written
plain or in groups of four separated by spaces or hyphens.

>>> DETECTOR.validate('6222 0212 3456 7890 128')
'6222021234567890128'
"""

from __future__ import annotations

from dlp.checks import DIGITS, Charset, Clean, Length, Luhn
from dlp.detector import Detector, Example, Severity, edges
from dlp.detectors._util import CODE_LABELS, clean, isdigits
from dlp.errors import InvalidChecksum, InvalidFormat, InvalidLength

# Digit sums of doubled digits (Luhn), as a str.translate table.
_DOUBLED = str.maketrans("0123456789", "0246813579")


def luhn_ok(number: str) -> bool:
    """Luhn check on ASCII digits (the C-level equivalent of ``stdnum.luhn.is_valid``)."""
    reverse = number[::-1]
    total = sum(map(int, reverse[0::2])) + sum(map(int, reverse[1::2].translate(_DOUBLED)))
    return total % 10 == 0


def validate(candidate: str) -> str:
    number = clean(candidate, drop=" -")
    if not isdigits(number):
        raise InvalidFormat()
    if not 16 <= len(number) <= 19:
        raise InvalidLength()
    if not luhn_ok(number):
        raise InvalidChecksum()
    return number


DETECTOR = Detector(
    name="bank_card",
    description="Payment card number (Luhn-valid, with bank-card context)",
    severity=Severity.HIGH,
    # No optional tail after a separator: YARA reports only the longest match per
    # start, and a tail like " 031" borrowed from the next number would hide the card.
    patterns=(
        r"[1-9][0-9]{15,18}",
        r"[1-9][0-9]{3}[ \-][0-9]{4}[ \-][0-9]{4}[ \-][0-9]{4}",
        r"[1-9][0-9]{3}[ \-][0-9]{4}[ \-][0-9]{4}[ \-][0-9]{4}[ \-][0-9]{1,3}",
    ),
    validate=validate,
    checks=(Clean(" -"), Charset(DIGITS), Length(16, 19), Luhn()),
    mask=edges(4, 4),
    context=("bank",),
    requires_context=True,
    refuted_by=CODE_LABELS,
    base_confidence=0.8,
    context_confidence=0.9,
    priority=70,
    positives=(
        Example("银行卡号：6222021234567890128", ("6222021234567890128",)),
        Example("卡号 6217 0000 0000 0000 129", ("6217000000000000129",)),
        Example("card: 4111-1111-1111-1111", ("4111111111111111",)),
        Example("银行卡号6222021234567890128 0318-33589525", ("6222021234567890128",)),
        Example("卡号 4111 1111 1111 1111 031 号", ("4111111111111111",)),
    ),
    negatives=(
        "订单号 6222021234567890128",  # Luhn-valid but no bank context
        "银行卡号 6222021234567890127",  # wrong check digit
        "卡号 622202123456789",  # too short
    ),
)
