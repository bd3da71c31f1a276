"""An engine run in a process of its own, for the signal and kill tests.

``python -m tests.runtime.engine_child block LOGS FIFO``: one real SDK service; a task that calls its
``block`` endpoint, which writes the service's pid to FIFO and never answers.
``python -m tests.runtime.engine_child heavy LOGS FIFO``: thousands of in-process tasks; a line is
written to FIFO once 500 of them have been called, and the run goes on until killed.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

from runtime.conditions import engine_started, task_finished
from runtime.engine import Engine, EngineOptions
from runtime.model import EventReaction, Pipeline, PipelineMetadata, PipelineSpec, Service
from tests.runtime.fakes import Call, FakeRunner
from tests.runtime.helpers import on, task

SERVICE = str(Path(__file__).with_name("sdk_service.py"))


def block(logs: str, fifo: str) -> int:
    pipe = Pipeline(
        PipelineMetadata("blocking"),
        PipelineSpec(
            services=(Service("svc", path=SERVICE),),
            reactions=(on(engine_started, task("wait", "block", signal_path=fifo)),),
        ),
    )
    return Engine(EngineOptions(pipe, logs_directory=logs)).run().exit_code


def heavy(logs: str, fifo: str) -> int:
    called = [0]
    lock = threading.Lock()

    def counted(call: Call) -> Any:
        with lock:
            called[0] += 1
            if called[0] == 500:
                with open(fifo, "w", encoding="utf-8") as signal_file:
                    signal_file.write("500\n")
        return {"text": "x" * 200, "arguments": dict(call.arguments)}

    def hold(call: Call) -> Any:
        call.stopped.wait(120)
        return {}

    def next_wave(event: Any, state: Any) -> list[Any]:
        return [task(f"wave-{index}", "counted", index=index) for index in range(3000)]

    pipe = Pipeline(
        PipelineMetadata("heavy"),
        PipelineSpec(
            services=(Service("svc", path="unused"),),
            reactions=(
                on(engine_started, task("first", "counted"), task("hold", "hold")),
                EventReaction(task_finished("first"), next_wave),
            ),
        ),
    )
    runner = FakeRunner({"svc": {"counted": counted, "hold": hold}})
    options = EngineOptions(pipe, logs_directory=logs, runner=runner, parallelism=8)
    return Engine(options).run().exit_code


if __name__ == "__main__":
    mode, logs_dir, fifo_path = sys.argv[1:4]
    sys.exit({"block": block, "heavy": heavy}[mode](logs_dir, fifo_path))
