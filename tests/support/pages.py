"""The project's pages as the tests read them: the fenced blocks of README.md and docs/.

A block the tests run or parse is marked by an HTML comment on the line before its fence
(`<!-- marker -->`), so a test finds the block by its marker, not by its place on the page.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover (3.9 and 3.10)
    import tomli as tomllib

__all__ = ["FENCE", "ROOT", "block", "blocks", "tomllib"]

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"(?:<!-- (?P<marker>[^\n]*?) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.S)


def blocks(page: str) -> list[tuple[str | None, str, str]]:
    """Every fenced block of a page: its marker (None without one), language and text."""
    text = (ROOT / page).read_text()
    return [(m.group("marker"), m.group("lang"), m.group("body")) for m in FENCE.finditer(text)]


def block(marker: str, page: str = "README.md") -> str:
    """The fenced block right after `<!-- marker -->`."""
    found = [body for name, _, body in blocks(page) if name == marker]
    assert len(found) == 1, f"{page} has {len(found)} blocks marked {marker}"
    return found[0]
