"""Parse many record files on every core: a pool of worker processes, results merged in path order.

Parsing TOML is pure computation on one file at a time, so a cold load of a large records
directory divides across the machine's cores. Each worker takes chunks of the file list and
returns each file's result; the results come back in the order of the list, so problems and
output are exactly those of a serial load.

A pool costs tens of milliseconds to start and its results must be copied back, so a small
records directory is read in this process alone. The environment variable TRACKER_JOBS sets the
number of processes (1: no pool), whatever the number of files; unset, every core is used for
PARALLEL_FILES files or more. Workers are forked, which only Linux does safely and cheaply;
elsewhere the load stays in one process. The site's pages are drawn and written the same way
(tracker.site, tracker.safeout). A command keeps the snapshot of the records it assembled in a forked
child while it goes on (in_background), under the same rules.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from functools import partial
from typing import Any, TypeVar

from .errors import TrackerError

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FILES = 4000  # about half a second of parsing: below it, starting a pool costs more than it saves
CHUNK = 500  # files a worker parses before sending their results back

_work: Callable[[Any], Any] | None = None  # the function the forked workers apply (inherited, never pickled)


def jobs(count: int, least: int = PARALLEL_FILES) -> int:
    """How many processes to parse `count` files with (1: in this process); unset, several from `least` items."""
    given = os.environ.get("TRACKER_JOBS", "").strip()
    if given.isdigit() and int(given) >= 1:
        wanted = int(given)
    elif count < least:
        return 1
    else:
        wanted = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return wanted if sys.platform == "linux" and count > 1 else 1


def _apply(chunk: list[Any]) -> Any:
    assert _work is not None  # set before the pool forks
    return _work(chunk)


def map_ordered(work: Callable[[T], R], items: Iterable[T], progress: Callable[[int], Any] | None = None,
                least: int = PARALLEL_FILES, chunk: int = CHUNK) -> list[R]:
    """[work(item) for item in items], on as many processes as jobs() says (see map_chunks)."""
    return [result for part in map_chunks(partial(_each, work), items, progress, least, chunk) for result in part]


def _each(work: Callable[[T], R], part: list[T]) -> list[R]:
    return [work(item) for item in part]


def map_chunks(work: Callable[[list[T]], R], items: Iterable[T], progress: Callable[[int], Any] | None = None,
               least: int = PARALLEL_FILES, chunk: int = CHUNK) -> Iterator[R]:
    """work(part) for each list of `chunk` items in turn, each given as soon as it is done and those before it
    are, on as many processes as jobs() says, with an optional progress bar of items (progress(total) is a
    context manager yielding an advance() callable). Below `least` items (and TRACKER_JOBS unset), in this
    process: a pool costs more than it saves on little work. A worker takes one part at a time: fewer items
    to a part where each item is long work, so that the workers finish together.

    items may be a generator: the workers start once `least` items have come, and take the rest as they
    come, so that producing the items (listing folders) overlaps the work. The progress bar starts once
    every item has come.

    work need not be picklable (a closure will do): the workers are forked with it in place, and only
    the parts and what work makes of them travel between the processes."""
    global _work
    coming = iter(items)
    first = list(itertools.islice(coming, max(least, 2)))  # enough to tell jobs() whether there are `least`, and 2
    sizes: list[int] = []  # of each part, as it is cut
    parts = _chunks(itertools.chain(first, coming), chunk, sizes)
    processes = jobs(len(first), least)
    if processes <= 1:
        yield from _gather(map(work, list(parts)), progress, sizes)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    _work = work
    # An executor, not multiprocessing.Pool: when a worker dies (the kernel's out-of-memory killer, a crash),
    # a Pool starts another and waits for the lost chunk for ever; an executor fails the work at once.
    pool = ProcessPoolExecutor(processes, multiprocessing.get_context("fork"),
                               initializer=_leave_ctrl_c_to_the_parent)
    try:
        # Every part is handed out (map takes them all before it returns), and so every worker forked, before
        # a progress bar starts its thread: a process with threads forks unsafely.
        yield from _gather(pool.map(_apply, parts), progress, sizes)
    except BrokenProcessPool:
        raise WorkerError("a worker process ended before its work was done (killed, or out of memory); "
                          "nothing was changed: run again, or with TRACKER_JOBS=1 to work in one process") from None
    finally:
        # On a failure or Ctrl-C, the chunks not yet begun are dropped and the ones under way end first, so
        # that no worker still writes when the caller cleans up.
        pool.shutdown(wait=True, cancel_futures=True)
        _work = None


def _chunks(items: Iterator[T], size: int, sizes: list[int]) -> Iterator[list[T]]:
    """Lists of `size` items (the last may be shorter), as the items come; the length of each added to sizes."""
    while part := list(itertools.islice(items, size)):
        sizes.append(len(part))
        yield part


def in_background(work: Callable[[], object]) -> Callable[[], None]:
    """Start work in a forked child process, for this one to go on meanwhile; returns the function that waits
    for the child to end. For work whose outcome this process does not read, such as keeping a cache: the
    child ends without a word whatever happens (a failure leaves what work drops on failure). With one
    process to use (one core, TRACKER_JOBS=1, not Linux), or another thread alive, work is done here and now."""
    if jobs(2, least=0) < 2 or threading.active_count() > 1:  # a process with threads forks unsafely
        work()
        return _done
    child = os.fork()
    if child == 0:  # the child: never back into the command (no output, no exit handlers of the parent's)
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return lambda: _wait(child)


def _wait(child: int) -> None:
    with suppress(ChildProcessError):  # started with SIGCHLD ignored, the child was reaped when it ended
        os.waitpid(child, 0)


def _done() -> None:
    """Nothing to wait for."""


class WorkerError(TrackerError):
    """A worker process died before it finished its work."""


def _leave_ctrl_c_to_the_parent() -> None:
    """Ctrl-C reaches every process of the terminal's group: the parent stops the workers (see map_ordered)
    and says so in one line, where each worker would print a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _gather(outputs: Iterator[R], progress: Callable[[int], Any] | None, sizes: list[int]) -> Iterator[R]:
    """What work made of each part, in order; sizes is complete (every part cut) before the first is taken."""
    if progress is None:
        yield from outputs
        return
    with progress(sum(sizes)) as advance:
        for output, size in zip(outputs, sizes, strict=True):
            yield output
            for _ in range(size):
                advance()
