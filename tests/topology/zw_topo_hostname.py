"""`[core] hostname_callable` for the topology test's Celery workers.

Both workers run on this one machine, so the default (the FQDN) would record the same
`task_instance.hostname` for either of them. Each worker process gets `ZW_TOPO_WORKER`
(w1, w2) in its environment, the way each container of a real deployment has its own
hostname, and reports `<worker>@<fqdn>`, like its Celery node name. Imported only by the
worker processes (tests/topology is on their PYTHONPATH); not a test module.
"""

from __future__ import annotations

import os
import socket


def hostname() -> str:
    return f"{os.environ['ZW_TOPO_WORKER']}@{socket.getfqdn()}"
