"""A process that is slow to stop says what it is waiting for.

Once a process has been asked to stop, a watcher thread waits; if the process is still running
after the given time, it writes every pending asyncio task's stack and every thread's stack to
stderr. A thread, not a task, so that it also reports a stop stuck after the main coroutine
returned (asyncio.run cancelling leftover tasks, or joining its executor's threads)."""

import asyncio
import faulthandler
import logging
import sys
import threading

log = logging.getLogger("chirp.stop")


def report_if_still_running(after_seconds: float) -> None:
    """From the event loop's thread, once the stop has begun; the report goes to stderr after `after_seconds`."""
    loop = asyncio.get_running_loop()
    threading.Thread(target=_watch, args=(loop, after_seconds), name="stop watch", daemon=True).start()


def _watch(loop: asyncio.AbstractEventLoop, after_seconds: float) -> None:
    threading.Event().wait(after_seconds)
    log.error("still stopping %.0f s after it was asked to; what it is waiting for follows", after_seconds)
    try:
        tasks = asyncio.all_tasks(loop)
    except RuntimeError:  # the loop is closed: only threads are left
        tasks = set()
    for task in tasks:
        print(f"--- pending task {task.get_name()}: {task.get_coro()!r}", file=sys.stderr, flush=True)
        task.print_stack(limit=30, file=sys.stderr)
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
