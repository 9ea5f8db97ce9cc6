"""The links the window's HTML panes carry (``<a href='code:99213'>``): what each kind opens, and reading one back.

A link is ``<kind>:<value>``; the pane that shows it connects ``anchorClicked`` and acts on the kinds it knows.
"""

from __future__ import annotations

from desktop_app.core.enums import StrEnum


class LinkKind(StrEnum):
    """The part of a link before its colon."""

    CODE = "code"  # code:99213, open the code
    SECTION = "section"  # section:42 browse a section; section:all (empty state) clears the section filter
    MEASURE = "measure"  # measure:001, open the quality measure
    LOCALITY = "locality"  # locality:choose, choose the payment locality
    CATEGORY = "category"  # category:HCPCS filter to a category; category: shows all
    IMPORT = "import"  # import:, choose files to import


def parse_link(target: str) -> tuple[LinkKind | None, str]:
    """``"code:99213"`` → ``(LinkKind.CODE, "99213")``; a kind no pane makes (an ordinary URL) → ``None``."""
    kind, colon, value = target.partition(":")
    if not colon or kind not in LinkKind.__members__.values():
        return None, ""
    return LinkKind(kind), value
