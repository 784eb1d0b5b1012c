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


_CHECK_CHUNK = 1 << 20


def check_utf8(data: bytes) -> None:
    """Raise what `data.decode("utf-8")` raises, without holding a decoded copy of all of `data`.

    A caller that hands the bytes on (the YAML parser takes UTF-8 bytes) needs only to know they
    decode: an ASCII file (most YAML) is known to by a scan, any other is decoded a megabyte at a
    time. The error, when there is one, is the whole decode's, with offsets into `data`.

    Raises:
        UnicodeDecodeError: `data` is not UTF-8.
    """
    if data.isascii():
        return
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _CHECK_CHUNK):
            decoder.decode(view[start : start + _CHECK_CHUNK], final=start + _CHECK_CHUNK >= len(data))
    except UnicodeDecodeError:
        data.decode("utf-8")  # raises again, with the offsets of the whole
        raise  # pragma: no cover - the whole decode cannot succeed where a part failed
