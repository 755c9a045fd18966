"""Every sentence the self-quiz says, in English and Simplified Chinese.

:data:`MESSAGES` holds the quiz's own sentences, so that a test can check that each exists in
both languages with the same placeholders. The names of a family's solution steps
(``Answer.step``) belong to the family (:meth:`~grader.core.family.Family.step_name`); the
grader's own feedback comes from :mod:`grader.text.messages`.
"""

from __future__ import annotations

from grader.text.messages import LANGUAGES, localized

LANGS = LANGUAGES

MESSAGES: dict[str, dict[str, str]] = {
    "title": {
        "en": "Self-quiz: {family} (seed {seed}; the same problem again with --seed {seed})",
        "zh": "自测:{family}(种子 {seed};用 --seed {seed} 可再做同一道题)",
    },
    "title_canonical": {
        "en": "Self-quiz: {family} (the seed article's own numbers)",
        "zh": "自测:{family}(原文例题的数值)",
    },
    "instructions": {
        "en": "Answer each quantity in turn. Type a value (or a formula, or an option); "
        "? for a hint (again for the next one), s for the worked solution of this answer, q to stop and resume later.",
        "zh": "依次回答每个量。输入数值(或公式、选项);? 查看提示(再按一次看下一条),s 查看这个答案的详细解答,"
        "q 暂停(之后可以继续)。",
    },
    "step_heading": {"en": "Step {number}/{total}: {step}", "zh": "第 {number}/{total} 步:{step}"},
    "given_heading": {
        "en": "Given from the earlier steps:",
        "zh": "前面步骤的结果(已知):",
    },
    "options": {"en": "options: {options}", "zh": "可选:{options}"},
    "try_again": {
        "en": "Try again, or press Enter to keep this answer and go on (? hint, s solution).",
        "zh": "再试一次,或按回车保留这个答案继续(? 提示,s 解答)。",
    },
    "type_something": {
        "en": "Type a value, ? for a hint, s for the solution or q to stop.",
        "zh": "请输入数值;? 查看提示,s 查看解答,q 结束。",
    },
    "unknown_answer": {
        "en": "'{answer}' is not an answer of {family}; the answers are: {answers}.",
        "zh": "“{answer}”不是 {family} 的答案;答案有:{answers}。",
    },
    "unknown_step": {
        "en": "'{step}' is not a step of {family}; the steps are: {steps}.",
        "zh": "“{step}”不是 {family} 的步骤;步骤有:{steps}。",
    },
    "hint_heading_level": {
        "en": "Hint {level}/{levels} for {answer}:",
        "zh": "{answer} 的提示 {level}/{levels}:",
    },
    "hint_more": {
        "en": "(Ask for a hint again for the next one: {next} of {levels}.)",
        "zh": "(再要一次提示可看下一条:第 {next}/{levels} 条。)",
    },
    "another_offer": {
        "en": "Step done. Type n for another one like this (fresh numbers), or go on.",
        "zh": "这一步做完了。输入 n 再做一道同类的题(换一组数),或者继续。",
    },
    "another_none": {
        "en": "Solve a step first; then n gives another one like it.",
        "zh": "先完成一步,然后输入 n 再做一道同类的题。",
    },
    "another_title": {
        "en": "Another one like this: {family}, step '{step}' (seed {seed})",
        "zh": "再来一道同类的题:{family} 的“{step}”一步(种子 {seed})",
    },
    "another_back": {"en": "Back to the quiz.", "zh": "回到原来的题目。"},
    "resuming": {
        "en": "Resuming your stopped quiz (seed {seed}): {done} of {total} answers done. --new starts a fresh one.",
        "zh": "继续你上次中断的自测(种子 {seed}):已完成 {done}/{total} 个答案。用 --new 重新开始。",
    },
    "resume_unreadable": {
        "en": "The stopped quiz in {path} could not be read ({reason}); starting afresh.",
        "zh": "无法读取 {path} 中中断的自测({reason});重新开始。",
    },
    "resume_kept": {
        "en": "Stopped quiz kept: the same command resumes it.",
        "zh": "已保存中断的自测:再次运行同一命令即可继续。",
    },
    "hint_idea_numeric": {
        "en": "{answer} is computed from {inputs}. Which relation between them defines it?",
        "zh": "{answer} 由 {inputs} 算出。它们之间是什么关系?",
    },
    "hint_idea_symbolic": {
        "en": "Write the function as a chain of simple steps; its derivative is the product of the steps' "
        "derivatives (chain rule).",
        "zh": "把函数写成一串简单步骤的复合;它的导数是各步导数的乘积(链式法则)。",
    },
    "hint_numbers": {
        "en": "With your numbers:",
        "zh": "代入本题的数值:",
    },
    "read_as": {"en": "read as {value}", "zh": "读作 {value}"},
    "not_an_option": {
        "en": "'{value}' is not one of the options: {options}.",
        "zh": "“{value}”不是可选项之一:{options}。",
    },
    "check_button": {"en": "Check", "zh": "检查"},
    "no_widgets": {
        "en": "Input boxes need ipywidgets: pip install ipywidgets (q.check(...) works without it).",
        "zh": "输入框需要 ipywidgets:pip install ipywidgets(不装也可以用 q.check(...))。",
    },
    "answer_solution_heading": {"en": "Worked solution ({step}): {answer}", "zh": "详细解答({step}):{answer}"},
    "verdict_line": {
        "en": "{mark} {answer}{given}: {verdict}. {feedback}",
        "zh": "{mark} {answer}{given}:{verdict}。{feedback}",
    },
    "hint_numeric": {
        "en": "Compute it from its formula:",
        "zh": "按它的公式计算:",
    },
    "hint_constant": {
        "en": "{answer} does not depend on x here: it is a coefficient you can read off the statement's formula.",
        "zh": "这里 {answer} 与 x 无关:它就是题目公式中的一个系数,可以直接读出。",
    },
    "hint_symbolic": {
        "en": "Differentiate with the chain rule through these definitions, one factor per step:",
        "zh": "沿着这些定义用链式法则求导,每一步一个因子:",
    },
    "hint_choice": {
        "en": "Decide from the formulas of this problem:",
        "zh": "根据本题的公式判断:",
    },
    "hint_sigmoid": {
        "en": "σ(z) = 1/(1 + e^(−z)), and σ'(z) = σ(z)(1 − σ(z)).",
        "zh": "σ(z) = 1/(1 + e^(−z)),且 σ'(z) = σ(z)(1 − σ(z))。",
    },
    "solution_heading": {"en": "Worked solution: {step}", "zh": "详细解答:{step}"},
    "summary_heading": {"en": "Summary", "zh": "小结"},
    "summary_score": {
        "en": "Score {score:g} of {max:g} ({asked} answers asked).",
        "zh": "得分 {score:g} / {max:g}(共 {asked} 个答案)。",
    },
    "summary_counts": {
        "en": "{first} right at the first try, {later} right after another try, {wrong} left wrong, "
        "{shown} from the shown solution, {open} not answered.",
        "zh": "{first} 个一次答对,{later} 个再试后答对,{wrong} 个仍是错的,{shown} 个看了解答,{open} 个未作答。",
    },
    "summary_step": {"en": "{step}: {right}/{total} right", "zh": "{step}:{right}/{total} 正确"},
    "summary_mistakes": {"en": "Mistakes to watch:", "zh": "需要注意的错误:"},
    "summary_hints": {"en": "Hints used: {count}.", "zh": "用了 {count} 次提示。"},
    "progress_saved": {"en": "Progress saved to {path}.", "zh": "进度已保存到 {path}。"},
    "progress_unreadable": {
        "en": "The progress file {path} could not be read ({reason}); it was kept as {backup} "
        "and a new one is started.",
        "zh": "无法读取进度文件 {path}({reason});原文件已保存为 {backup},并重新开始记录。",
    },
    "progress_unwritable": {
        "en": "Progress could not be saved to {path}: {reason}",
        "zh": "无法把进度保存到 {path}:{reason}",
    },
    "review_pick": {
        "en": "Review: {family}, step '{step}' ({wrong} wrong of {total} so far).",
        "zh": "复习:{family} 的“{step}”一步(目前 {total} 次中错了 {wrong} 次)。",
    },
    "review_nothing": {
        "en": "Nothing to review yet: no wrong answers recorded. Here is a fresh problem.",
        "zh": "还没有可复习的内容:没有记录到错误答案。先做一道新题吧。",
    },
    "picture": {"en": "Picture: {command}", "zh": "图示:{command}"},
    "stopped": {"en": "Stopped.", "zh": "已结束。"},
    "all_done": {"en": "All steps done.", "zh": "所有步骤都完成了。"},
    "verdict_correct": {"en": "right", "zh": "正确"},
    "verdict_incorrect": {"en": "wrong", "zh": "错误"},
    "verdict_invalid": {"en": "not readable", "zh": "无法识别"},
    "verdict_missing": {"en": "missing", "zh": "未作答"},
    "plot_saved": {"en": "Saved {path} ({width}x{height} pixels).", "zh": "已保存 {path}({width}x{height} 像素)。"},
}

def say(key: str, lang: str = "en", **fields: object) -> str:
    """The quiz message ``key`` in ``lang`` (English when the language is unknown)."""
    return localized(MESSAGES, key, lang, **fields)
