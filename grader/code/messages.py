"""Every sentence the code grader says to a student, in English and Simplified Chinese.

Messages about a named quantity take ``{name}``; when several quantities share a fault the
names are joined and the ``<lang>_plural`` form (if given) is used, so that one line says
"your dE/dw5 and dE/dw7 have the wrong sign". A test checks that every message exists in
both languages with the same placeholders.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.text.messages import LANGUAGES, language

LANGS = LANGUAGES

MESSAGES: dict[str, dict[str, str]] = {
    # --- verdicts ---------------------------------------------------------------------------
    "passed": {"en": "All checks passed.", "zh": "全部检查通过。"},
    "checks": {"en": "{passed} of {total} checks passed.", "zh": "{total} 项检查中通过 {passed} 项。"},
    "more": {"en": "… and {count} more.", "zh": "……另有 {count} 处。"},
    # --- the process: why a call gave no value ----------------------------------------------
    "f_exception": {"en": "{function} raised {error}{where}.", "zh": "{function} 抛出了异常 {error}{where}。"},
    "f_not_implemented": {
        "en": "{function} is not implemented yet (it raises NotImplementedError).",
        "zh": "{function} 还没有实现(它抛出 NotImplementedError)。",
    },
    "f_missing": {"en": "Your file has no function {function}.", "zh": "你的文件中没有函数 {function}。"},
    "f_timeout": {
        "en": "{function} did not finish within {seconds} s (an endless loop?).",
        "zh": "{function} 在 {seconds} 秒内没有结束(是否陷入了死循环?)。",
    },
    "f_cpu": {"en": "{function} used up its CPU time.", "zh": "{function} 用完了 CPU 时间。"},
    "f_memory": {
        "en": "{function} ran out of memory (the limit is {limit}).",
        "zh": "{function} 内存不足(上限为 {limit})。",
    },
    "f_recursion": {
        "en": "{function} recursed too deeply (RecursionError){where}.",
        "zh": "{function} 递归过深(RecursionError){where}。",
    },
    "f_crash": {
        "en": "Python crashed while running {function} ({detail}).",
        "zh": "运行 {function} 时 Python 崩溃了({detail})。",
    },
    "f_exit": {
        "en": "{function} ended the program ({detail}); return the result instead of exiting.",
        "zh": "{function} 结束了程序({detail});请返回结果,而不是退出程序。",
    },
    "f_output": {
        "en": "{function} printed too much (more than {limit} of output).",
        "zh": "{function} 输出的内容过多(超过 {limit})。",
    },
    "f_blocked_read": {
        "en": "{function} tried to read {detail}, outside its own folder; that is not allowed.",
        "zh": "{function} 试图读取自身文件夹之外的 {detail},这是不允许的。",
    },
    "f_blocked_write": {
        "en": "{function} tried to write {detail}, outside its own folder; that is not allowed.",
        "zh": "{function} 试图写入自身文件夹之外的 {detail},这是不允许的。",
    },
    "f_blocked_network": {
        "en": "{function} tried to use the network; that is not allowed.",
        "zh": "{function} 试图访问网络,这是不允许的。",
    },
    "f_blocked_process": {
        "en": "{function} tried to start another program or process ({detail}); that is not allowed.",
        "zh": "{function} 试图启动其他程序或进程({detail}),这是不允许的。",
    },
    "f_blocked_other": {
        "en": "{function} tried something the grader does not allow ({detail}).",
        "zh": "{function} 执行了评分系统不允许的操作({detail})。",
    },
    "f_load_stopped": {
        "en": "Your file could not be loaded: while it ran, {reason}",
        "zh": "无法加载你的文件:运行时,{reason}",
    },
    "your_file": {"en": "your file", "zh": "你的文件"},
    "f_load": {
        "en": "Your file could not be loaded: {detail}{where}.",
        "zh": "无法加载你的文件:{detail}{where}。",
    },
    "f_depends": {
        "en": "Not checked: it needs the result of an earlier call that failed.",
        "zh": "未检查:它依赖的前一次调用失败了。",
    },
    "f_too_large": {
        "en": "{function} returned a value too large to check.",
        "zh": "{function} 返回的值太大,无法检查。",
    },
    "f_protocol": {
        "en": "{function} interfered with the grader's result channel.",
        "zh": "{function} 干扰了评分系统的结果通道。",
    },
    "f_budget": {
        "en": "Not checked: the time for the whole submission ran out.",
        "zh": "未检查:整份提交的运行时间已用完。",
    },
    "f_internal": {
        "en": "The grader could not run your code (not your fault; tell your teacher): {detail}",
        "zh": "评分系统无法运行你的代码(不是你的问题,请告诉老师):{detail}",
    },
    "f_file": {
        "en": "The submission file could not be read: {detail}.",
        "zh": "无法读取提交的文件:{detail}。",
    },
    "where_line": {"en": " at line {line}", "zh": "(第 {line} 行)"},
    "weak_sandbox": {
        "en": "warning: this machine does not let the sandbox use namespaces; the students' code ran as "
              "your user and only an audit hook kept it from your files and the network (see the README, "
              "\"The sandbox: what 'contained' means\").",
        "zh": "警告:本机不允许沙箱使用命名空间;学生的代码以你的用户身份运行,只有审计钩子阻止它访问你的文件和网络"
              "(见 README 中 \"The sandbox: what 'contained' means\" 一节)。",
    },
    # --- what a returned value looks like ----------------------------------------------------
    "wrong_value": {
        "en": "Your {name} is not the expected value (you gave {given}).",
        "en_plural": "Your {name} are not the expected values.",
        "zh": "你的 {name} 不是正确的值(你给出的是 {given})。",
        "zh_plural": "你的 {name} 不是正确的值。",
    },
    "wrong_sign": {
        "en": "Your {name} has the wrong sign.",
        "en_plural": "Your {name} have the wrong sign.",
        "zh": "你的 {name} 符号反了。",
    },
    "missing_value": {
        "en": "Your result has no {name}.",
        "zh": "你的结果中缺少 {name}。",
    },
    "not_a_number": {
        "en": "Your {name} should be a number, not {given}.",
        "en_plural": "Your {name} should be numbers.",
        "zh": "你的 {name} 应该是一个数,而不是 {given}。",
        "zh_plural": "你的 {name} 应该是数。",
    },
    "not_finite": {
        "en": "Your {name} is {given}, not a finite number.",
        "en_plural": "Your {name} are not finite numbers.",
        "zh": "你的 {name} 是 {given},不是有限的数。",
        "zh_plural": "你的 {name} 不是有限的数。",
    },
    "shape": {
        "en": "{name}: shape {expected} expected, got {given}.",
        "zh": "{name}:形状应为 {expected},实际为 {given}。",
    },
    "length": {
        "en": "{name} has {given} entries; expected {expected}.",
        "zh": "{name} 有 {given} 项,应为 {expected} 项。",
    },
    "type": {
        "en": "{name} should be {expected}, not {given}.",
        "zh": "{name} 应该是 {expected},而不是 {given}。",
    },
    # --- named faults ---------------------------------------------------------------------------
    "m_activation_derivative": {
        "en": "Your {name} is missing the sigmoid derivative a(1 − a).",
        "en_plural": "Your {name} are missing the sigmoid derivative a(1 − a).",
        "zh": "你的 {name} 漏掉了 sigmoid 的导数 a(1 − a)。",
    },
    "m_updated_weights": {
        "en": "Your {name}: hidden deltas use the updated weights; they must use the weights from before "
              "the update.",
        "zh": "你的 {name}:计算隐藏层误差项时用了更新后的权重;应使用更新前的权重。",
    },
    "m_half": {
        "en": "Your {name} is twice the right value: the 1/2 of the loss was forgotten.",
        "en_plural": "Your {name} are twice the right values: the 1/2 of the loss was forgotten.",
        "zh": "你的 {name} 是正确值的两倍:漏掉了损失函数中的 1/2。",
    },
    "m_step_added": {
        "en": "Your {name} adds the step: the update is w − η·∂E/∂w.",
        "en_plural": "Your {name} add the step: the update is w − η·∂E/∂w.",
        "zh": "你的 {name} 加上了这一步:更新应为 w − η·∂E/∂w。",
    },
    "m_epoch_shift": {
        "en": "Your {name} belongs to the neighbouring epoch: take the loss and the gradient at the weight "
              "before the update.",
        "zh": "你的 {name} 是相邻一轮的值:损失和梯度应在更新前的权重处计算。",
    },
    "m_no_sigmoid": {
        "en": "Your {name} equals its input: the sigmoid was not applied.",
        "en_plural": "Your {name} equal their inputs: the sigmoid was not applied.",
        "zh": "你的 {name} 等于它的输入:没有经过 sigmoid。",
    },
    "m_exponent_sign": {
        "en": "Your {name} is 1/(1 + e^z): the exponent must be −z.",
        "en_plural": "Your {name} are 1/(1 + e^z): the exponent must be −z.",
        "zh": "你的 {name} 是 1/(1 + e^z):指数应为 −z。",
    },
    "m_prime_of_activation": {
        "en": "Your {name} computes z(1 − z): apply a(1 − a) to a = sigmoid(z), not to z.",
        "en_plural": "Your {name} compute z(1 − z): apply a(1 − a) to a = sigmoid(z), not to z.",
        "zh": "你的 {name} 计算的是 z(1 − z):应先算 a = sigmoid(z),再算 a(1 − a)。",
    },
    "m_bias_not_shared": {
        "en": "Your {name} counts only one unit: a shared bias collects the gradients of every unit that "
              "uses it.",
        "en_plural": "Your {name} count only one unit: a shared bias collects the gradients of every unit "
                     "that uses it.",
        "zh": "你的 {name} 只算了一个神经元:共享的偏置要累加所有使用它的神经元的梯度。",
    },
    "m_bias_missing": {
        "en": "Your bias gradients {name} are zero or missing: dL/db(l) = delta(l).",
        "zh": "你的偏置梯度 {name} 为零或缺失:dL/db(l) = delta(l)。",
    },
    "m_first_layer": {
        "en": "Only the first layer's {name} is wrong: check the range of your layer loop (off by one: it "
              "stops before layer 0).",
        "zh": "只有第一层的 {name} 不对:检查层循环的范围(差了一:循环在第 0 层之前就停了)。",
    },
    "m_layer_shift": {
        "en": "Your {name} holds the value of a neighbouring layer: a layer index is off by one.",
        "en_plural": "Your {name} hold the values of neighbouring layers: a layer index is off by one.",
        "zh": "你的 {name} 是相邻层的值:层的下标差了一。",
    },
    "m_single_layer_input": {
        "en": "With a single layer your {name} does not use x: the input of layer 0 is x, not a(L − 1).",
        "zh": "只有一层时,你的 {name} 没有用到 x:第 0 层的输入是 x,而不是 a(L − 1)。",
    },
    "m_transposed": {
        "en": "Your {name} is transposed.",
        "en_plural": "Your {name} are transposed.",
        "zh": "你的 {name} 转置了。",
    },
    "m_fd_disagree": {
        "en": "Your {name} disagrees with finite differences of your own {function}.",
        "en_plural": "Your {name} disagree with finite differences of your own {function}.",
        "zh": "你的 {name} 与对你自己的 {function} 做有限差分的结果不一致。",
    },
    "m_fd_sign": {
        "en": "Your {name} has the wrong sign compared with finite differences of your own {function}.",
        "en_plural": "Your {name} have the wrong sign compared with finite differences of your own {function}.",
        "zh": "与对你自己的 {function} 做有限差分相比,你的 {name} 符号反了。",
    },
    "m_one_sided": {
        "en": "Your {name} is a one-sided difference (f(p + ε) − f(p))/ε; use the central difference "
              "(f(p + ε) − f(p − ε))/(2ε).",
        "en_plural": "Your {name} are one-sided differences (f(p + ε) − f(p))/ε; use the central difference "
                     "(f(p + ε) − f(p − ε))/(2ε).",
        "zh": "你的 {name} 用的是单侧差分 (f(p + ε) − f(p))/ε;请使用中心差分 (f(p + ε) − f(p − ε))/(2ε)。",
    },
    "m_eps_ignored": {
        "en": "Your {name} does not use the eps it was given.",
        "en_plural": "Your {name} do not use the eps they were given.",
        "zh": "你的 {name} 没有使用传入的 eps。",
    },
    "m_params_changed": {
        "en": "gradient_check changed {name}: restore each entry after moving it, or work on a copy.",
        "zh": "gradient_check 修改了 {name}:移动每一项后要恢复原值,或者在副本上操作。",
    },
    "m_history_w0": {
        "en": "Your {name} must start with w0, then one weight per epoch.",
        "zh": "你的 {name} 应以 w0 开头,之后每轮一个权重。",
    },
}


def names_text(names: Sequence[str], lang: str) -> str:
    """'a', 'a and b', 'a, b and c' (en) or 'a、b、c' (zh)."""
    names = list(names)
    if lang == "zh":
        return "、".join(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def message(key: str, lang: str = "en", names: Sequence[str] = (), **fields: object) -> str:
    """The message ``key`` in ``lang``, about ``names`` (joined) and with ``fields`` filled in."""
    lang = language(lang)
    table = MESSAGES[key]
    text = table[lang]
    if len(names) > 1 and f"{lang}_plural" in table:
        text = table[f"{lang}_plural"]
    return text.format(name=names_text(names, lang), **fields)
