"""Laid-out PDFs kept on disk (answer-sheet templates and their characters).

Layout is the slow part of a build, and a sheet template depends only on its markup, the bundled fonts and
WeasyPrint's version, all of which are part of the key: rebuilding a blueprint (another seed, a fixed
question) reuses it. Values are JSON with bytes as base64; anything unreadable is simply laid out again.
Uses the folder of ``generator.disk_cache`` (``MOCKEXAM_CACHE_DIR=`` switches it off).
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any

from generator import disk_cache
from generator.paths import FONTS_DIR


@lru_cache(maxsize=1)
def _versions() -> tuple[str, ...]:
    from importlib.metadata import version

    fonts = sorted(FONTS_DIR.glob("*.[ot]tf"))
    return (version("weasyprint"), version("pydyf"),
            *(f"{font.name}:{font.stat().st_size}:{font.stat().st_mtime_ns}" for font in fonts))


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot cache {type(value).__name__}")


def _decode(value: dict) -> Any:
    return base64.b64decode(value["__bytes__"]) if set(value) == {"__bytes__"} else value


def read(kind: str, *key: object) -> Any | None:
    text = disk_cache.read(f"layout-{kind}", *_versions(), *key)
    if text is None:
        return None
    try:
        return json.loads(text, object_hook=_decode)
    except ValueError:
        return None


def write(value: Any, kind: str, *key: object) -> None:
    disk_cache.write(json.dumps(value, default=_encode), f"layout-{kind}", *_versions(), *key)
