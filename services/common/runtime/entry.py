"""Running a process's main coroutine: a configuration or address problem ends it with one line, not a traceback."""

import asyncio
import sys
from collections.abc import Callable, Coroutine

from services.common.runtime.env import ConfigError


def run_main(program: str, main: Callable[[], Coroutine]) -> None:
    try:
        asyncio.run(main())
    except ConfigError as error:
        sys.exit(f"{program}: configuration error: {error}")
    except OSError as error:
        sys.exit(f"{program}: {error}")
