"""Markdown tables of text from data or model output (leaderboards, dataset cards): every cell one literal cell."""
from __future__ import annotations

import html


def markdown_cell(text: str) -> str:
    """Text from data or model output as one literal table cell: no raw HTML (< > & escaped), no line
    break that would end the table, no backslash or pipe that would shift its columns."""
    one_line = " ".join(text.splitlines())
    return html.escape(one_line.replace("\\", "\\\\"), quote=False).replace("|", "\\|")


def markdown_table(head: list[str], cells: list[list[str]]) -> str:
    def line(values: list[str]) -> str:
        return "| " + " | ".join(map(markdown_cell, values)) + " |"

    return "\n".join([line(head), "|" + "---|" * len(head), *(line(row) for row in cells)])
