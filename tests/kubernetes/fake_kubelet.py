"""The fake kubelet: runs each created pod's container as a local process and reports its status.

An image is resolved to a command line: the test's ``images`` map first, then the built-in catalog
(``REGISTRY/NAME:VERSION`` -> ``python -m runtime.catalog NAME`` when ``runtime/catalog/NAME`` exists).
An image it cannot resolve fails the way a real pull does (ErrImagePull, then ImagePullBackOff); a
process that exits is reported as CrashLoopBackOff with its exit code (it is not restarted).

Pods share the host's loopback here, while in a cluster each has its own IP; so the kubelet gives each
process a free local port in ``PORT`` (whatever the pod spec said) and remembers which local port
stands for the container port, for port-forwarding. ``OI_BIND_ADDRESS`` is forced to 127.0.0.1.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.kubernetes.fake_store import ApiError, Store, now_timestamp

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _PodProcess:
    def __init__(self, process: subprocess.Popen[bytes], log_path: Path, ports: dict[int, int]) -> None:
        self.process = process
        self.log_path = log_path
        self.ports = ports
        self.deleted = threading.Event()


class FakeKubelet:
    """Plays the node for every pod of ``store``. ``images`` maps an image to the argv that stands for
    its entrypoint; ``created_pods`` keeps every pod as it was created (to inspect specs after delete)."""

    def __init__(self, store: Store, images: Mapping[str, Sequence[str]] | None = None) -> None:
        self._store = store
        self.images: dict[str, Sequence[str]] = dict(images or {})
        self.created_pods: list[dict[str, Any]] = []
        self._pods: dict[tuple[str, str], _PodProcess] = {}
        self._lock = threading.Lock()
        self._logs = Path(tempfile.mkdtemp(prefix="oi-fake-kubelet-"))
        store.on_created.append(self._on_created)
        store.on_deleted.append(self._on_deleted)

    # -- what the API server asks of the node ---------------------------------------------------

    def local_port(self, namespace: str, name: str, container_port: int) -> int:
        with self._lock:
            pod = self._pods.get((namespace, name))
        if pod is None or container_port not in pod.ports:
            raise ApiError(404, "NotFound", f"pod {name} has no running container with port {container_port}")
        return pod.ports[container_port]

    def log(self, namespace: str, name: str) -> str:
        with self._lock:
            pod = self._pods.get((namespace, name))
        if pod is None:
            return ""
        return pod.log_path.read_text(errors="replace")

    def kill(self, namespace: str, name: str) -> None:
        """Make the pod's process die, as if it crashed."""
        with self._lock:
            pod = self._pods[(namespace, name)]
        os.killpg(pod.process.pid, signal.SIGKILL)

    def stop(self) -> None:
        with self._lock:
            pods = list(self._pods.values())
            self._pods.clear()
        for pod in pods:
            pod.deleted.set()
            _terminate(pod.process)

    # -- reacting to the store -------------------------------------------------------------------

    def _on_created(self, resource: str, obj: dict[str, Any]) -> None:
        if resource != "pods":
            return
        self.created_pods.append(obj)
        threading.Thread(target=self._run_pod, args=(obj,), daemon=True).start()

    def _on_deleted(self, resource: str, obj: dict[str, Any]) -> None:
        if resource != "pods":
            return
        with self._lock:
            pod = self._pods.pop((obj["metadata"]["namespace"], obj["metadata"]["name"]), None)
        if pod is not None:
            pod.deleted.set()
            _terminate(pod.process)

    def _event(self, pod: dict[str, Any], kind: str, reason: str, message: str) -> None:
        metadata = pod["metadata"]
        self._store.create(
            "events",
            metadata["namespace"],
            {
                "metadata": {"generateName": metadata["name"] + "."},
                "involvedObject": {
                    "kind": "Pod",
                    "namespace": metadata["namespace"],
                    "name": metadata["name"],
                    "uid": metadata["uid"],
                    "apiVersion": "v1",
                },
                "reason": reason,
                "message": message,
                "type": kind,
                "count": 1,
                "firstTimestamp": now_timestamp(),
                "lastTimestamp": now_timestamp(),
                "source": {"component": "kubelet"},
            },
        )

    def _set_container_status(self, pod: dict[str, Any], state: dict[str, Any], **fields: Any) -> None:
        container = pod["spec"]["containers"][0]
        ready = bool(fields.pop("ready", False))
        phase = fields.pop("phase", "Pending")

        def mutate(obj: dict[str, Any]) -> None:
            status = obj.setdefault("status", {})
            previous = (status.get("containerStatuses") or [{}])[0]
            container_status = {
                "name": container["name"],
                "image": container["image"],
                "imageID": "",
                "ready": ready,
                "started": "running" in state,
                "restartCount": fields.get("restartCount", previous.get("restartCount", 0)),
                "state": state,
            }
            if "lastState" in fields:
                container_status["lastState"] = fields["lastState"]
            status["phase"] = phase
            status["hostIP"] = "127.0.0.1"
            status["podIP"] = "127.0.0.1"
            status["startTime"] = status.get("startTime") or now_timestamp()
            flag = "True" if ready else "False"
            status["conditions"] = [
                {"type": "PodScheduled", "status": "True"},
                {"type": "Initialized", "status": "True"},
                {"type": "ContainersReady", "status": flag},
                {"type": "Ready", "status": flag},
            ]
            status["containerStatuses"] = [container_status]

        self._store.update("pods", pod["metadata"]["namespace"], pod["metadata"]["name"], mutate)

    def _resolve(self, image: str) -> Sequence[str] | None:
        if image in self.images:
            return self.images[image]
        name = image.rsplit("/", 1)[-1].split(":", 1)[0]
        if (REPOSITORY_ROOT / "runtime" / "catalog" / name).is_dir():
            return [sys.executable, "-m", "runtime.catalog", name]
        return None

    def _environment(self, pod: dict[str, Any], container: dict[str, Any]) -> dict[str, str]:
        environment = dict(os.environ)
        environment["PYTHONPATH"] = str(REPOSITORY_ROOT)
        for variable in container.get("env") or []:
            if "value" in variable:
                environment[variable["name"]] = variable["value"]
                continue
            reference = (variable.get("valueFrom") or {}).get("secretKeyRef") or {}
            secret = self._store.get("secrets", pod["metadata"]["namespace"], reference["name"])
            encoded = (secret.get("data") or {})[reference["key"]]
            environment[variable["name"]] = base64.b64decode(encoded).decode()
        return environment

    def _run_pod(self, pod: dict[str, Any]) -> None:
        container = pod["spec"]["containers"][0]
        image = container["image"]
        command = self._resolve(image)
        if command is None:
            message = (
                f'rpc error: code = NotFound desc = failed to pull and unpack image "{image}": not found'
            )
            self._event(pod, "Warning", "Failed", f'Failed to pull image "{image}": {message}')
            self._set_container_status(pod, {"waiting": {"reason": "ErrImagePull", "message": message}})
            self._event(pod, "Warning", "Failed", "Error: ImagePullBackOff")
            self._set_container_status(
                pod,
                {"waiting": {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{image}"'}},
            )
            return
        try:
            environment = self._environment(pod, container)
        except (ApiError, KeyError) as error:
            reason = f"secret not found: {error}"
            self._set_container_status(
                pod, {"waiting": {"reason": "CreateContainerConfigError", "message": reason}}
            )
            return
        ports: dict[int, int] = {}
        for declared in container.get("ports") or []:
            ports[int(declared["containerPort"])] = _free_port()
        if ports:
            environment["PORT"] = str(next(iter(ports.values())))
        environment["OI_BIND_ADDRESS"] = "127.0.0.1"
        log_path = self._logs / f"{pod['metadata']['namespace']}-{pod['metadata']['name']}.log"
        self._event(pod, "Normal", "Pulled", f'Container image "{image}" already present on machine')
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                list(command),
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPOSITORY_ROOT,
                start_new_session=True,
            )
        record = _PodProcess(process, log_path, ports)
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        with self._lock:
            self._pods[key] = record
        try:
            self._store.get("pods", *key)
        except ApiError:
            # Deleted while it was starting: the delete found no process to stop, so stop it here.
            with self._lock:
                self._pods.pop(key, None)
            record.deleted.set()
            _terminate(process)
            return
        self._event(pod, "Normal", "Started", f"Started container {container['name']}")
        started = {"running": {"startedAt": now_timestamp()}}
        self._set_container_status(pod, started, phase="Running")
        if self._wait_until_listening(record):
            self._set_container_status(pod, started, phase="Running", ready=True)
        exit_code = process.wait()
        if record.deleted.is_set():
            return
        self._event(pod, "Warning", "BackOff", f"Back-off restarting failed container {container['name']}")
        self._set_container_status(
            pod,
            {
                "waiting": {
                    "reason": "CrashLoopBackOff",
                    "message": f"back-off 10s restarting failed container={container['name']}",
                }
            },
            phase="Running",
            restartCount=1,
            lastState={
                "terminated": {"exitCode": exit_code, "reason": "Error", "finishedAt": now_timestamp()}
            },
        )

    def _wait_until_listening(self, record: _PodProcess) -> bool:
        """True once the process accepts connections on its port (the tcpSocket readiness probe);
        False when it exits or the pod is deleted first."""
        if not record.ports:
            return record.process.poll() is None
        port = next(iter(record.ports.values()))
        while not record.deleted.is_set():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return True
            except OSError:
                pass
            try:
                record.process.wait(timeout=0.05)
                return False
            except subprocess.TimeoutExpired:
                continue
        return False


def _terminate(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
