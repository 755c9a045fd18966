"""Every sentence the grader says to a student, in English and Simplified Chinese.

One table, so a test can check that each message exists in both languages and takes the
same placeholders in each.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    "correct": {"en": "Correct.", "zh": "正确。"},
    "missing": {"en": "No answer given.", "zh": "没有作答。"},
    "blank": {"en": "The answer is blank.", "zh": "答案为空。"},
    "not_finite": {
        "en": "{value} is not a finite number; give the value as a number such as 0.75.",
        "zh": "{value} 不是有限的数;请写成数字,例如 0.75。",
    },
    "incorrect_numeric": {
        "en": "Not within {tolerance} of the expected value.",
        "zh": "与正确值的差距超出了允许范围({tolerance})。",
    },
    "incorrect_symbolic": {
        "en": "This formula is not equivalent to the expected one.",
        "zh": "这个公式与正确答案不等价。",
    },
    "incorrect_choice": {"en": "That is not the right option.", "zh": "这个选项不对。"},
    "unknown_option": {
        "en": "'{value}' is not one of the options: {options}.",
        "zh": "“{value}”不是可选项之一:{options}。",
    },
    "carried_forward": {
        "en": "Consistent with your earlier {inputs}: the method is right, the error came earlier.",
        "zh": "与你前面给出的 {inputs} 一致:方法正确,错误出在前面的步骤。",
    },
    "mistake": {"en": "Likely mistake: {mistake}", "zh": "可能的错误:{mistake}"},
    "tolerance_relative": {"en": "{percent}% relative", "zh": "相对误差 {percent}%"},
    "tolerance_sigfigs": {"en": "{digits} significant figures", "zh": "{digits} 位有效数字"},
    "not_a_number_kind": {
        "en": "Expected a number here, not a formula.",
        "zh": "这里需要一个数,而不是公式。",
    },
}

MISTAKES: dict[str, dict[str, str]] = {
    "sign_flipped": {
        "en": "the sign is flipped.",
        "zh": "符号反了。",
    },
    "activation_derivative_dropped": {
        "en": "the sigmoid derivative a(1 − a) is missing from the chain rule.",
        "zh": "链式法则中漏掉了 sigmoid 的导数 a(1 − a)。",
    },
    "half_forgotten": {
        "en": "the 1/2 of the loss was dropped, so the value is twice the right one.",
        "zh": "漏掉了损失函数中的 1/2,结果是正确值的两倍。",
    },
    "half_doubled": {
        "en": "the 1/2 of the loss was applied twice, so the value is half the right one.",
        "zh": "损失函数中的 1/2 被用了两次,结果是正确值的一半。",
    },
    "step_added": {
        "en": "the step was added instead of subtracted: the update is w − η·∂E/∂w.",
        "zh": "更新方向反了:应为 w − η·∂E/∂w,而不是加上这一步。",
    },
    "updated_weights_in_deltas": {
        "en": "the hidden deltas used the updated weights; they use the weights from before the update.",
        "zh": "计算隐藏层误差项时用了更新后的权重;应使用更新前的权重。",
    },
    "off_by_one": {
        "en": "this is the value of {other}: one epoch or layer off.",
        "zh": "这是 {other} 的值:轮次或层数差了一。",
    },
    "rounded_too_early": {
        "en": "intermediate values were rounded too early; keep at least 4 significant figures until the end.",
        "zh": "中间结果舍入得太早;在算到最后之前至少保留 4 位有效数字。",
    },
}


# The Chinese glosses that statements give next to an option, accepted as that option.
OPTION_GLOSSES: dict[str, str] = {
    "单调收敛": "monotone", "一步到位": "one-step", "震荡收敛": "oscillating", "来回跳动": "bounded",
    "发散": "diverging", "左": "left", "左边": "left", "右": "right", "右边": "right", "是": "yes", "否": "no",
}


def localized(table: Mapping[str, Mapping[str, str]], key: str, lang: str = "en", **fields: object) -> str:
    """Entry ``key`` of a bilingual table in ``lang`` (English for another language), filled in.

    Every module keeps its own table of sentences; this is the one way they are looked up.
    """
    return table[key][lang if lang in LANGS else "en"].format(**fields)


def message(key: str, lang: str = "en", **fields: object) -> str:
    """The message ``key`` in ``lang`` with its placeholders filled."""
    return localized(MESSAGES, key, lang, **fields)


def mistake_text(name: str, lang: str = "en", **fields: object) -> str:
    """The description of a named mistake in ``lang``."""
    return localized(MISTAKES, name, lang, **fields)
