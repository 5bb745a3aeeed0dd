"""CSV cells that a spreadsheet will not run.

Excel, LibreOffice and Google Sheets treat a cell that starts with =, +, -, @, a tab or a carriage return as a
formula, and a formula can fetch URLs or run commands (CSV injection). Any text a person typed — a name, a
department, a note — goes through `safe_cell` before it is written to a CSV; numbers and dates pass unchanged.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value, with text that a spreadsheet would read as a formula prefixed by an apostrophe (shown as text,
    not as part of the value, by every spreadsheet)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values):
    return [safe_cell(value) for value in values]
