"""Every sentence the nbgrader adapter writes into a notebook, in English and Simplified Chinese.

One table, like :mod:`grader.text.messages`, so a test can check that each message exists in both
languages and takes the same placeholders in each.
"""

from __future__ import annotations

from grader.text.messages import LANGUAGES, language, localized

LANGS = LANGUAGES

MESSAGES: dict[str, dict[str, str]] = {
    "code_questions": {"en": "code questions ({ids}) are graded by `grader code`, not in a notebook",
                       "zh": "代码题({ids})由 `grader code` 评分,不放进 notebook"},
    # The notebook's fixed cells.
    "intro": {
        "en": "Run the cells from the top. The numbers of each question are your own: they depend on your "
              "student id. Write each answer in the cell under its question, replacing the `...`; run the "
              "test cell below it to see your result.",
        "zh": "请从上往下依次运行各个单元格。每道题的数字都是你自己的,由你的学号决定。在每道题下面的单元格里"
              "用你的答案替换 `...`,然后运行其下方的检查单元格查看结果。",
    },
    "student_id_cell": {
        "en": "Your student id, in quotes, e.g. \"s1234567\". On JupyterHub leave it empty: your user name is used.",
        "zh": "你的学号,写在引号里,例如 \"s1234567\"。在 JupyterHub 上请留空:系统会使用你的用户名。",
    },
    "question_title": {"en": "Question {question} ({points} points)", "zh": "第 {question} 题({points} 分)"},
    "answers_cell": {
        "en": "Replace each ... with your answer, then delete the last two lines "
              "(# YOUR CODE HERE and raise NotImplementedError()).",
        "zh": "用你的答案替换每个 ...,然后删掉最后两行(# YOUR CODE HERE 和 raise NotImplementedError())。",
    },
    "no_key": {
        "en": "Graded notebook: no key here; `grader nbgrader grade` grades the submissions.",
        "zh": "计分笔记本:这里没有标准答案;由 `grader nbgrader grade` 为提交评分。",
    },
    "hint_numeric": {"en": "a number, e.g. 0.75 or 3/4", "zh": "一个数,例如 0.75 或 3/4"},
    "hint_symbolic": {"en": "a formula in quotes, using {symbols}", "zh": "写在引号里的公式,可用 {symbols}"},
    "hint_formula": {"en": "a formula in quotes, with the names of the statement",
                     "zh": "写在引号里的公式,使用题目中的名称"},
    "hint_choice": {"en": "in quotes, one of: {options}", "zh": "写在引号里,从以下选一个:{options}"},
    "test_cell": {
        "en": "Grades question {question} against your own variant ({points} points).",
        "zh": "按你自己的题目数据为第 {question} 题评分(共 {points} 分)。",
    },
    "hidden_test_cell": {
        "en": "Checks that your answers to question {question} can be read; they are graded after you submit.",
        "zh": "检查第 {question} 题的答案能否被识别;提交后才评分。",
    },
    # Identity.
    "identity": {"en": "**Student:** `{student}` ({source})", "zh": "**学生:** `{student}`({source})"},
    "source_hub": {"en": "your JupyterHub user name", "zh": "你的 JupyterHub 用户名"},
    "source_system": {"en": "your system user name, which nbgrader submits under",
                      "zh": "你的系统用户名,nbgrader 以此提交"},
    "source_typed": {"en": "the STUDENT_ID you set", "zh": "你设置的 STUDENT_ID"},
    "no_id": {
        "en": "No student id yet: set STUDENT_ID in the cell above (in quotes), run it, then run this cell again.",
        "zh": "还没有学号:请在上面的单元格里设置 STUDENT_ID(写在引号里),运行它,再重新运行本单元格。",
    },
    "typed_differs": {
        "en": "STUDENT_ID is {typed!r} but nbgrader submits this notebook as {student!r}, so these are the numbers "
              "of {student!r}. Clear STUDENT_ID unless your teacher told you otherwise.",
        "zh": "STUDENT_ID 是 {typed!r},但 nbgrader 会以 {student!r} 的身份提交这份笔记本,所以这里显示的是 "
              "{student!r} 的题目数据。除非老师另有说明,请清空 STUDENT_ID。",
    },
    "not_on_list": {
        "en": "{wanted!r} is not on this course's student list, so this notebook has no numbers for it. Check "
              "STUDENT_ID (or your user name) for typos; if it is right, ask your teacher to add you to nbgrader "
              "and release the assignment again.",
        "zh": "{wanted!r} 不在本课程的学生名单上,因此这份笔记本没有它的题目数据。请检查 STUDENT_ID(或你的用户名)"
              "是否拼写有误;如果没有错,请让老师把你加入 nbgrader 并重新发布作业。",
    },
    "recorded": {
        "en": "Answers to question {question} recorded; they are graded by the teacher's `grader nbgrader grade`.",
        "zh": "第 {question} 题的答案已记录;由老师运行 `grader nbgrader grade` 评分。",
    },
    # Flags, written by grader nbgrader grade into nbgrader's gradebook.
    "flagged": {"en": "FLAGGED FOR THE TEACHER", "zh": "需要老师复核"},
    "mismatch": {
        "en": "this notebook was worked on as {typed!r} (its STUDENT_ID) but nbgrader received it from "
              "{student!r}. It was graded against the variant of {student!r}, never another key.",
        "zh": "这份笔记本作答时的学号是 {typed!r}(STUDENT_ID),但 nbgrader 收到的是 {student!r} 的提交。"
              "评分使用的是 {student!r} 自己的题目,绝不会用别人的答案。",
    },
    "other_key": {
        "en": "For comparison, against the variant of {typed!r} the answers to question {question} would score "
              "{score:g}/{max:g}.",
        "zh": "作为对照:按 {typed!r} 的题目,第 {question} 题的答案可得 {score:g}/{max:g} 分。",
    },
    "wrong_assignment": {
        "en": "this notebook was released for assignment {found!r}, not {expected!r}; it was graded as {expected!r}.",
        "zh": "这份笔记本是作业 {found!r} 的,不是 {expected!r};已按 {expected!r} 评分。",
    },
    "no_record": {
        "en": "no answers to question {question} were recorded during autograde (its test cell did not run the "
              "check, or the notebook replaced `hw`): 0 points pending review.",
        "zh": "自动评分时没有记录到第 {question} 题的答案(其检查单元格没有运行检查,或笔记本替换了 `hw`):"
              "在人工复核之前记 0 分。",
    },
    "computed": {
        "en": "answers to question {question} were computed while nbgrader ran the notebook, not written in it "
              "({answers}); check where the values came from.",
        "zh": "第 {question} 题的答案是在 nbgrader 运行笔记本时计算出来的,而不是写在笔记本里的({answers});"
              "请核实这些数值的来源。",
    },
    "copied": {
        "en": "the answers to question {question} match the variant of {other!r} far better than this student's "
              "own: no credit carried forward; check with the student.",
        "zh": "第 {question} 题的答案与 {other!r} 的题目吻合,远超与本人题目的吻合程度:不给予沿用分;请与学生核实。",
    },
    "bad_record": {
        "en": "the answers recorded for question {question} cannot be read ({why}): 0 points pending review.",
        "zh": "第 {question} 题记录的答案无法读取({why}):在人工复核之前记 0 分。",
    },
    "unreadable_notebook": {
        "en": "the autograded notebook {path} cannot be read ({why}): 0 points; run nbgrader autograde again.",
        "zh": "无法读取自动评分后的笔记本 {path}({why}):记 0 分;请重新运行 nbgrader autograde。",
    },
    # Answers and results.
    "unknown_answer": {
        "en": "Question {question} has no answer {name!r}; its answers are: {known}.",
        "zh": "第 {question} 题没有名为 {name!r} 的答案;可填写的答案有:{known}。",
    },
    "not_run": {
        "en": "The answer cell of question {question} did not run (or stopped before `{variable} = ...`); "
              "every answer counts as missing.",
        "zh": "第 {question} 题的作答单元格没有运行(或在 `{variable} = ...` 之前就出错停止),所有答案都按未作答处理。",
    },
    "carried": {"en": "carried forward", "zh": "前面的错误延续"},
    "readable": {"en": "readable", "zh": "可以识别"},
    "total": {"en": "Total for question {question}: {score:g}/{max:g}", "zh": "第 {question} 题合计:{score:g}/{max:g}"},
    "format_total": {
        "en": "{readable} of {count} answers can be read; they are graded after you submit.",
        "zh": "{count} 个答案中有 {readable} 个可以识别;提交后才评分。",
    },
}

STATUS: dict[str, dict[str, str]] = {
    "correct": {"en": "correct", "zh": "正确"},
    "incorrect": {"en": "incorrect", "zh": "错误"},
    "invalid": {"en": "unreadable", "zh": "无法识别"},
    "missing": {"en": "missing", "zh": "未作答"},
}


def message(key: str, lang: str = "en", **fields: object) -> str:
    """The message ``key`` in ``lang`` (English for an unknown language) with its placeholders filled."""
    return localized(MESSAGES, key, lang, **fields)


def status_text(status: str, lang: str = "en") -> str:
    """The word for an answer's status."""
    return STATUS[status][language(lang)]
