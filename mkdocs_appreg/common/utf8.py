"""Where a file stops being UTF-8, said the same way for every file appreg reads.

Resources, templates, vars files, CRDs and pages all report the first byte that does not decode
at the line and column an editor shows (characters, not bytes, before it on its line), with the
byte and its offset in the file: `not UTF-8: byte 0xff at offset 22`.
"""

from __future__ import annotations


def undecodable(data: bytes, error: UnicodeDecodeError) -> tuple[int, int, str]:
    """1-based (line, column) of the first byte of `data` that is not UTF-8, and the message.

    Args:
        data: The bytes that failed to decode.
        error: The error `data.decode("utf-8")` (or `utf-8-sig`) raised.
    """
    # Everything before the first bad byte decodes; `replace` only guards a caller's odd error.
    before = data[: error.start].decode("utf-8", errors="replace").removeprefix("\ufeff")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    byte = data[error.start] if error.start < len(data) else 0
    return line, column, f"not UTF-8: byte 0x{byte:02x} at offset {error.start}"
