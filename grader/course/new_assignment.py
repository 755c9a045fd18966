"""A new assignment file (``grader init``) and the salt that keeps students' numbers private."""

from __future__ import annotations

import json
import secrets

from grader.course.assignment import Assignment
from grader.text.messages import localized

MIN_SALT = 20  # characters; grader init writes 32 random ones (192 bits)


MESSAGES: dict[str, dict[str, str]] = {
    "no_salt": {
        "en": "assignment {id} has no salt: anyone who knows a classmate's id can compute their numbers; "
              "add salt = \"{example}\" (a random one) before handing out the sheets",
        "zh": "作业 {id} 没有 salt:知道同学学号的人就能算出其题目数据;分发题目前请加入 salt = \"{example}\"(随机生成)",
    },
    "short_salt": {
        "en": "the salt of assignment {id} has {length} characters; a short or guessable salt can be found from one "
              "student's sheet, and with it every classmate's numbers; use at least {min} random characters, "
              "e.g. salt = \"{example}\"",
        "zh": "作业 {id} 的 salt 只有 {length} 个字符;较短或可猜的 salt 可以从一名学生的题目中推出,"
              "进而得到所有同学的数据;请使用至少 {min} 个随机字符,例如 salt = \"{example}\"",
    },
    "init_done": {
        "en": "{path}: assignment {id} with a random salt; add questions, then "
              "grader generate {path} --roster ROSTER.csv --out DIR",
        "zh": "{path}:作业 {id},salt 已随机生成;添加题目后运行 grader generate {path} --roster ROSTER.csv --out DIR",
    },
    "init_exists": {"en": "{path} exists; choose another file name", "zh": "{path} 已存在;请换一个文件名"},
    "init_failed": {"en": "{path}: cannot write ({error})", "zh": "{path}:无法写入({error})"},
}


def init_message(key: str, lang: str = "en", **fields: object) -> str:
    """A message of ``grader init`` or about the salt in ``lang`` (en or zh)."""
    return localized(MESSAGES, key, lang, **fields)


def random_salt() -> str:
    """A new random salt: 32 URL-safe characters from the operating system's generator."""
    return secrets.token_urlsafe(24)


def salt_warning(assignment: Assignment, lang: str | None = None) -> str | None:
    """Why the assignment's salt does not keep students' numbers private, or None when it looks fine."""
    lang = lang or assignment.lang
    if not assignment.salt:
        return init_message("no_salt", lang, id=assignment.id, example=random_salt())
    if len(assignment.salt) < MIN_SALT:
        return init_message("short_salt", lang, id=assignment.id, length=len(assignment.salt), min=MIN_SALT,
                     example=random_salt())
    return None


ASSIGNMENT_TEMPLATE = """\
# A new assignment, written by grader init. Edit the questions, then:
#   grader generate {file} --roster roster.csv --out sheets
#   grader grade {file} submissions --out graded
id = {id}
title = {title}
lang = "{lang}"
salt = "{salt}"   # random: keep it private; a new salt gives every student new numbers

[[questions]]
id = "q1"
family = "{family}"
"""


def assignment_template(assignment_id: str, title: str, lang: str, family: str, file: str) -> str:
    """The text of a new assignment file with one question of ``family`` and a random salt."""
    return ASSIGNMENT_TEMPLATE.format(id=json.dumps(assignment_id, ensure_ascii=False),
                                      title=json.dumps(title, ensure_ascii=False), lang=lang,
                                      salt=random_salt(), family=family, file=file)
