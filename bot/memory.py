"""The bot's memory after big jobs (issue 13: peak memory under 200 MB at 100,000 interviews).

A report or a digest at scale builds tens of megabytes of short-lived rows, sums and pictures in
worker threads. glibc's malloc gives every thread that allocates an arena of its own (up to eight
per core) and keeps what was freed there for that arena: the process's resident memory then grows
with each big job that happens to run on another thread. Two arenas are plenty for a process whose
threads mostly wait on Slack and the database, and after a big job the garbage is collected and the
freed heap handed back to the system. Elsewhere than glibc (musl, macOS) both do nothing.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import sys
from functools import cache

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc's mallopt parameter
ARENAS = 2


@cache
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 - glibc has it, musl not
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(arenas: int = ARENAS) -> None:
    """At the start of the process, before its threads: at most `arenas` malloc arenas (unless the
    environment's MALLOC_ARENA_MAX says otherwise)."""
    libc = _glibc()
    if libc is not None and "MALLOC_ARENA_MAX" not in os.environ:
        libc.mallopt(M_ARENA_MAX, arenas)


def release() -> None:
    """After a big job: collect Python's garbage and give the freed heap back to the system."""
    gc.collect()
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
