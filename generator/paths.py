"""Where the project's non-Python resources live.

In a source checkout (or an editable install) the templates are the top-level ``templates/`` folder; a
built wheel carries the same folder as ``generator/templates`` (see ``[tool.setuptools]`` in
pyproject.toml), so an installed mockexam needs no checkout.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent


def _templates_dir() -> Path:
    packaged = PACKAGE_DIR / "templates"
    if (packaged / "fonts").is_dir():  # installed from a wheel
        return packaged
    return PROJECT_ROOT / "templates"


TEMPLATES_DIR = _templates_dir()
FONTS_DIR = TEMPLATES_DIR / "fonts"
