"""OCR benchmark: recall and false positives of ``dlp`` on pictures it renders itself,
and the time of a scan with OCR beside the bare OCR engine on the same pictures.

Kinds (all values synthetic, from :mod:`dlp.synthetic`, seeded):

``excel``    an Excel-like grid (header row, gridlines, right-aligned numbers, some cells glued)
``wechat``   a WeChat-like contact list at phone size (540 x 1170, names, mobiles, notes)
``photo``    a printed list photographed: rotated, perspective, blurred, noisy, JPEG
``idcard``   an ID-card-like picture (name, address, the 18-character number)
``clean``    no personal data: order lists, bank statements (long account numbers, amounts),
             charts with axis numbers; near-miss digit runs of every length

``--heldout`` renders with another font (Noto Serif CJK instead of Sans), other sizes,
colours and distortions and another seed: images the tuning never saw.

Reported per kind: recall of planted mobiles, resident IDs and plates; precision of
those detectors' findings; findings on clean pictures; and the mean seconds per
picture of ``Scanner(ocr=True).scan_file`` (the whole ``dlp scan --ocr`` path: decode,
OCR, repairs, core, findings) beside the bare engine (``RapidOCR`` with the same models
and one thread, called on the same file), both warm, in the same run. Run it pinned::

    taskset -c 1 python benchmarks/ocr.py --per-kind 5
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

import dlp
from dlp import synthetic

SANS = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
KINDS = ("excel", "wechat", "photo", "idcard", "clean")
WATCHED = ("cn_mobile", "cn_resident_id", "cn_plate")


class Style:
    def __init__(self, heldout: bool) -> None:
        self.font_path = SERIF if heldout else SANS
        self.heldout = heldout

    def font(self, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(self.font_path, size + (2 if self.heldout else 0))


def excel(rng: random.Random, style: Style) -> tuple[Image.Image, set[tuple[str, str]]]:
    cols = [("姓名", 110), ("手机", 170), ("身份证号", 270), ("车牌", 130), ("消费", 90)]
    rows = 8
    width, height = sum(w for _, w in cols) + 60, 40 + 30 * (rows + 1) + 20
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = style.font(15)
    planted: set[tuple[str, str]] = set()
    draw.rectangle((0, 0, width, 28), fill=(33, 115, 70))
    draw.text((8, 5), "客户名单.xlsx - Excel", font=font, fill="white")
    for r in range(rows + 1):
        y = 40 + 30 * r
        x = 40
        draw.text((8, y + 6), str(r + 1), font=font, fill=(90, 90, 90))
        values = [c for c, _ in cols] if r == 0 else None
        if values is None:
            mobile, rid, plate = synthetic.mobile(rng), synthetic.resident_id(rng), synthetic.plate(rng)
            planted |= {("cn_mobile", mobile), ("cn_resident_id", rid), ("cn_plate", plate)}
            values = [synthetic.chinese_name(rng), mobile, rid, plate, f"{rng.randint(10, 9999)}.00"]
        for (_, w), text in zip(cols, values, strict=True):
            draw.rectangle((x, y, x + w, y + 30), outline=(200, 200, 200))
            right = r > 0 and text[:1].isdigit()
            tw = draw.textlength(text, font=font)
            draw.text((x + w - tw - 4 if right else x + 4, y + 6), text, font=font, fill="black")
            x += w
    return image, planted


def wechat(rng: random.Random, style: Style) -> tuple[Image.Image, set[tuple[str, str]]]:
    image = Image.new("RGB", (540, 1170), (237, 237, 237))
    draw = ImageDraw.Draw(image)
    big, small = style.font(22), style.font(16)
    draw.text((220, 40), "通讯录", font=big, fill="black")
    planted: set[tuple[str, str]] = set()
    for i in range(9):
        y = 100 + 115 * i
        draw.rectangle((0, y, 540, y + 110), fill="white")
        draw.rectangle((16, y + 15, 86, y + 85), fill=(rng.randint(60, 200), 150, rng.randint(60, 200)))
        draw.text((104, y + 18), synthetic.chinese_name(rng), font=big, fill="black")
        mobile = synthetic.mobile(rng)
        planted.add(("cn_mobile", mobile))
        shown = mobile if i % 3 else f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
        note = rng.choice(["备注: 老客户", "手机:", "电话", "微信同号"])
        draw.text((104, y + 58), f"{note} {shown}", font=small, fill=(110, 110, 110))
    return image, planted


def printed_list(rng: random.Random, style: Style, rows: int) -> tuple[Image.Image, set[tuple[str, str]]]:
    image = Image.new("RGB", (900, 60 + 44 * rows), "white")
    draw = ImageDraw.Draw(image)
    font = style.font(20)
    planted: set[tuple[str, str]] = set()
    draw.text((30, 15), "报名表", font=font, fill="black")
    for i in range(rows):
        mobile, rid = synthetic.mobile(rng), synthetic.resident_id(rng)
        planted |= {("cn_mobile", mobile), ("cn_resident_id", rid)}
        line = f"{i + 1}. {synthetic.chinese_name(rng)}  {mobile}  {rid}"
        draw.text((30, 60 + 44 * i), line, font=font, fill="black")
    return image, planted


def photo(rng: random.Random, style: Style) -> tuple[Image.Image, set[tuple[str, str]]]:
    image, planted = printed_list(rng, style, 6)
    paper = Image.new("RGB", (image.width + 120, image.height + 120), (120, 110, 100))
    paper.paste(image, (60, 60))
    angle = rng.uniform(-6, 6) if style.heldout else rng.uniform(-4, 4)
    paper = paper.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(120, 110, 100))
    if style.heldout:  # a little perspective: the top edge narrower
        w, h = paper.size
        d = rng.randint(10, 40)
        coeffs = _perspective([(d, 0), (w - d, 0), (w, h), (0, h)], [(0, 0), (w, 0), (w, h), (0, h)])
        paper = paper.transform((w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    paper = paper.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.3 if style.heldout else 1.0)))
    noise = Image.effect_noise(paper.size, 18).convert("RGB")
    paper = Image.blend(paper, noise, 0.08)
    return paper, planted


def _perspective(src: list[tuple[int, int]], dst: list[tuple[int, int]]) -> list[float]:
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    b = np.array([c for p in src for c in p], dtype=float)
    return list(np.linalg.solve(np.array(rows, dtype=float), b))


def idcard(rng: random.Random, style: Style) -> tuple[Image.Image, set[tuple[str, str]]]:
    image = Image.new("RGB", (856, 540), (226, 236, 242))
    draw = ImageDraw.Draw(image)
    font, big = style.font(24), style.font(30)
    rid = synthetic.resident_id(rng)
    draw.text((60, 50), f"姓名  {synthetic.chinese_name(rng)}", font=font, fill=(40, 40, 40))
    draw.text((60, 100), f"性别  {rng.choice('男女')}    民族  汉", font=font, fill=(40, 40, 40))
    draw.text(
        (60, 150),
        f"出生  {rid[6:10]} 年 {int(rid[10:12])} 月 {int(rid[12:14])} 日",
        font=font,
        fill=(40, 40, 40),
    )
    draw.text((60, 200), "住址  北京市朝阳区建国路88号", font=font, fill=(40, 40, 40))
    draw.rectangle((620, 60, 800, 280), fill=(200, 210, 220))
    draw.text((60, 420), "公民身份号码", font=font, fill=(40, 40, 40))
    draw.text((250, 416), rid, font=big, fill=(20, 20, 20))
    return image, {("cn_resident_id", rid)}


def clean(rng: random.Random, style: Style) -> tuple[Image.Image, set[tuple[str, str]]]:
    image = Image.new("RGB", (900, 520), "white")
    draw = ImageDraw.Draw(image)
    font = style.font(18)
    which = rng.choice(("orders", "statement", "chart"))
    if which == "chart":
        for i in range(6):
            y = 460 - 70 * i
            draw.line((80, y, 860, y), fill=(220, 220, 220))
            draw.text((10, y - 10), f"{i * 2500000:,}", font=font, fill="black")
        for i in range(10):
            h = rng.randint(30, 380)
            draw.rectangle((100 + 75 * i, 460 - h, 140 + 75 * i, 460), fill=(70, 130, 200))
            draw.text((95 + 75 * i, 470), f"2024{rng.randint(1, 12):02d}", font=font, fill="black")
        return image, set()
    title = "订单列表" if which == "orders" else "交易明细  账号 6222 " + _not_a_card(rng, 12)
    draw.text((20, 15), title, font=font, fill="black")
    for i in range(11):
        y = 55 + 42 * i
        if which == "orders":
            order = "20" + "".join(rng.choices("0123456789", k=rng.choice((14, 16, 17, 19, 20))))
            amount = f"{rng.randint(10, 99999)}.{rng.randint(0, 99):02d}"
            line = f"订单号 {order}   数量 {rng.randint(1, 20)}   金额 {amount}"
        else:
            serial = "".join(rng.choices("0123456789", k=rng.choice((10, 12, 13, 15, 16))))
            day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            line = f"{day}  流水 {serial}  余额 {rng.randint(1000, 9999999)}.{rng.randint(0, 99):02d}"
        draw.text((20, y), line, font=font, fill="black")
    return image, set()


def _not_a_card(rng: random.Random, digits: int) -> str:
    """``digits`` random digits that, after the ``6222`` prefix, fail the Luhn check:
    a near miss (a real account number after 账号 is a finding, not a false positive)."""
    from stdnum import luhn

    body = "".join(rng.choices("0123456789", k=digits))
    if luhn.is_valid("6222" + body):
        body = body[:-1] + str((int(body[-1]) + 1) % 10)
    return body


MAKERS = {"excel": excel, "wechat": wechat, "photo": photo, "idcard": idcard, "clean": clean}


def render(folder: Path, per_kind: int, heldout: bool) -> list[tuple[str, Path, set[tuple[str, str]]]]:
    rng = random.Random(7 if heldout else 3)
    style = Style(heldout)
    out = []
    for kind in KINDS:
        for i in range(per_kind):
            image, planted = MAKERS[kind](rng, style)
            path = folder / f"{kind}-{i}.{'jpg' if kind == 'photo' else 'png'}"
            if kind == "photo":
                image.save(path, "JPEG", quality=rng.randint(55, 80))
            else:
                image.save(path)
            out.append((kind, path, planted))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-kind", type=int, default=4, help="pictures of each kind (default 4)")
    parser.add_argument("--heldout", action="store_true", help="another font, other sizes and distortions")
    parser.add_argument("--no-bare", action="store_true", help="skip timing the bare engine")
    args = parser.parse_args()
    from dlp.ocr.engine import OcrEngine

    scanner = dlp.Scanner(dlp.ScanConfig(key=b"ocr-benchmark-key-0123456789", reveal=True, ocr=True))
    bare = None if args.no_bare else OcrEngine()._ocr  # the same RapidOCR, models and threads
    with tempfile.TemporaryDirectory() as tmp:
        images = render(Path(tmp), args.per_kind, args.heldout)
        scanner.scan_file(images[0][1])  # warm both up (model loading is not per picture)
        if bare is not None:
            bare(str(images[0][1]))
        stats: dict[str, dict[str, float]] = {
            k: {"planted": 0, "found": 0, "tp": 0, "fp": 0, "t_dlp": 0.0, "t_bare": 0.0, "n": 0}
            for k in KINDS
        }
        misses: list[str] = []
        for kind, path, planted in images:
            s = stats[kind]
            started = time.perf_counter()
            result = scanner.scan_file(path)
            s["t_dlp"] += time.perf_counter() - started
            if bare is not None:
                started = time.perf_counter()
                bare(str(path))
                s["t_bare"] += time.perf_counter() - started
            s["n"] += 1
            found = {(f.detector, f.value) for f in result.findings if f.detector in WATCHED}
            other = [f for f in result.findings if f.detector not in WATCHED]
            s["planted"] += len(planted)
            s["tp"] += len(found & planted)
            s["fp"] += len(found - planted) + (len(other) if kind == "clean" else 0)
            misses += [f"{path.name}: missed {d}" for d, _ in sorted(planted - found)]
            misses += [f"{path.name}: false {d}" for d, _ in sorted(found - planted)]
    head = ("kind", "images", "planted", "recall", "false", "dlp s/img", "bare s/img", "ratio")
    print("{:8} {:>6} {:>7} {:>7} {:>5} {:>9} {:>10} {:>6}".format(*head))
    total = {"planted": 0, "tp": 0, "fp": 0, "t_dlp": 0.0, "t_bare": 0.0}
    for kind in KINDS:
        s = stats[kind]
        recall = s["tp"] / s["planted"] if s["planted"] else float("nan")
        ratio = s["t_dlp"] / s["t_bare"] if s["t_bare"] else float("nan")
        row = (kind, s["n"], s["planted"], recall, s["fp"], s["t_dlp"] / s["n"], s["t_bare"] / s["n"], ratio)
        print("{:8} {:6.0f} {:7.0f} {:7.3f} {:5.0f} {:9.2f} {:10.2f} {:6.2f}".format(*row))
        for key in total:
            total[key] += s[key]
    precision = total["tp"] / max(total["tp"] + total["fp"], 1)
    print(
        f"all: recall {total['tp'] / max(total['planted'], 1):.4f}, precision {precision:.4f}, "
        f"findings on clean pictures {int(stats['clean']['fp'])}, "
        f"time dlp/bare {total['t_dlp'] / total['t_bare'] if total['t_bare'] else float('nan'):.2f}x"
    )
    for line in misses:
        print("  " + line)


if __name__ == "__main__":
    main()
