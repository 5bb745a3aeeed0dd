"""A notification's plain-text body shown with its structure: lines that start with "- " as a list."""

from django import template

register = template.Library()


@register.filter
def text_blocks(body):
    """Paragraphs and lists, in order: [("text", "..."), ("list", ["...", ...]), ...]."""
    blocks = []
    for line in body.splitlines():
        if line.startswith("- "):
            if not blocks or blocks[-1][0] != "list":
                blocks.append(("list", []))
            blocks[-1][1].append(line[2:])
        elif line.strip():
            if blocks and blocks[-1][0] == "text":
                blocks[-1] = ("text", f"{blocks[-1][1]}\n{line}")
            else:
                blocks.append(("text", line))
    return blocks
