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
_FENCE = re.compile(r"^\s*(```|~~~)")
_SECTION = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")


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
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        what = " ".join(part for part in (error.context, error.problem) if part)
        raise FileProblem(line, "front matter", f"invalid YAML: {what}{_yaml_hint(what)}") from None
    except yaml.YAMLError as error:
        raise FileProblem(first_line, "front matter", f"invalid YAML: {error}") from None
    if data is None:
        raise FileProblem(first_line, "front matter", "front matter is empty: add the question's keys")
    if not isinstance(data, dict):
        raise FileProblem(first_line, "front matter", "front matter must be 'key: value' lines")
    return data


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "; quote text that contains ': ' (e.g. - \"정답: 3\")"
    if "found character '\\t'" in problem:
        return "; indent with spaces, not tabs"
    return ""


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
    except yaml.YAMLError:
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
    """Split the body at ``## `` headings (outside code fences) into stem and known sections."""
    parts: dict[str, list[str]] = {"stem": []}
    problems: list[FileProblem] = []
    current, in_fence = "stem", False
    for offset, line in enumerate(body.split("\n")):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _SECTION.match(line)
        if heading is None:
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

    def text(field: str) -> str | None:
        joined = "\n".join(parts.get(field, [])).strip()
        return joined or None

    return Body(text("stem") or "", text("explanation"), text("model_answer")), problems
