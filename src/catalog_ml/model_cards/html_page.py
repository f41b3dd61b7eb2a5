"""The HTML page of a card or the index, rendered from its Markdown."""

from __future__ import annotations

import html

import mistune

_MARKDOWN = mistune.create_markdown(escape=True, plugins=["table"])
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45}table{border-collapse:collapse;margin:0.5rem 0 1rem;font-size:0.9rem}"
    "th,td{border:1px solid #ccc;padding:0.25rem 0.5rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}blockquote{border-left:4px solid #e0a000;margin:0;padding:0 1rem}"
    "code{background:#f3f3f3;padding:0 0.2rem}"
)


def to_html(markdown_text: str, title: str) -> str:
    """A standalone HTML page rendered from the card's Markdown (mistune, tables plugin)."""
    body = _MARKDOWN(markdown_text)
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )
