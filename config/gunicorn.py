"""gunicorn's settings for `make serve` (docs/operations.md, "gunicorn").

gthread workers: each process answers THREADS requests at once, so a cheap request never
queues behind a simulation or a plan (calculator/shedding.py bounds those per process).
gunicorn's timeout watches each process's main loop, not its requests, so a long
computation is never killed as a hung worker.
"""

from __future__ import annotations

import os
import sys

worker_class = "gthread"
workers = int(os.getenv("WORKERS", "4"))
threads = int(os.getenv("THREADS", "8"))
timeout = 60  # seconds a worker's main loop may go silent before gunicorn restarts it
accesslog = "-"

# How long a thread holding the GIL runs before a waiting one may take it. Python's
# default is 5 ms; a cheap request waits for the GIL at each database query and socket
# write while a simulation computes in another thread of its process, so a shorter
# interval shortens its wait (measured by bench/load.py's flood). Assumption: 1 ms.
SWITCH_INTERVAL_S = 0.001


def post_fork(server, worker) -> None:
    sys.setswitchinterval(SWITCH_INTERVAL_S)
