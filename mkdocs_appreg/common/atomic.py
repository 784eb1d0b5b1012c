"""Writing a file whole or not at all.

Every file appreg writes (rendered resources, the cache manifest, cached CRDs, downloaded CRDs)
goes through here: the bytes go to a temporary file in the target's directory, which is then
renamed over the target. A reader (snippets, a later build, a concurrent build) sees the old
file or the new one, never half of one, and an interrupted write leaves no temporary behind.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(target: Path, data: bytes) -> None:
    """Replace `target` with `data` in one rename; create its directory when missing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # with shutil, bz2, lzma and random: only a run that writes pays for it

    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
