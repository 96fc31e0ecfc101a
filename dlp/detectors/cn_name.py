"""Chinese personal name (姓名).

Structure: a surname from the shipped table ``cn_surnames`` (the Hundred Family
Surnames, single like 张 and compound like 欧阳, plus common modern ones), then one
or two given-name characters (CJK ideographs): two to four characters in all. Most
such words are not names, so a name is reported only right after a label (姓名：,
客户姓名, 联系人, 收件人 ...) or in a column whose header names it (姓名, 客户名称, name ...),
and only as a whole word: not the middle of a longer run of ideographs, unless a
word such as 先生 or 电话 follows it. Words that often follow a label (客户经理,
客户满意度) and place names (成都, 武汉: a city column next to a name column) are
refused. The value is the name as written; the mask keeps the surname.

>>> DETECTOR.validate('欧阳娜娜')
'欧阳娜娜'
>>> DETECTOR.mask('欧阳娜娜'), DETECTOR.mask('张三')
('欧阳**', '张*')
"""

from __future__ import annotations

from dlp.checks import Excludes, Ideographs, InTable, Length, NotInTable, PrefixEdges
from dlp.data import load_table
from dlp.detector import Detector, Example, Severity
from dlp.errors import InvalidComponent, InvalidFormat, InvalidLength

TABLE = "cn_surnames"
PLACES = "cn_region_names"  # 成都, 武汉, 江门: a surname's character starts many place names
LABELS = (
    # A label also matches where it ends a longer one (户名 in 开户名, 姓名 in 客户姓名,
    # 联系人 in 紧急联系人), so only the short forms are listed; each label's first
    # character is looked for in every text, so labels starting with a common
    # character (经办人, 法定代表人, 负责人 as in 负责, 业主) are left to the header. A bare 客户 is not a
    # label: 客户公司, 客户需求, 客户通知 are far more common than 客户张三.
    "姓名",
    "联系人",
    "收件人",
    "收货人",
    "寄件人",
    "持卡人",
    "户名",
    "申请人",
    "投保人",
    "受益人",
    "患者",
    "乘客",
    "借款人",
    "担保人",
    "监护人",
)
# Words that follow a label but are not names (客户经理, 客户满意度, 联系人电话 ...), and
# characters no given name holds: a candidate containing one is refused.
STOPWORDS = (
    "经理",
    "先生",
    "女士",
    "小姐",
    "老师",
    "师傅",
    "同志",
    "主任",
    "总监",
    "主管",
    "服务",
    "满意",
    "关系",
    "管理",
    "单位",
    "代表",
    "方面",
    "方式",
    "包括",
    "成功",
    "安全",
    "余额",
    "全部",
    "资料",
    "信息",
    "名称",
    "姓名",
    "电话",
    "手机",
    "地址",
    "邮箱",
    "高级",
    "明细",
    "金额",
    "常见",
    "应用",
    "平台",
    "需求",
    "数量",
    "来源",
    "类型",
    "编号",
    "群体",
    "分析",
    "维护",
    "隐私",
    "权益",
    "端口",
    "某某",
    "计划",
    "都是",
    "都有",
    "都会",
    "都在",
    "都能",
    "能够",
    "通过",
    "满足",
    "支持",
    "时间",
    "时候",
    "文件",
    "从而",
    "从来",
    "东西",
    "方便",
    "方法",
    "方案",
    "明白",
    "高兴",
    "安装",
    "成为",
    "成本",
    "关注",
    "关于",
    "于是",
    "您",
    "的",
    "了",
    "们",
    "吗",
    "呢",
    "某",
)
# Words that may follow a name directly in prose (张三先生, 张三电话 ...).
WORD_ENDS = (
    "先生",
    "女士",
    "小姐",
    "同志",
    "老师",
    "电话",
    "手机",
    "联系",
    "身份证",
    "证件",
    "地址",
    "住址",
    "微信",
    "邮箱",
    "性别",
    "年龄",
    "的",
    "与",
    "和",
    "及",
    "等",
    "在",
    "于",
    "已",
    "是",
    "说",
    "收",
    "（",
)

_IDEOGRAPH = "(?:[\\xE4-\\xE9][\\x80-\\xBF][\\x80-\\xBF]|\\xE3[\\x90-\\xBF][\\x80-\\xBF])"


def _is_ideograph(char: str) -> bool:
    return "\u3400" <= char <= "\u4dbf" or "\u4e00" <= char <= "\u9fff"


def surname_size(name: str) -> int:
    """Characters of ``name``'s surname: 2 for a compound surname, else 1."""
    return 2 if name[:2] in load_table(TABLE) else 1


def validate(candidate: str) -> str:
    name = candidate
    if not 2 <= len(name) <= 4:
        raise InvalidLength()
    if name[:2] not in load_table(TABLE) and name[:1] not in load_table(TABLE):
        raise InvalidComponent()
    if not all(_is_ideograph(c) for c in name):
        raise InvalidFormat()
    if any(word in name for word in STOPWORDS) or name in load_table(PLACES):
        raise InvalidComponent()
    return name


def _pattern() -> str:
    surnames = sorted(load_table(TABLE), key=lambda s: (-len(s), s))
    return "(?:" + "|".join(surnames) + ")" + _IDEOGRAPH + "{1,2}"


DETECTOR = Detector(
    name="cn_name",
    description="Chinese personal name (after its label or in a name column)",
    severity=Severity.MEDIUM,
    patterns=(_pattern(),),
    validate=validate,
    checks=(Length(2, 4), InTable(TABLE, 0, (2, 1)), Ideographs(), Excludes(STOPWORDS), NotInTable(PLACES)),
    mask=PrefixEdges(TABLE, (2, 1), 0),
    context=("person_name",),
    labels=LABELS,
    requires_context=True,
    cjk_word=True,
    word_ends=WORD_ENDS,
    base_confidence=0.85,
    context_confidence=0.85,
    priority=30,
    positives=(
        Example("姓名：张三", ("张三",)),
        Example("联系人 欧阳娜娜，电话 13800138000", ("欧阳娜娜",)),
        Example("收件人：司马懿\n", ("司马懿",)),
        Example("收货人李小明电话", ("李小明",)),
        Example("持卡人为王芳。", ("王芳",)),
    ),
    negatives=(
        "张三说明天见",  # no label
        "请联系客户经理办理",  # 客户经理 is a role
        "客户满意度很高",
        "联系人：Alice",
        "姓名：张三丰富多彩的一生",  # the middle of a longer word
        "户名：某某公司",
    ),
)
