"""The object store of the fake Kubernetes API server: objects, resource versions, selectors, watches.

Objects are plain dicts shaped like the API's JSON. Every change bumps one cluster-wide resource
version and is appended to a change log, so a watch can replay what happened after the version it
was given and then block on a condition variable for what comes next (no polling).

Deleting an object deletes its dependents too (those whose ``ownerReferences`` name its uid), as the
garbage collector of a real cluster does with background propagation, only at once.
"""

from __future__ import annotations

import base64
import copy
import datetime
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

KINDS = {"pods": "Pod", "services": "Service", "secrets": "Secret", "events": "Event"}


class ApiError(Exception):
    """An error the server answers with a ``Status`` object."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message

    def status(self) -> dict[str, Any]:
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }


def now_timestamp() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Change:
    """One entry of the change log: ``kind`` is ADDED, MODIFIED or DELETED."""

    resource_version: int
    kind: str
    resource: str
    namespace: str
    object: dict[str, Any]


def _field_value(obj: dict[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value)


def _parse_selector(selector: str | None) -> list[tuple[str, str, str]]:
    """``a=b,c!=d,e,!f`` -> ``[(key, operator, value)]`` with operators ``= != exists !exists``."""
    terms: list[tuple[str, str, str]] = []
    for raw in (selector or "").split(","):
        term = raw.strip()
        if not term:
            continue
        if "!=" in term:
            key, value = term.split("!=", 1)
            terms.append((key.strip(), "!=", value.strip()))
        elif "==" in term or "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            terms.append((key.strip(), "=", value.strip()))
        elif term.startswith("!"):
            terms.append((term[1:].strip(), "!exists", ""))
        else:
            terms.append((term, "exists", ""))
    return terms


def matches(obj: dict[str, Any], label_selector: str | None, field_selector: str | None) -> bool:
    labels = obj.get("metadata", {}).get("labels") or {}
    for key, operator, value in _parse_selector(label_selector):
        if operator == "=" and labels.get(key) != value:
            return False
        if operator == "!=" and labels.get(key) == value:
            return False
        if operator == "exists" and key not in labels:
            return False
        if operator == "!exists" and key in labels:
            return False
    for key, operator, value in _parse_selector(field_selector):
        actual = _field_value(obj, key)
        if operator == "=" and actual != value:
            return False
        if operator == "!=" and actual == value:
            return False
    return True


class Store:
    """Objects by ``(resource, namespace, name)``; thread-safe. ``on_created`` / ``on_deleted`` let the
    fake kubelet react to pods."""

    def __init__(self) -> None:
        self._objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._log: list[Change] = []
        self._version = 0
        self._changed = threading.Condition()
        self.closed = False
        self.on_created: list[Callable[[str, dict[str, Any]], None]] = []
        self.on_deleted: list[Callable[[str, dict[str, Any]], None]] = []
        # The cluster IP of a new Service (``fake_network``); None: an address nothing listens on.
        self.allocate_cluster_ip: Callable[[], str] | None = None

    def _record(self, kind: str, resource: str, namespace: str, obj: dict[str, Any]) -> None:
        # Called with the lock held.
        self._log.append(Change(self._version, kind, resource, namespace, copy.deepcopy(obj)))
        self._changed.notify_all()

    def create(self, resource: str, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        obj = copy.deepcopy(body)
        metadata = obj.setdefault("metadata", {})
        name = metadata.get("name") or ""
        if not name and metadata.get("generateName"):
            name = metadata["generateName"] + uuid.uuid4().hex[:5]
        if not name:
            raise ApiError(422, "Invalid", f"{KINDS[resource]} is invalid: metadata.name: Required value")
        with self._changed:
            key = (resource, namespace, name)
            if key in self._objects:
                raise ApiError(409, "AlreadyExists", f'{resource} "{name}" already exists')
            self._version += 1
            metadata.update(
                name=name,
                namespace=namespace,
                uid=str(uuid.uuid4()),
                resourceVersion=str(self._version),
                creationTimestamp=now_timestamp(),
            )
            obj["kind"] = KINDS[resource]
            obj["apiVersion"] = "v1"
            if resource == "pods":
                obj["status"] = {"phase": "Pending", "qosClass": "Burstable"}
            if resource == "secrets" and "stringData" in obj:
                # The API server folds stringData into base64 data and never returns it.
                data = obj.setdefault("data", {})
                for secret_key, text in obj.pop("stringData").items():
                    data[secret_key] = base64.b64encode(str(text).encode()).decode()
            if resource == "services":
                allocate = self.allocate_cluster_ip
                address = allocate() if allocate is not None else f"10.96.0.{self._version % 250 + 1}"
                obj.setdefault("spec", {})["clusterIP"] = address
            self._objects[key] = obj
            self._record("ADDED", resource, namespace, obj)
            created = copy.deepcopy(obj)
        for callback in self.on_created:
            callback(resource, created)
        return created

    def get(self, resource: str, namespace: str, name: str) -> dict[str, Any]:
        with self._changed:
            obj = self._objects.get((resource, namespace, name))
            if obj is None:
                raise ApiError(404, "NotFound", f'{resource} "{name}" not found')
            return copy.deepcopy(obj)

    def list_objects(
        self, resource: str, namespace: str, label_selector: str | None, field_selector: str | None
    ) -> tuple[list[dict[str, Any]], int]:
        with self._changed:
            items = [
                copy.deepcopy(obj)
                for (kind, space, _), obj in self._objects.items()
                if kind == resource and space == namespace and matches(obj, label_selector, field_selector)
            ]
            return items, self._version

    def update(
        self, resource: str, namespace: str, name: str, mutate: Callable[[dict[str, Any]], None]
    ) -> bool:
        """Apply ``mutate`` to the stored object; False when it is gone (deleted meanwhile)."""
        with self._changed:
            obj = self._objects.get((resource, namespace, name))
            if obj is None:
                return False
            mutate(obj)
            self._version += 1
            obj["metadata"]["resourceVersion"] = str(self._version)
            self._record("MODIFIED", resource, namespace, obj)
            return True

    def delete(self, resource: str, namespace: str, name: str) -> dict[str, Any]:
        with self._changed:
            obj = self._objects.pop((resource, namespace, name), None)
            if obj is None:
                raise ApiError(404, "NotFound", f'{resource} "{name}" not found')
            self._version += 1
            obj["metadata"]["resourceVersion"] = str(self._version)
            obj["metadata"]["deletionTimestamp"] = now_timestamp()
            self._record("DELETED", resource, namespace, obj)
            deleted = copy.deepcopy(obj)
            uid = obj["metadata"].get("uid")
            dependents = [
                key
                for key, other in self._objects.items()
                if key[1] == namespace
                and any(owner.get("uid") == uid for owner in other["metadata"].get("ownerReferences") or [])
            ]
        for callback in self.on_deleted:
            callback(resource, deleted)
        for dependent in dependents:
            try:
                self.delete(*dependent)
            except ApiError:
                pass  # deleted meanwhile
        return deleted

    def count(self) -> int:
        with self._changed:
            return sum(1 for (resource, _, _) in self._objects if resource != "events")

    def names(self, resource: str) -> list[str]:
        with self._changed:
            return sorted(name for (kind, _, name) in self._objects if kind == resource)

    def watch(
        self,
        resource: str,
        namespace: str,
        label_selector: str | None,
        field_selector: str | None,
        since: int | None,
        deadline: float,
        clock: Callable[[], float],
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Yield ``(type, object)`` for changes after ``since``; with no ``since``, first the current
        objects as ADDED (what the API server does). Ends at ``deadline`` or when the store closes."""
        if since is None:
            items, since = self.list_objects(resource, namespace, label_selector, field_selector)
            for item in items:
                yield "ADDED", item
        position = 0
        while True:
            with self._changed:
                while True:
                    pending = [
                        change
                        for change in self._log[position:]
                        if change.resource_version > since
                        and change.resource == resource
                        and change.namespace == namespace
                        and matches(change.object, label_selector, field_selector)
                    ]
                    position = len(self._log)
                    remaining = deadline - clock()
                    if pending or self.closed or remaining <= 0:
                        break
                    self._changed.wait(remaining)
            for change in pending:
                since = change.resource_version
                yield change.kind, change.object
            if self.closed or deadline - clock() <= 0:
                return

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()
