"""The echo workload as a Prefect 3 flow; run by ``prefect_compare.py`` with the Prefect venv's Python.

``python prefect_flow.py MODE COUNT ADDRESS`` runs COUNT Prefect tasks, each making one echo call to
the service at ADDRESS with the raw stubs of ``runtime.proto`` (PYTHONPATH = the repository root), as a
chain (each task called after the previous one returned) or a fan-out (all submitted at once to a
thread pool of 8, the oi engine's parallelism). It prints ``{"seconds": ...}``: the time inside the
flow function, from before the first task to after the last result, so Prefect's start-up (its
temporary local server, the flow run's creation) is not counted against it.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import grpc
from prefect import flow, task
from prefect.task_runners import ThreadPoolTaskRunner

from runtime.proto import service_pb2, service_pb2_grpc

PARALLELISM = 8
CALL_TIMEOUT = 30.0
_stub: Any = None


@task
def echo(n: int) -> Any:
    request = service_pb2.CallRequest(
        endpoint="echo", arguments=json.dumps({"n": n, "text": f"call {n}"}), fd=""
    )
    response = _stub.call(request, timeout=CALL_TIMEOUT)
    if response.status != service_pb2.OK:
        raise RuntimeError(response.error)
    return json.loads(response.payload)


@flow(log_prints=False)
def chain(count: int) -> float:
    began = time.perf_counter()
    for n in range(count):
        echo(n)
    return time.perf_counter() - began


@flow(log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=PARALLELISM))
def fan_out(count: int) -> float:
    began = time.perf_counter()
    futures = [echo.submit(n) for n in range(count)]
    for future in futures:
        future.result()
    return time.perf_counter() - began


def main(argv: list[str]) -> int:
    global _stub
    mode, count, address = argv[0], int(argv[1]), argv[2]
    with grpc.insecure_channel(address) as channel:
        _stub = service_pb2_grpc.ServiceStub(channel)
        _stub.init(service_pb2.InitRequest(), timeout=CALL_TIMEOUT)
        seconds = (chain if mode == "chain" else fan_out)(count)
    print(json.dumps({"seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
