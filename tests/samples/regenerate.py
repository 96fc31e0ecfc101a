"""Rebuild the bundled sample folder ``tests/samples`` from a fixed seed.

Usage::

    python tests/samples/regenerate.py

The folder is what a new user scans first (``dlp scan tests/samples``). Every value
in it is synthetic (:mod:`dlp.synthetic`, seeded), so the same code and data tables
always give the same bytes; ``tests/test_samples.py`` checks both that and what a
scan reports for each file. ``decoys.log`` holds only look-alikes and must give no
finding. Words that signature rules match are written here as escapes, so that
scanning the folder reports them in ``contract.txt`` and not in this script.
"""

from __future__ import annotations

import random
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from stdnum import luhn
from stdnum.cn import uscc as std_uscc

from dlp import synthetic

HERE = Path(__file__).resolve().parent
SEED = "dlp-samples/1"
CUSTOMERS = 30
CONTACTS = 8
CITIES = ("北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "重庆")
STAMP = "\u673a\u5bc6\u6587\u4ef6 \u4e25\u7981\u5916\u4f20"  # confidentiality stamp (a signature rule)
FULLWIDTH = str.maketrans("0123456789()", "０１２３４５６７８９（）")


def _grouped(number: str, size: int = 4, sep: str = " ") -> str:
    return sep.join(number[i : i + size] for i in range(0, len(number), size))


def _mobile_344(number: str, sep: str) -> str:
    return f"{number[:3]}{sep}{number[3:7]}{sep}{number[7:]}"


def customers_gb18030(rng: random.Random) -> bytes:
    """Customer records as a spreadsheet exports them: GB18030, CRLF line ends."""
    lines = ["客户编号,姓名,手机,身份证号,车牌,邮箱,城市,登记日期"]
    for i in range(CUSTOMERS):
        mobile = synthetic.mobile(rng)
        if i % 5 == 3:
            mobile = _mobile_344(mobile, "-")
        registered = date(2023, 1, 1) + timedelta(days=rng.randint(0, 364))
        row = (
            f"KH{10001 + i}",
            synthetic.chinese_name(rng),
            mobile,
            synthetic.resident_id(rng),
            synthetic.plate(rng),
            synthetic.email(rng),
            rng.choice(CITIES),
            registered.isoformat(),
        )
        lines.append(",".join(row))
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def contract(rng: random.Random) -> bytes:
    """Contract prose: landlines, two company codes, a bank account, a confidentiality stamp."""
    area_a, sub_a = synthetic.landline(rng)
    area_b, sub_b = synthetic.landline(rng)
    card = synthetic.bank_card(rng, 19)
    text = f"""{STAMP}

技术服务合同

合同编号：HT-2024-0312-007
签订日期：2024年3月12日

甲方（委托方）：示例数据科技有限公司
统一社会信用代码：{synthetic.uscc(rng)}
联系电话：{area_a}-{sub_a}

乙方（受托方）：样本信息技术有限公司
统一社会信用代码：{synthetic.uscc(rng)}
联系电话：({area_b}){sub_b} 转 806

一、服务内容
乙方为甲方提供数据治理咨询服务，{synthetic.prose(rng, 60)}

二、合同金额与付款方式
合同总金额为人民币 128,000.00 元（大写：壹拾贰万捌仟元整），分两期支付。
甲方应于 2024年4月30日 前将首期款 64,000.00 元支付至乙方指定账户：
户名：样本信息技术有限公司
开户行：示例银行股份有限公司城东支行
账号：{_grouped(card)}

三、保密条款
双方对在履行本合同过程中知悉的对方商业信息负有保密义务，保密期限为合同终止后 3 年。
{synthetic.prose(rng, 50)}

四、其他
本合同一式两份，双方各执一份，自双方签字盖章之日起生效。
"""
    return text.encode("utf-8")


def _wxid(rng: random.Random) -> str:
    return "wxid_" + "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(10))


def wechat_export(rng: random.Random) -> bytes:
    """A contact dump as a messaging app exports it: UTF-16LE with a byte-order mark."""
    lines = ["微信联系人导出  2024-05-20 21:14", f"共 {CONTACTS} 位联系人", ""]
    for i in range(CONTACTS):
        name = synthetic.chinese_name(rng)
        mobile = synthetic.mobile(rng)
        lines += [
            "-" * 40,
            f"昵称：{name[1:]}{rng.choice('哥姐总')}",
            f"备注名：{name}",
            f"微信号：{_wxid(rng)}",
        ]
        lines.append(f"手机号：+86 {_mobile_344(mobile, ' ')}" if i % 3 == 0 else f"手机号：{mobile}")
        if i % 2 == 0:
            lines.append(f"邮箱：{synthetic.email(rng)}")
        lines.append(f"地区：{rng.choice(CITIES)}")
        if i == 2:
            lines.append(f"备注：车牌 {synthetic.plate(rng, 'ne_small')}，周五送货")
        if i == 5:
            lines.append(f"备注：身份证 {synthetic.resident_id(rng)} 已核验")
        lines.append(f"标签：{rng.choice(('客户', '供应商', '同事'))}")
    lines.append("")
    return b"\xff\xfe" + "\r\n".join(lines).encode("utf-16-le")


def _resident_id_ending_x(rng: random.Random) -> str:
    while True:
        number = synthetic.resident_id(rng)
        if number.endswith("X"):
            return number


def clipboard_dump(rng: random.Random) -> bytes:
    """Pasted fragments: full-width digits, +86 forms, spaced groups, mixed case."""
    m = [synthetic.mobile(rng) for _ in range(5)]
    area_fw, sub_fw = synthetic.landline(rng)
    area_86, sub_86 = synthetic.landline(rng)
    spaced = synthetic.resident_id(rng)
    lower_x = _resident_id_ending_x(rng).lower()
    wide_id = synthetic.resident_id(rng)
    old = synthetic.resident_id(rng, birth=date(1968, 4, 17))
    legacy = old[:6] + old[8:17]  # the same person's first-generation number
    plate = synthetic.plate(rng, "ne_small")
    card = synthetic.bank_card(rng, 16)
    address = synthetic.email(rng)
    local, _, domain = address.partition("@")
    wide_mobile = m[0].translate(FULLWIDTH)
    wide_landline = f"({area_fw}){sub_fw}".translate(FULLWIDTH)
    text = f"""【转发】{synthetic.chinese_name(rng)}的联系方式：手机 {wide_mobile}，座机 {wide_landline}
{synthetic.chinese_name(rng)} +86 {_mobile_344(m[1], " ")}
{synthetic.chinese_name(rng)} (+86){m[2]}
{synthetic.chinese_name(rng)} 0086-{_mobile_344(m[3], "-")}
Tel: +86 {area_86[1:]} {sub_86[:-4]} {sub_86[-4:]}

身份证：{spaced[:6]} {spaced[6:14]} {spaced[14:]}
证件号码 {lower_x}
身份证 {wide_id.translate(FULLWIDTH)}
旧身份证号码：{legacy}
车牌 {plate[:2]}·{plate[2:]}
卡号 {_grouped(card, sep="-")}
<{local.capitalize()}@{domain.upper()}>
https://crm.example.com/lead?mobile={m[4]}&src=share
"""
    return text.encode("utf-8")


def _bad_uscc(rng: random.Random) -> str:
    good = synthetic.uscc(rng)
    while True:
        bad = good[:17] + rng.choice(synthetic.USCC_ALPHABET)
        if not std_uscc.is_valid(bad):
            return bad


def _order_number(rng: random.Random) -> str:
    """A Luhn-valid 16-digit order number: a card number in form, but no bank words near it."""
    body = "8" + "".join(rng.choice("0123456789") for _ in range(14))
    return body + luhn.calc_check_digit(body)


def decoys_log(rng: random.Random) -> bytes:
    """An application log with look-alikes only: nothing in it may be reported."""
    t = datetime(2024, 5, 20, 9, 15, 2, 114000, tzinfo=timezone(timedelta(hours=8)))
    mobile = synthetic.mobile(rng)
    rid = synthetic.resident_id(rng)
    card = synthetic.bank_card(rng, 19)
    plate = synthetic.plate(rng)
    events = [
        f"[order-svc] order created order_no={_order_number(rng)} ts={int(t.timestamp() * 1000)}",
        f"[sms-gw] sms sent to={mobile[:3]}****{mobile[7:]} template=SMS_20240520 status=DELIVERED",
        f"[user-svc] profile loaded holder={rid[:6]}********{rid[14:]} verified=true",
        f"[order-svc] order paid order_no={_order_number(rng)} method=wallet cost=0.0123s",
        f"[parking] gate open plate_masked={plate[:2]}***{plate[-2:]} lane=B2-017",
        "[crm] hotline shown: 400-810-8888, 800-820-8820, 95588, 10086, 12315",
        f"[logistics] waybill=SF{rng.randint(10**12, 10**13 - 1)} weight=1.35kg",
        f"[batch] import row rejected ref={synthetic.resident_id_bad_checksum(rng)} reason=checksum",
        f"[batch] import row rejected ref={synthetic.resident_id_bad_date(rng)} reason=date",
        f"[batch] import row rejected ref={synthetic.resident_id_bad_region(rng)} reason=region",
        f"[sms-gw] msisdn={synthetic.mobile_bad_prefix(rng)} rejected: unknown network",
        f"[invoice] tax_ref={_bad_uscc(rng)} rejected: check character",
        "[web] GET /static/logo@2x.png 200 from 10.12.138.45 ua=Mozilla/5.0 build=3.13.8",
        "[mail] relay to user@localhost refused",
        f"[pay-svc] 绑卡失败：卡号 {card[:-1]}{(int(card[-1]) + 5) % 10} 校验位错误",
        f"[pay-svc] refund ok ref={card[:4]} **** **** {card[-4:]}",
        f"[metrics] uptime=1371234567 rss=138123456 seq={rng.randint(10**17, 10**18 - 1):x}",
        "[scheduler] next run 2024-05-21 02:00:00, window 02:00-04:00, retries 3",
    ]
    lines = []
    for event in events:
        t += timedelta(milliseconds=rng.randint(300, 90_000))
        level = rng.choice(("INFO", "INFO", "DEBUG", "WARN"))
        lines.append(f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d} {level:<5} {event}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def clean_notes(rng: random.Random) -> bytes:
    """Meeting notes without any personal data."""
    text = f"""# 周会纪要

日期：2024 年 5 月 20 日（周一）  参会：产品组、研发组、测试组

## 进度

- 版本 3.2.1 已于上周五发布，{synthetic.prose(rng, 30)}
- 数据治理项目完成第 2 阶段，{synthetic.prose(rng, 30)}
- 性能测试：吞吐 120 MB/s，P99 延迟 35 ms。

## 待办

- [ ] {synthetic.prose(rng, 20)}
- [ ] 下次周会：5 月 27 日 10:00，3 号会议室。
"""
    return text.encode("utf-8")


def build() -> dict[str, bytes]:
    """Relative path -> contents of every sample file; depends only on ``SEED`` and the tables."""
    rng = random.Random(SEED)
    return {
        "customers_gb18030.csv": customers_gb18030(rng),
        "contract.txt": contract(rng),
        "wechat_export_utf16.txt": wechat_export(rng),
        "clipboard_dump": clipboard_dump(rng),
        "decoys.log": decoys_log(rng),
        "notes/clean.md": clean_notes(rng),
    }


def main() -> int:
    for rel, data in build().items():
        target = HERE / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"wrote {target.relative_to(HERE.parent.parent)} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
