"""Reading a question file: decoding, splitting front matter from body, YAML with line numbers."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Any, Sequence

import yaml

try:  # libyaml is much faster; PyYAML wheels ship it
    from yaml import CBaseLoader as _TextLoader
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import BaseLoader as _TextLoader  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
_TOP_KEYS = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:", re.MULTILINE)
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
_SECTION = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
# heading titles that reveal the answer when printed inside the question text
ANSWER_TITLES = frozenset({"해설", "모범답안", "정답", "풀이", "답", "해답", "답안", "정답및해설", "채점기준"})


class FileProblem(Exception):
    """A problem that stops reading one file; ``line`` is 1-based within the file."""

    def __init__(self, line: int, field: str, message: str) -> None:
        super().__init__(message)
        self.line, self.field, self.message = line, field, message


def decode(raw: bytes) -> str:
    """UTF-8 text with a BOM and CR/CRLF line endings removed; a clear error for other encodings."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(1, "encoding", "file is UTF-16; save it as UTF-8 (without BOM) in your editor")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise FileProblem(line, "encoding", _not_utf8_message(raw)) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _not_utf8_message(raw: bytes) -> str:
    try:
        raw.decode("cp949")
        looks_like = "CP949/EUC-KR (Korean Windows encoding)"
        source = "CP949"
    except UnicodeDecodeError:
        looks_like, source = "an unknown legacy encoding", "YOUR-ENCODING"
    return (
        f"file is not UTF-8; it looks like {looks_like}. Convert it with "
        f"`iconv -f {source} -t UTF-8 FILE > FILE.new && mv FILE.new FILE`, or in VS Code: "
        "'Reopen with Encoding' > Korean (EUC-KR), then 'Save with Encoding' > UTF-8"
    )


@dataclass(frozen=True)
class SplitFile:
    """A question file cut into its parts; line numbers are 1-based file lines."""

    front_matter: str
    front_matter_line: int  # file line of the first front-matter line
    body: str
    body_line: int  # file line of the first body line


def split(text: str) -> SplitFile:
    """Cut ``---`` front matter from the Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise FileProblem(
            1,
            "front matter",
            "no front matter: start the file with a line '---', then the question's keys "
            "(id, type, topic, …), then another '---' line (see `mockexam new`)",
        )
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return SplitFile(
                front_matter="\n".join(lines[1:index]),
                front_matter_line=2,
                body="\n".join(lines[index + 1 :]),
                body_line=index + 2,
            )
    raise FileProblem(1, "front matter", "front matter is not closed: add a line '---' after the last key")


def parse_yaml(front_matter: str, first_line: int, scalars_as_text: bool = False) -> dict[str, Any]:
    """The front matter as a mapping; YAML errors carry their file line.

    With ``scalars_as_text`` every scalar stays the text it was written as (``- 0.50`` and ``- yes``
    remain choices, not numbers or booleans); the schema converts numbers and booleans where it
    expects them. It is also faster.
    """
    try:
        data = yaml.load(front_matter, Loader=_TextLoader if scalars_as_text else _Loader)  # noqa: S506
    except RecursionError:
        raise FileProblem(first_line, "front matter", "YAML is nested too deeply: write flat 'key: value' "
                          "lines and simple lists") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        what = " ".join(part for part in (error.context, error.problem) if part)
        found = _char_at(front_matter, mark.line, mark.column) if mark else ""
        raise FileProblem(line, "front matter", f"invalid YAML: {what}{_yaml_hint(what, found)}") from None
    except yaml.YAMLError as error:
        raise FileProblem(first_line, "front matter", f"invalid YAML: {error}") from None
    if data is None:
        raise FileProblem(first_line, "front matter", "front matter is empty: add the question's keys")
    if not isinstance(data, dict):
        raise FileProblem(first_line, "front matter", "front matter must be 'key: value' lines")
    return data


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""


def _yaml_hint(problem: str, found: str = "") -> str:
    if "mapping values are not allowed" in problem:
        return "; quote text that contains ': ' (e.g. - \"정답: 3\")"
    if found == "\t" or "found character '\\t'" in problem:
        return "; indent with spaces, not tabs"
    if "cannot start any token" in problem and found == "`":
        return "; a value that starts with a backquote must be quoted: - \"`SELECT` 문\" (or '…')"
    if "cannot start any token" in problem and found:
        return f"; a value that starts with '{found}' must be quoted: \"{found}…\""
    return ""


def duplicate_top_level_keys(front_matter: str, first_line: int) -> list[FileProblem]:
    """Top-level keys written twice (YAML would silently keep the last one)."""
    keys = _TOP_KEYS.findall(front_matter)
    if len(keys) == len(set(keys)):  # the common case costs one regex scan
        return []
    problems: list[FileProblem] = []
    seen: dict[str, int] = {}
    for offset, line in enumerate(front_matter.split("\n")):
        match = _TOP_KEY.match(line)
        if match is None:
            continue
        key = match.group(1)
        if key in seen:
            problems.append(FileProblem(first_line + offset, key, f"key '{key}' appears twice (also on line "
                                        f"{seen[key]}); YAML keeps only the last one: delete one of them"))
        else:
            seen[key] = first_line + offset
    return problems


def duplicate_keys(text: str, first_line: int) -> list[FileProblem]:
    """Keys written twice in any mapping of a (small) YAML document, e.g. topics.yaml or a blueprint."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return []
    problems: list[FileProblem] = []
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                name, line = str(key.value), first_line + key.start_mark.line
                if name in seen:
                    where = ".".join((*path, name))
                    problems.append(FileProblem(line, where, f"key '{name}' appears twice (also on line "
                                                f"{seen[name]}); YAML keeps only the last one: delete or merge one"))
                seen.setdefault(name, line)
                stack.append((value, (*path, name)))
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, (*path, str(index))) for index, item in enumerate(node.value)]
    return sorted(problems, key=lambda p: p.line)


def top_level_key_lines(front_matter: str, first_line: int) -> dict[str, int]:
    """File line of each top-level key (first occurrence)."""
    lines: dict[str, int] = {}
    for offset, line in enumerate(front_matter.split("\n")):
        match = _TOP_KEY.match(line)
        if match:
            lines.setdefault(match.group(1), first_line + offset)
    return lines


def locate(front_matter: str, first_line: int, loc: Sequence[str | int]) -> int | None:
    """File line of the node at ``loc`` (keys and list indexes), or of its deepest existing parent."""
    try:
        node = yaml.compose(front_matter, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return None
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((pair for pair in node.value if pair[0].value == part), None)
            if match is None:
                break
            line, node = match[0].start_mark.line, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line
        else:
            break
    return None if line is None else first_line + line


@dataclass(frozen=True)
class Body:
    """The Markdown parts of a question: stem, 해설 and 모범답안."""

    stem: str
    explanation: str | None
    model_answer: str | None


SECTION_FIELDS = {"해설": "explanation", "모범답안": "model_answer"}


def parse_body(body: str, body_line: int) -> tuple[Body, list[FileProblem]]:
    """Split the body at ``## `` headings (outside code fences) into stem and known sections.

    Also reports what would print wrong: unknown ``#``/``##`` headings, headings named like a section at
    another level (the answer would print in the booklet) and fences that are never closed.
    """
    parts: dict[str, list[str]] = {"stem": []}
    problems: list[FileProblem] = []
    current = "stem"
    fence: tuple[str, int, str] | None = None  # (marker, line, info) of the open fence
    for offset, line in enumerate(body.split("\n")):
        fence_match = _FENCE.match(line)
        if fence_match:
            marker, info = fence_match.groups()
            if fence is None:
                fence = (marker, body_line + offset, info.strip())
            elif marker[0] == fence[0][0] and len(marker) >= len(fence[0]) and not info.strip():
                fence = None
            parts[current].append(line)
            continue
        heading = None if fence is not None else _SECTION.match(line)
        if heading is None:
            if fence is None:
                problems += _heading_problems(line, body_line + offset, current)
            parts[current].append(line)
            continue
        title = heading.group(1).replace(" ", "")
        field = SECTION_FIELDS.get(title)
        if field is None:
            problems.append(
                FileProblem(
                    body_line + offset,
                    "body",
                    f"unknown section '## {heading.group(1)}': the sections are '## 해설' and "
                    "'## 모범답안'; use '###' for headings inside the text",
                )
            )
            parts[current].append(line)
            continue
        if field in parts:
            problems.append(FileProblem(body_line + offset, "body", f"section '## {title}' appears twice"))
        current = field
        parts[current] = []
    if fence is not None:
        problems.append(_unclosed_fence(*fence))

    def text(field: str) -> str | None:
        joined = "\n".join(parts.get(field, [])).strip()
        return joined or None

    return Body(text("stem") or "", text("explanation"), text("model_answer")), problems


def _heading_problems(line: str, number: int, part: str) -> list[FileProblem]:
    """A ``#`` heading anywhere, or an answer-like ``###`` heading in the question text."""
    if not line.lstrip(" ").startswith("#"):
        return []
    match = _HEADING.match(line)
    if match is None:
        return []
    level, title = len(match.group(1)), (match.group(2) or "").strip()
    flat = title.replace(" ", "")
    if level == 1 and flat in SECTION_FIELDS:
        return [FileProblem(number, "body", f"'# {title}' has one '#': a section starts with two, write "
                            f"'## {title}'")]
    if level == 1:
        return [FileProblem(number, "body", f"'# {title}' would print as a large title inside the question: "
                            "headings in the text start at '###'")]
    if level >= 3 and part == "stem" and flat in ANSWER_TITLES:
        fix = f"write '## {title}' to start the section" if flat in SECTION_FIELDS else \
            "put the answer in the front matter and explain it under '## 해설'"
        return [FileProblem(number, "body", f"'{match.group(1)} {title}' in the question text would print the "
                            f"answer in the booklet: {fix}")]
    return []


def _unclosed_fence(marker: str, line: int, info: str) -> FileProblem:
    if info.lstrip("<").startswith("보기"):
        return FileProblem(line, "body", f"the {marker}{info} box opened here is never closed: add a line "
                           f"{marker} after its last line (otherwise the rest, 해설 included, prints inside the box)")
    what = f"code block ({marker}{info})" if info else f"code block ({marker})"
    return FileProblem(line, "body", f"the {what} opened here is never closed: add a line {marker} after its "
                       "last line (otherwise the rest of the file, 해설 included, prints as code)")
