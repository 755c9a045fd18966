"""Why a gradebook row is flagged or a submitted file set aside: a message key and its fields.

A :class:`Reason` is data (it crosses process boundaries and is written in every language);
:data:`MESSAGES` holds its words in each language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from grader.text.messages import localized

MESSAGES: dict[str, dict[str, str]] = {
    "missing": {"en": "no submission", "zh": "未提交"},
    "binary": {"en": "{file} is not a text file (binary content); submit the .txt answer sheet",
               "zh": "{file} 不是文本文件(二进制内容);请提交 .txt 答题纸"},
    "too_large": {"en": "{file} is {size} MB; an answer sheet is at most 1 MB",
                  "zh": "{file} 有 {size} MB;答题纸最大 1 MB"},
    "io_error": {"en": "{file} could not be read ({error})", "zh": "无法读取 {file}({error})"},
    "empty": {"en": "{file} has no answers", "zh": "{file} 中没有任何答案"},
    "duplicate": {"en": "{count} files for this student ({files}); keep one and grade again",
                  "zh": "该学生有 {count} 个文件({files});请只保留一个后重新评分"},
    "other_student": {
        "en": "{file} is the answer sheet of student {other} (its student line); these are answers "
              "to another student's variant",
        "zh": "{file} 是学生 {other} 的答题纸(见其 student 行);这些是对另一名学生题目的作答",
    },
    "wrong_assignment": {"en": "{file} is an answer sheet of assignment {other}, not {assignment}",
                         "zh": "{file} 是作业 {other} 的答题纸,而不是 {assignment} 的"},
    "unknown_student": {
        "en": "{file}: student {student} is not on the roster",
        "zh": "{file}:学生 {student} 不在名单中",
    },
    "no_student": {
        "en": "{file}: neither its name nor a student line names a student of the roster",
        "zh": "{file}:文件名和 student 行都没有指明名单中的学生",
    },
    "hidden": {"en": "{file}: hidden file, not read", "zh": "{file}:隐藏文件,未读取"},
    "symlink": {"en": "{file} is a symbolic link; links are not followed: hand in the file itself",
                "zh": "{file} 是符号链接;评分程序不跟随链接:请提交文件本身"},
    "bad_name": {"en": "{file}: the file name is not valid UTF-8; rename the file and grade again",
                 "zh": "{file}:文件名不是有效的 UTF-8;请重命名后重新评分"},
    "special": {"en": "{file} is not a regular file (a device, pipe or socket); not read",
                "zh": "{file} 不是普通文件(设备、管道或套接字);未读取"},
    "folder": {"en": "{file}: a folder; submissions are read from the top level only",
               "zh": "{file}:这是文件夹;只读取最上层的提交文件"},
    "code_not_asked": {"en": "{file}: this assignment has no code question",
                       "zh": "{file}:本次作业没有代码题"},
    "code_which": {"en": "{file}: this assignment has several code questions; name the file {example}",
                   "zh": "{file}:本次作业有多道代码题;请把文件命名为 {example}"},
    "timeout": {
        "en": "grading this submission took more than {seconds} s and was stopped; the rest of the class was "
              "graded: look at the sheet (a huge formula?) and grade again, with a larger --student-time-limit "
              "if it is honest",
        "zh": "该提交的评分超过 {seconds} 秒,已被中止;全班其余同学已评分:请检查答题纸(是否有超大的公式?),"
              "如属正常可用更大的 --student-time-limit 重新评分",
    },
    "grading_error": {
        "en": "the grader failed on this submission ({error}); nothing was lost: report it and grade again",
        "zh": "评分程序处理该提交时出错({error});提交未丢失:请报告此问题后重新评分",
    },
}


def reason_message(key: str, lang: str = "en", **fields: object) -> str:
    """A reason in ``lang`` (en or zh)."""
    return localized(MESSAGES, key, lang, **fields)


@dataclass(frozen=True)
class Reason:
    """Why a row is flagged or a file set aside: a message key and its fields."""

    key: str
    fields: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str = "en") -> str:
        """The reason in words."""
        return reason_message(self.key, lang, **dict(self.fields))


class Note(Protocol):
    """What a row's reason column says: a :class:`Reason`, or the note of applied overrides."""

    def text(self, lang: str = "en") -> str:
        """The note in words."""
        ...
