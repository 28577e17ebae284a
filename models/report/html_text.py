"""A string of HTML that notebooks display as HTML (shared by the report modules)."""

from __future__ import annotations


class Html(str):
    """A string of HTML that notebooks display as HTML."""

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return "[html]"
