"""Every sentence the grader says to a student, in English and Simplified Chinese.

One table, so a test can check that each message exists in both languages and takes the
same placeholders in each.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("en", "zh")  # every user-visible text exists in each; the first is the fallback

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
    "precision": {
        "en": "Give every numeric answer to at least {digits} significant figures.",
        "zh": "每个数值答案至少保留 {digits} 位有效数字。",
    },
    "mistake_credit": {
        "en": "This mistake earns {share} of the points.",
        "zh": "这个错误可得该题 {share} 的分数。",
    },
    "correct_own": {
        "en": "Correct: it follows from your own earlier values, which were within the tolerance.",
        "zh": "正确:它由你前面给出的数值算出,而那些数值在允许误差之内。",
    },
    "not_carried": {
        "en": "This follows from your earlier {inputs}, but earns no carried-forward credit: {why}",
        "zh": "这个值由你前面的 {inputs} 算出,但不能沿用前面的错误得分:{why}",
    },
    "trivial_zero": {
        "en": "with those values this step is zero or nothing, so no work was shown.",
        "zh": "用这些数值,这一步的结果为零或没有变化,看不出计算过程。",
    },
    "trivial_saturated": {
        "en": "{name} = {value} is a saturated unit (σ at 0 or 1), which makes this step trivial.",
        "zh": "{name} = {value} 是饱和的神经元(σ 取 0 或 1),这一步因此变得平凡。",
    },
    "trivial_copied": {
        "en": "{name} is the number {param} copied from the statement, not computed.",
        "zh": "{name} 是从题目中抄来的数 {param},不是算出来的。",
    },
    "copied_classmate": {
        "en": "your answers match another student's numbers far better than your own.",
        "zh": "你的答案与另一位同学的数值吻合得远比与你自己的数值好。",
    },
    "unchanged": {
        "en": "This is {name} before the update: one step of gradient descent must change it.",
        "zh": "这是更新前的 {name}:做一步梯度下降后它应当改变。",
    },
    "update_digits": {
        "en": "Updates are judged by their step {name} − {baseline}: your step {step}, expected {expected} "
              "(not within {tolerance}): keep more digits.",
        "zh": "更新按步长 {name} − {baseline} 评判:你的步长为 {step},应为 {expected}(超出 {tolerance}):"
              "请多保留几位有效数字。",
    },
    "incorrect_update": {
        "en": "Updates are judged by their step {name} − {baseline}: your step {step} is not within "
              "{tolerance} of the right step.",
        "zh": "更新按步长 {name} − {baseline} 评判:你的步长 {step} 与正确步长的差距超出了 {tolerance}。",
    },
    "read_as": {"en": "Read as {formula}.", "zh": "读作 {formula}。"},
    "restates_question": {
        "en": "{names} may not be used here: it is {asked} itself or comes after it in the derivation, "
              "so the formula would restate the question. Write {asked} with: {usable}.",
        "zh": "这里不能使用 {names}:它就是 {asked} 本身,或在推导中排在它之后,这样的公式只是重述了问题。"
              "请用以下名称写出 {asked}:{usable}。",
    },
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
        "en": "the activation derivative {derivative} is missing from the chain rule.",
        "zh": "链式法则中漏掉了激活函数的导数 {derivative}。",
    },
    "half_forgotten": {
        "en": "the 1/2 of the loss was dropped: E = (…)², not ½(…)².",
        "zh": "漏掉了损失函数中的 1/2:算成了 E = (…)²,而不是 ½(…)²。",
    },
    "half_doubled": {
        "en": "the 1/2 of the loss was applied twice: ¼(…)², not ½(…)².",
        "zh": "损失函数中的 1/2 被用了两次:算成了 ¼(…)²,而不是 ½(…)²。",
    },
    "hidden_activation_derivative_dropped": {
        "en": "the hidden unit's activation derivative {derivative} is missing; only the output's was used.",
        "zh": "漏掉了隐藏层神经元激活函数的导数 {derivative},只用了输出层的。",
    },
    "inner_derivative_dropped": {
        "en": "the inner derivative is missing from the chain rule "
              "(e.g. the factor x of ∂(wx)/∂w, or g′(x) in f′(g(x))·g′(x)).",
        "zh": "链式法则中漏掉了内层导数(例如 ∂(wx)/∂w 中的 x,或 f′(g(x))·g′(x) 中的 g′(x))。",
    },
    "activation_forgotten": {
        "en": "the sigmoid was left out of the forward pass: a unit's output is σ(z), not z.",
        "zh": "前向传播中漏掉了 sigmoid:神经元的输出是 σ(z),而不是 z。",
    },
    "wrong_weight_index": {
        "en": "{used} was used in {quantity} where the formula needs {right}.",
        "zh": "计算 {quantity} 时用了 {used},公式里应该是 {right}。",
    },
    "wrong_layer_weight": {
        "en": "the recursion for {quantity} used {used}; it needs the next layer's weight {right}.",
        "zh": "{quantity} 的递推用了 {used};应该用下一层的权重 {right}。",
    },
    "bias_one_delta": {
        "en": "a shared bias collects the deltas of every unit it feeds: its gradient is their sum, not one delta.",
        "zh": "共用的偏置接收它所连接的每个神经元的误差项:其梯度是这些误差项之和,而不是其中一个。",
    },
    "derivative_at_x0": {
        "en": "the outer derivative was evaluated at x₀; the chain rule needs f′ at g(x₀).",
        "zh": "外层函数的导数在 x₀ 处求值了;链式法则要求在 g(x₀) 处求 f′。",
    },
    "step_added": {
        "en": "the step was added instead of subtracted: the update is w − η·∂E/∂w.",
        "zh": "更新方向反了:应为 w − η·∂E/∂w,而不是加上这一步。",
    },
    "output_shortcut": {
        "en": "the output delta was taken as output − target; that shortcut holds only for softmax or sigmoid "
              "with cross-entropy.",
        "zh": "把输出层误差项直接写成了“输出 − 目标”;这个简化只对 softmax 或 sigmoid 配交叉熵成立。",
    },
    "velocity_not_carried": {
        "en": "the velocity was not carried over: v ← μv + ∂E/∂w, not v ← ∂E/∂w.",
        "zh": "没有保留之前的速度:应为 v ← μv + ∂E/∂w,而不是 v ← ∂E/∂w。",
    },
    "momentum_sign_flipped": {
        "en": "the momentum term has the wrong sign: v ← μv + ∂E/∂w, not v ← ∂E/∂w − μv.",
        "zh": "动量项的符号反了:应为 v ← μv + ∂E/∂w,而不是 v ← ∂E/∂w − μv。",
    },
    "decay_forgotten": {
        "en": "the weight-decay term λw is missing: the regularized gradient is ∂E/∂w + λw.",
        "zh": "漏掉了权重衰减项 λw:正则化梯度是 ∂E/∂w + λw。",
    },
    "decay_doubled": {
        "en": "the weight decay was applied twice: the regularized gradient is ∂E/∂w + λw, not ∂E/∂w + 2λw.",
        "zh": "权重衰减被算了两次:正则化梯度是 ∂E/∂w + λw,而不是 ∂E/∂w + 2λw。",
    },
    "updated_weights_in_deltas": {
        "en": "the hidden deltas used the updated weights; they use the weights from before the update.",
        "zh": "计算隐藏层误差项时用了更新后的权重;应使用更新前的权重。",
    },
    "off_by_one": {
        "en": "this is the value of {other}: check the index, the epoch or the layer.",
        "zh": "这是 {other} 的值:请检查下标、轮次或层数。",
    },
    "rounded_too_early": {
        "en": "intermediate values were rounded too early; keep at least 4 significant figures until the end.",
        "zh": "中间结果舍入得太早;在算到最后之前至少保留 4 位有效数字。",
    },
}


# A named mistake's short name, as the class summary and the item analysis list it.
MISTAKE_NAMES: dict[str, dict[str, str]] = {
    "sign_flipped": {"en": "sign flipped", "zh": "符号反了"},
    "activation_derivative_dropped": {"en": "activation derivative dropped", "zh": "漏掉激活函数的导数"},
    "half_forgotten": {"en": "½ of the loss dropped", "zh": "漏掉损失中的 ½"},
    "half_doubled": {"en": "½ of the loss applied twice", "zh": "损失中的 ½ 用了两次"},
    "hidden_activation_derivative_dropped": {"en": "hidden unit's activation derivative dropped",
                                             "zh": "漏掉隐藏层激活函数的导数"},
    "inner_derivative_dropped": {"en": "inner derivative dropped", "zh": "漏掉内层导数"},
    "activation_forgotten": {"en": "activation left out of the forward pass", "zh": "前向传播漏掉激活函数"},
    "wrong_weight_index": {"en": "wrong weight", "zh": "用错了权重"},
    "wrong_layer_weight": {"en": "weight of the wrong layer", "zh": "用错了层的权重"},
    "bias_one_delta": {"en": "shared bias: one delta instead of the sum", "zh": "共用偏置只用了一个误差项"},
    "derivative_at_x0": {"en": "outer derivative at x₀", "zh": "外层导数在 x₀ 处求值"},
    "velocity_not_carried": {"en": "velocity not carried over", "zh": "没有沿用上一步的速度"},
    "momentum_sign_flipped": {"en": "momentum term's sign flipped", "zh": "动量项符号反了"},
    "decay_forgotten": {"en": "weight decay forgotten", "zh": "漏掉权重衰减"},
    "decay_doubled": {"en": "weight decay applied twice", "zh": "权重衰减用了两次"},
    "step_added": {"en": "step added, not subtracted", "zh": "更新方向反了"},
    "output_shortcut": {"en": "output − target shortcut", "zh": "误用“输出 − 目标”简化"},
    "updated_weights_in_deltas": {"en": "updated weights in the deltas", "zh": "误差项用了更新后的权重"},
    "off_by_one": {"en": "off by one (index, epoch or layer)", "zh": "错位一格(下标、轮次或层)"},
    "rounded_too_early": {"en": "rounded too early", "zh": "舍入过早"},
}

# The Chinese glosses that statements give next to an option, accepted as that option.
OPTION_GLOSSES: dict[str, str] = {
    "单调收敛": "monotone", "一步到位": "one-step", "震荡收敛": "oscillating", "来回跳动": "bounded",
    "发散": "diverging", "左": "left", "左边": "left", "右": "right", "右边": "right", "是": "yes", "否": "no",
}


def language(lang: str) -> str:
    """``lang`` if the texts exist in it, else English: the one fallback rule of every table.

    >>> language("zh"), language("fr")
    ('zh', 'en')
    """
    return lang if lang in LANGUAGES else LANGUAGES[0]


def localized(table: Mapping[str, Mapping[str, str]], key: str, lang: str = "en", **fields: object) -> str:
    """Entry ``key`` of a bilingual table in ``lang`` (English for another language), filled in.

    Every module keeps its own table of sentences; this is the one way they are looked up.
    """
    return table[key][language(lang)].format(**fields)


def message(key: str, lang: str = "en", **fields: object) -> str:
    """The message ``key`` in ``lang`` with its placeholders filled."""
    return localized(MESSAGES, key, lang, **fields)


def mistake_text(name: str, lang: str = "en", **fields: object) -> str:
    """The description of a named mistake in ``lang``."""
    return localized(MISTAKES, name, lang, **fields)


def mistake_name(name: str, lang: str = "en") -> str:
    """A named mistake's short name in ``lang`` (the key itself for a name this table does not know)."""
    return localized(MISTAKE_NAMES, name, lang) if name in MISTAKE_NAMES else name
