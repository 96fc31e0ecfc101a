"""Generators of synthetic personal data for tests and benchmarks.

Every value here is made up from a caller-supplied, seeded :class:`random.Random`,
so the same seed always gives the same data. Values are *valid in form* (check
digits, region codes, number prefixes from the shipped tables) but are never
copied from real records: this module never emits real data. E-mail addresses
use reserved or clearly fake domains (``example.com``, ``qq.example`` ...).

The ``*_bad_*`` generators return values that are invalid for exactly one
reason (checksum, date, region, prefix) so tests can tell rejections apart.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from stdnum import luhn
from stdnum.cn import ric
from stdnum.cn import uscc as _uscc

from dlp.data import load_table

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O
PLATE_SUFFIXES = "学警挂港澳使领"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_TYPES = ("91", "92", "93", "12", "11", "13", "51", "52", "53", "59")
CARD_PREFIXES = ("62", "62", "4", "51", "52", "53", "54", "55")  # UnionPay, Visa, Mastercard
BAD_REGIONS = ("000000", "999999", "990101", "000101", "990000")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "慕容")
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉兰萍鹏辉建文红飞宇浩凯晨欣怡佳子轩涵"
    "梓诺雨泽博睿思琪嘉俊婷雪峰波斌"
)
_WORDS = (
    "我们 今天 客户 公司 办理 业务 需要 提交 资料 已经 完成 核对 通知 系统 数据 管理 部门 负责 "
    "处理 相关 问题 服务 时间 下午 上午 会议 材料 项目 进度 确认 安排 同事 检查 结果 发送 文件 "
    "报告 情况 计划 明天 春节 活动 参加 记录 更新 流程 审批 合同 价格 产品 市场 销售 质量 培训 "
    "工作 学习 城市 天气 经理 团队 讨论 方案 调整 目标 提高 效率 沟通 反馈 意见 支持 协助"
)
WORDS = tuple(_WORDS.split())
_SYLLABLES = (
    "zhang wang li liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng "
    "liang xie song tang han feng deng cao peng wei fang na min jing li qiang lei jun yang yong "
    "yan jie juan tao ming chao xiu xia ping gang ying hua yu lan peng hui jian wen hong fei hao "
    "kai chen xin yi jia zi xuan han nuo ze bo rui si qi jun ting xue feng"
)
SYLLABLES = tuple(_SYLLABLES.split())
EMAIL_DOMAINS = (
    "example.com",
    "example.cn",
    "example.net",
    "example.org",
    "mail.example.com",
    "corp.example.cn",
    "qq.example",
    "163.example",
)
_FIRST_BIRTH = date(1930, 1, 1)
_LAST_BIRTH = date(2010, 12, 31)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _with_ric_check(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def county_regions() -> list[str]:
    """Region codes of the table that name a county (last two digits not ``00``)."""
    return sorted(k for k in load_table("cn_regions") if len(k) == 6 and not k.endswith("00"))


def resident_id(rng: random.Random, *, region: str | None = None, birth: date | None = None) -> str:
    """A valid 18-character resident ID (region from the table, MOD 11-2 check)."""
    if region is None:
        region = rng.choice(county_regions())
    if birth is None:
        span = (_LAST_BIRTH - _FIRST_BIRTH).days
        birth = _FIRST_BIRTH + timedelta(days=rng.randint(0, span))
    return _with_ric_check(region + birth.strftime("%Y%m%d") + _digits(rng, 3))


def resident_id_bad_checksum(rng: random.Random) -> str:
    """A resident ID whose only fault is a wrong check character."""
    good = resident_id(rng)
    wrong = [c for c in "0123456789X" if c != good[-1]]
    return good[:17] + rng.choice(wrong)


def resident_id_bad_date(rng: random.Random) -> str:
    """A resident ID with a correct check character but an impossible or future date."""
    year = rng.randint(1950, 2005)
    date = rng.choice(
        (
            f"{year}0230",  # 30 February
            f"{year}0231",
            f"{year}1301",  # month 13
            f"{year}0015",  # month 00
            f"{year}0500",  # day 00
            f"{year}0132",  # day 32
            f"{year}0431",  # 31 April
            f"{rng.choice((1951, 1997, 2001, 2003))}0229",  # not a leap year
            f"{rng.randint(2080, 2099)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
        )
    )
    return _with_ric_check(rng.choice(county_regions()) + date + _digits(rng, 3))


def resident_id_bad_region(rng: random.Random) -> str:
    """A resident ID with a valid date and check character but no such region."""
    regions = load_table("cn_regions")
    region = rng.choice([r for r in BAD_REGIONS if r not in regions])
    good = resident_id(rng)
    return _with_ric_check(region + good[6:17])


def mobile_prefixes() -> list[str]:
    return sorted(load_table("cn_mobile_prefixes"))


def mobile(rng: random.Random) -> str:
    """A mobile number: a prefix from the table followed by random digits (11 in all)."""
    prefix = rng.choice(mobile_prefixes())
    return prefix + _digits(rng, 11 - len(prefix))


def bad_mobile_prefixes() -> list[str]:
    """Three-digit ``1xx`` prefixes that no entry of the prefix table starts with."""
    known = mobile_prefixes()
    return [
        p
        for p in (f"1{n:02d}" for n in range(100))
        if not any(k.startswith(p) or p.startswith(k) for k in known)
    ]


def mobile_bad_prefix(rng: random.Random) -> str:
    """Eleven digits starting with 1 whose prefix is not a mobile network (e.g. 120)."""
    return rng.choice(bad_mobile_prefixes()) + _digits(rng, 8)


def landline(rng: random.Random) -> tuple[str, str]:
    """``(area code with its 0, subscriber number)``; subscriber starts with 2-9."""
    area = rng.choice(sorted(load_table("cn_area_codes")))
    size = 8 if len(area) == 3 else rng.choice((7, 8))
    return area, rng.choice("23456789") + _digits(rng, size - 1)


def plate(rng: random.Random, kind: str | None = None) -> str:
    """A plate number, upper case, no separator.

    ``kind`` is ``ordinary``, ``ne_small``, ``ne_large`` or ``special`` (学/警/挂...).
    """
    kind = kind or rng.choice(("ordinary", "ordinary", "ne_small", "ne_large", "special"))
    head = rng.choice(PROVINCES) + rng.choice(PLATE_LETTERS)
    digits = "0123456789"
    if kind == "ne_small":
        return head + rng.choice("DF") + rng.choice(PLATE_LETTERS + digits) + _digits(rng, 4)
    if kind == "ne_large":
        return head + _digits(rng, 5) + rng.choice("DF")
    if kind == "special":
        return head + _digits(rng, 4) + rng.choice(PLATE_SUFFIXES)
    if kind != "ordinary":
        raise ValueError(f"unknown plate kind {kind!r}")
    body = [rng.choice(digits) for _ in range(5)]
    for pos in rng.sample(range(5), rng.randint(0, 2)):
        body[pos] = rng.choice(PLATE_LETTERS)
    return head + "".join(body)


def _org_code(rng: random.Random) -> str:
    """A GB 11714 organisation code: 8 characters and its MOD 11 check character."""
    body = "".join(rng.choice(USCC_ALPHABET[:10] * 3 + USCC_ALPHABET[10:]) for _ in range(8))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def uscc(rng: random.Random) -> str:
    """A valid Unified Social Credit Code that is not also a valid resident ID."""
    while True:
        body = rng.choice(USCC_TYPES) + rng.choice(county_regions()) + _org_code(rng)
        code = body + _uscc.calc_check_digit(body)
        if not (code[:17].isdigit() and ric.calc_check_digit(code) == code[17]):
            return code


def _looks_like_other(number: str) -> bool:
    """True when an 18-digit number would also pass the resident-ID or USCC check."""
    if len(number) != 18:
        return False
    return ric.calc_check_digit(number) == number[-1] or _uscc.is_valid(number)


def bank_card(rng: random.Random, length: int | None = None) -> str:
    """A Luhn-valid card number of 16-19 digits with a 62 / 4 / 5x BIN."""
    size = length or rng.choice((16, 16, 16, 17, 18, 19, 19))
    while True:
        bin_ = rng.choice(CARD_PREFIXES)
        body = bin_ + _digits(rng, size - 1 - len(bin_))
        number = body + luhn.calc_check_digit(body)
        if not _looks_like_other(number):
            return number


def bank_card_bad_luhn(rng: random.Random, length: int | None = None) -> str:
    """A card number whose only fault is a wrong Luhn check digit."""
    while True:
        good = bank_card(rng, length)
        bad = good[:-1] + str((int(good[-1]) + rng.randint(1, 9)) % 10)
        if not _looks_like_other(bad):
            return bad


def email(rng: random.Random) -> str:
    """A pinyin-like address at a reserved or clearly fake domain."""
    local = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.3:
        local += rng.choice("._") + rng.choice(SYLLABLES)
    if rng.random() < 0.5:
        local += _digits(rng, rng.randint(2, 4))
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def chinese_name(rng: random.Random) -> str:
    """A plausible full name: surname (sometimes compound) and one or two given characters."""
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.05 else rng.choice(SURNAMES)
    return surname + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def prose(rng: random.Random, n_chars: int) -> str:
    """At most ``n_chars`` characters of random everyday Chinese, ending in a full stop."""
    if n_chars <= 0:
        return ""
    parts: list[str] = []
    length = 0
    while length < n_chars:
        clause = "".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6)))
        clause += rng.choice("，，，。。；！？")
        parts.append(clause)
        length += len(clause)
    return "".join(parts)[: n_chars - 1].rstrip("，。；！？") + "。"
