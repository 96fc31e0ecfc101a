"""E-mail address.

A dotted domain with an alphabetic top-level domain; image and source file names
that look like addresses (``logo@2x.png``) are not, nor are addresses masked already
(``z***@qq.com``: two or more stars in the local part). The value is lower-cased.

>>> DETECTOR.validate('Zhang.San@Example.COM')
'zhang.san@example.com'
"""

from __future__ import annotations

import re

from dlp.checks import Email, EmailMask, Lower, Trim
from dlp.detector import Detector, Example, Severity
from dlp.errors import InvalidComponent, InvalidFormat, InvalidLength

_FILE_SUFFIXES = frozenset(
    "png jpg jpeg gif svg webp bmp ico css js ts json html htm xml txt pdf md py zip".split()  # noqa: SIM905
)


# The local part takes the RFC 5322 characters that do not double as field
# delimiters (= ' ` | / ? { } do: key=value logs, URLs, quotes, pipes).
_LOCAL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-!#$&*^~"
_LOCAL_PART = re.compile(r"[a-z0-9_%+!#$&*^~\-]+(?:\.[a-z0-9_%+!#$&*^~\-]+)*")
_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+([a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)")


def validate(candidate: str) -> str:
    address = candidate.strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise InvalidFormat()
    if len(local) > 64 or len(domain) > 255:
        raise InvalidLength()
    # local: the allowed characters, no leading, trailing or doubled dot;
    # domain: two or more labels of 1-63 letters, digits or inner hyphens.
    if not address.isascii() or _LOCAL_PART.fullmatch(local) is None or "**" in local:
        raise InvalidFormat()  # "**": an address masked already (z***@qq.com)
    labels = _DOMAIN.fullmatch(domain)
    if labels is None:
        raise InvalidFormat()
    tld = labels.group(1)
    if not tld.isalpha() or tld in _FILE_SUFFIXES:
        raise InvalidComponent()
    return address


def mask(address: str) -> str:
    local, _, domain = address.rpartition("@")
    return f"{local[0]}***@{domain}"


DETECTOR = Detector(
    name="email",
    description="E-mail address",
    severity=Severity.LOW,
    # Starts at the @ (one candidate per address); the core extends it left over
    # the local part. Label lengths are the validator's business.
    patterns=(r"@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}",),
    validate=validate,
    mask=mask,
    checks=(Trim(), Lower(), Email(_FILE_SUFFIXES)),
    masking=EmailMask(),
    context=("email", "customer"),
    joiners="._%+-!#$&*^~",
    extend_left=_LOCAL_CHARS,
    extend_left_max=64,
    base_confidence=0.8,
    context_confidence=0.95,
    priority=40,
    positives=(
        Example("邮箱：zhang.san@example.com", ("zhang.san@example.com",)),
        Example("<Li.Si+crm@Example.CN>", ("li.si+crm@example.cn",)),
        Example("1&23@qq.com", ("1&23@qq.com",)),
        Example("user=zhang.san@example.com|ok", ("zhang.san@example.com",)),
    ),
    negatives=("logo@2x.png", "user@localhost", "a..b@example.com", "@example.com", "汉字@qq.com"),
)
