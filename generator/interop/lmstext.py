"""Question Markdown <-> the HTML that LMSs (Moodle, Canvas) store, and math delimiters between them.

Markdown -> HTML uses the bank's own Markdown dialect (markdown-it, raw HTML escaped so that a literal
``<보기>`` survives as text), writes math as ``\\(…\\)`` / ``\\[…\\]`` for MathJax, a ```` ```보기 ```` box as a
bordered ``div``, and collects images so a format can embed them. HTML -> Markdown is the reverse for what
questions use: paragraphs, line breaks, bold/italic, lists, code, images, our ``<보기>`` box and math.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

BOX_CLASS = "mockexam-bogi"
BOX_STYLE = "border:1px solid #000;padding:0.4em 0.8em;margin:0.5em 0"
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


@dataclass
class Attachments:
    """Images met while converting: the name used in the HTML -> bytes."""

    files: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


class LmsHtml:
    """Markdown of one bank -> LMS HTML. ``image_src`` turns a file name into the ``src`` to write."""

    def __init__(self, bank_root: Path, image_src: str = "@@PLUGINFILE@@/{name}") -> None:
        self.bank_root = bank_root.resolve()
        self.image_src = image_src
        md = MarkdownIt("commonmark", {"html": False}).enable("table")
        md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)

        def rule(name: str, method) -> None:
            md.add_render_rule(name, lambda _r, tokens, idx, options, env: method(tokens, idx, options, env))

        rule("math_inline", lambda t, i, o, e: f"\\({html.escape(t[i].content)}\\)")
        rule("math_inline_double", lambda t, i, o, e: f"\\[{html.escape(t[i].content)}\\]")
        rule("math_block", lambda t, i, o, e: f"<p>\\[{html.escape(t[i].content.strip())}\\]</p>\n")
        rule("math_block_label", lambda t, i, o, e: f"<p>\\[{html.escape(t[i].content.strip())}\\]</p>\n")
        rule("fence", self._fence)
        rule("image", self._image)
        self.md = md

    def html(self, text: str | None, base: Path, attachments: Attachments) -> str:
        if not text:
            return ""
        return self.md.render(text, {"base": base, "attachments": attachments}).strip()

    def inline(self, text: str, base: Path, attachments: Attachments) -> str:
        return self.md.renderInline(text, {"base": base, "attachments": attachments})

    def _fence(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        info = (token.info or "").strip().split(maxsplit=1)
        if info and info[0] in ("보기", "<보기>"):
            lines = "".join(f"<p>{self.md.renderInline(line, env)}</p>" for line in token.content.strip().split("\n"))
            return (f'<div class="{BOX_CLASS}" style="{BOX_STYLE}"><p style="text-align:center">&lt;보 기&gt;</p>'
                    f"{lines}</div>\n")
        lang = f' class="language-{html.escape(info[0])}"' if info else ""
        return f"<pre><code{lang}>{html.escape(token.content)}</code></pre>\n"

    def _image(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        alt = html.escape("".join(child.content for child in token.children or []))
        src = unquote(token.attrGet("src") or "")
        attachments: Attachments = env["attachments"]
        path = (env["base"].parent / src).resolve() if src and "://" not in src else None
        if path is None or not path.is_relative_to(self.bank_root) or not path.is_file():
            attachments.missing.append(src)
            return f"[그림: {alt or html.escape(src)}]"
        name = path.name
        attachments.files[name] = path.read_bytes()
        return f'<img src="{html.escape(self.image_src.format(name=name))}" alt="{alt}">'


# ------------------------------------------------------------------ math delimiters

_TEX_INLINE = re.compile(r"\\\((.+?)\\\)", re.DOTALL)
_TEX_DISPLAY = re.compile(r"\\\[(.+?)\\\]", re.DOTALL)


def tex_to_dollars(text: str) -> str:
    """``\\(…\\)`` -> ``$…$`` and ``\\[…\\]`` -> ``$$…$$`` (the bank's math); ``$$…$$`` stays."""
    text = _TEX_DISPLAY.sub(lambda m: f"$${m.group(1).strip()}$$", text)
    return _TEX_INLINE.sub(lambda m: f"${m.group(1).strip()}$", text)


_DOLLAR = re.compile(r"(?<![\\$])\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)", re.DOTALL)


def dollars_to_tex(text: str) -> str:
    """``$…$`` -> ``\\(…\\)``, ``$$…$$`` -> ``\\[…\\]`` outside code (for plain-text formats such as GIFT)."""
    parts = re.split(r"(```.*?```|`[^`\n]*`)", text, flags=re.DOTALL)
    for index in range(0, len(parts), 2):
        parts[index] = _DOLLAR.sub(
            lambda m: f"\\[{m.group(1).strip()}\\]" if m.group(1) is not None else f"\\({m.group(2)}\\)", parts[index])
    return "".join(parts)


# ------------------------------------------------------------------ HTML -> Markdown


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [counter] (0 for bullets)
        self.pre = 0
        self.box = 0
        self.box_depth: list[int] = []
        self.depth = 0
        self.images: list[str] = []
        self.skip_title = False
        self.table: list[list[str]] | None = None
        self.cell_start: int | None = None

    def _block(self) -> None:
        if self.out and not "".join(self.out[-2:]).endswith("\n\n"):
            self.out.append("\n\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.depth += 1
        values = dict(attrs)
        if tag == "table" and not self.box_depth:
            self._block()
            self.table = []
            return
        if tag == "tr" and self.table is not None:
            self.table.append([])
            return
        if tag in ("td", "th") and self.table is not None:
            self.cell_start = len(self.out)
            return
        if tag in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"):
            if tag == "div" and BOX_CLASS in (values.get("class") or ""):
                self._block()
                self.out.append("```보기\n")
                self.box_depth.append(self.depth)
                self.skip_title = True
                return
            if self.box_depth:
                return
            self._block()
            if tag.startswith("h") and len(tag) == 2:
                self.out.append("### ")
        elif tag == "br":
            self.depth -= 1
            # a hard line break (backslash at the end of the line); plain newlines inside code and boxes
            self.out.append("\n" if self.pre or self.box_depth or not self.out or self.out[-1].endswith("\n")
                            else "\\\n")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag in ("ul", "ol"):
            if self.lists:  # nested: stays in the item (a blank line would make the outer list loose)
                if self.out and not self.out[-1].endswith("\n"):
                    self.out.append("\n")
            else:
                self._block()
            self.lists.append([1 if tag == "ol" else 0])
        elif tag == "li" and self.lists:
            if self.out and not self.out[-1].endswith("\n"):
                self.out.append("\n")
            counter = self.lists[-1]
            indent = "   " * (len(self.lists) - 1)
            self.out.append(f"{indent}{counter[0]}. " if counter[0] else f"{indent}- ")
            if counter[0]:
                counter[0] += 1
        elif tag == "pre":
            self._block()
            self.out.append("```\n")
            self.pre += 1
        elif tag == "code" and self.pre and self.out and self.out[-1] == "```\n":
            language = re.match(r"language-(\S+)", values.get("class") or "")
            if language:
                self.out[-1] = f"```{language.group(1)}\n"
        elif tag == "code" and not self.pre:
            self.out.append("`")
        elif tag == "img":
            self.depth -= 1
            src = unquote(values.get("src") or "")
            name = src.rsplit("/", 1)[-1].split("?", 1)[0]
            self.images.append(name)
            self.out.append(f"![{values.get('alt') or ''}]({name})")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.table is not None and self.cell_start is not None:
            cell = "".join(self.out[self.cell_start:]).strip().replace("|", "\\|")
            del self.out[self.cell_start:]
            self.cell_start = None
            if self.table:
                self.table[-1].append(cell)
        elif tag == "table" and self.table is not None:
            rows = [row for row in self.table if row]
            if rows:
                lines = ["| " + " | ".join(row) + " |" for row in rows]
                lines.insert(1, "|" + "---|" * len(rows[0]))
                self.out.append("\n".join(lines))
            self.table = None
            self._block()
        elif self.box_depth and self.depth == self.box_depth[-1] and tag == "div":
            self.box_depth.pop()
            text = "".join(self.out)
            self.out = [text.rstrip("\n") + "\n```\n\n"]
        elif tag == "p" and self.box_depth:
            if self.skip_title:
                text = "".join(self.out)
                self.out = [text[: text.rindex("```보기\n") + len("```보기\n")]]
                self.skip_title = False
            else:
                self.out.append("\n")
        elif tag in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"):
            self._block()
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self._block()
        elif tag == "pre" and self.pre:
            self.pre -= 1
            text = "".join(self.out)
            self.out = [text.rstrip("\n") + "\n```\n\n"]
        elif tag == "code" and not self.pre:
            self.out.append("`")
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.pre:
            self.out.append(data)
            return
        if self.skip_title or (self.table is not None and self.cell_start is None):
            return
        text = re.sub(r"\s+", " ", data)
        if not self.out or self.out[-1].endswith("\n"):
            text = text.lstrip()
        if text:
            self.out.append(text)


def html_to_markdown(text: str) -> tuple[str, list[str]]:
    """LMS HTML -> bank Markdown (math as ``$…$``) and the image names it refers to."""
    if "<" not in text:  # plain text (Moodle's plain_text / moodle_auto_format)
        return tex_to_dollars(html.unescape(text).strip()), []
    parser = _ToMarkdown()
    parser.feed(text)
    parser.close()
    markdown = "".join(parser.out)
    markdown = re.sub(r"[ \t]+\n", "\n", markdown)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip()
    return tex_to_dollars(markdown), parser.images
