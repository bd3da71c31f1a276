"""The objects a run creates for each service: a Pod, a Service in front of it, and one Secret.

Plain dicts in the API's JSON shape (the client accepts them as bodies), built by pure functions so
their content is easy to test. Names are DNS-1123 labels derived from the alias and a hash of the run
id and alias (run ids may be long or contain characters names cannot). Everything carries
Kubernetes' recommended labels (``app.kubernetes.io/name``, ``instance``, ``component``, ``part-of``,
``managed-by=oi``) and oi's own keys under the ``oi.dev/`` prefix (``oi.dev/run-id``,
``oi.dev/service``): they are how ``cleanup`` finds what crashed runs left behind. Runs of earlier
releases labelled their objects ``oi.run-id`` and ``oi.service``; ``cleanup`` still finds those.

In a cluster, every object names the engine's own pod as its owner (``owner_reference``), so that
Kubernetes' garbage collector deletes them with that pod, even when the engine had no chance to.

The run's service token is put in a Secret and reaches the container through ``secretKeyRef``, so it
is not readable by whoever can merely read pod specs.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from runtime.kubernetes.options import KubernetesOptions
from runtime.model import Service
from runtime.services.base import ServiceStartError

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "oi"
NAME_LABEL = "app.kubernetes.io/name"
INSTANCE_LABEL = "app.kubernetes.io/instance"
COMPONENT_LABEL = "app.kubernetes.io/component"
PART_OF_LABEL = "app.kubernetes.io/part-of"
RUN_ID_LABEL = "oi.dev/run-id"
SERVICE_LABEL = "oi.dev/service"
# The keys of earlier releases, still read by ``cleanup``.
LEGACY_RUN_ID_LABEL = "oi.run-id"
LEGACY_SERVICE_LABEL = "oi.service"
# ``app.kubernetes.io/component`` of what a run creates.
SERVICE_COMPONENT = "service"
TOKEN_COMPONENT = "service-token"
CONTAINER_NAME = "service"
TOKEN_SECRET_KEY = "token"

MANAGED_SELECTOR = f"{MANAGED_BY_LABEL}={MANAGED_BY_VALUE}"


def label_value(text: str) -> str:
    """``text`` as a valid label value: at most 63 of ``[A-Za-z0-9._-]``, alphanumeric at both ends."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "-", text)[:63]
    return cleaned.strip("._-")


def object_name(alias: str, run_id: str) -> str:
    """A DNS-1123/1035 label unique per (run, alias): ``oi-<alias>-<hash>``, starting with a letter."""
    digest = hashlib.sha256(f"{run_id}\0{alias}".encode()).hexdigest()[:10]
    readable = re.sub(r"[^a-z0-9-]", "-", alias.lower())[:40].strip("-") or "service"
    return f"oi-{readable}-{digest}"


def token_secret_name(run_id: str) -> str:
    digest = hashlib.sha256(run_id.encode()).hexdigest()[:10]
    return f"oi-token-{digest}"


def run_selectors(run_id: str) -> list[str]:
    """The label selectors of one run's objects: today's keys, then those of earlier releases."""
    value = label_value(run_id)
    return [f"{MANAGED_SELECTOR},{key}={value}" for key in (RUN_ID_LABEL, LEGACY_RUN_ID_LABEL)]


def run_of(object_labels: dict[str, str] | None) -> str:
    """The run id an object's labels name (either key), or "?"."""
    found = object_labels or {}
    return found.get(RUN_ID_LABEL) or found.get(LEGACY_RUN_ID_LABEL) or "?"


def labels(
    options: KubernetesOptions,
    run_id: str,
    *,
    name: str,
    instance: str,
    component: str,
    pipeline: str = "",
    alias: str = "",
) -> dict[str, str]:
    """The labels of one object: ``name`` is what it runs (the catalog service, else the alias),
    ``instance`` the object's own name, ``component`` its part in a run, ``pipeline`` the pipeline it
    is part of ("" = unknown: ``oi``), ``alias`` the service it stands for (none for the Secret)."""
    result = dict(options.extra_labels)
    result[NAME_LABEL] = label_value(name) or MANAGED_BY_VALUE
    result[INSTANCE_LABEL] = label_value(instance)
    result[COMPONENT_LABEL] = component
    result[PART_OF_LABEL] = label_value(pipeline) or MANAGED_BY_VALUE
    result[MANAGED_BY_LABEL] = MANAGED_BY_VALUE
    result[RUN_ID_LABEL] = label_value(run_id)
    if alias:
        result[SERVICE_LABEL] = label_value(alias)
    return result


def service_labels(
    options: KubernetesOptions, service: Service, run_id: str, pipeline: str
) -> dict[str, str]:
    """The labels of a service's Pod and of the Service in front of it."""
    return labels(
        options,
        run_id,
        name=service.name or service.alias,
        instance=object_name(service.alias, run_id),
        component=SERVICE_COMPONENT,
        pipeline=pipeline,
        alias=service.alias,
    )


def owner_reference(pod: dict[str, Any]) -> dict[str, Any]:
    """An ``ownerReferences`` entry naming ``pod`` (the engine's own, as the API returned it). Not a
    controller, and without ``blockOwnerDeletion`` (which needs rights on the owner's finalizers)."""
    return {"apiVersion": "v1", "kind": "Pod", "name": pod["name"], "uid": pod["uid"]}


def _metadata(name: str, object_labels: dict[str, str], owner: dict[str, Any] | None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "labels": object_labels}
    if owner is not None:
        metadata["ownerReferences"] = [owner]
    return metadata


def image_for(service: Service, options: KubernetesOptions) -> str:
    """The explicit ``Service.image``, else the catalog name and version through the pattern."""
    if service.image:
        return service.image
    if service.path or not service.name:
        raise ServiceStartError(
            f"service {service.alias!r} is a path service, which has no image in Kubernetes mode; "
            "build and push an image for it and give it as the service's image (see docs/kubernetes.md)"
        )
    try:
        return options.image_pattern.format(
            registry=options.image_registry.rstrip("/"),
            name=service.name,
            version=service.version or "latest",
        )
    except (KeyError, IndexError, ValueError) as error:
        raise ServiceStartError(
            f"the image pattern {options.image_pattern!r} is invalid ({error}); "
            "it may use {registry}, {name} and {version}"
        ) from None


def token_secret(
    options: KubernetesOptions,
    run_id: str,
    token: str,
    pipeline: str = "",
    owner: dict[str, Any] | None = None,
) -> dict[str, Any]:
    name = token_secret_name(run_id)
    object_labels = labels(
        options, run_id, name=name, instance=name, component=TOKEN_COMPONENT, pipeline=pipeline
    )
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _metadata(name, object_labels, owner),
        "type": "Opaque",
        "stringData": {TOKEN_SECRET_KEY: token},
    }


def pod(
    service: Service,
    options: KubernetesOptions,
    run_id: str,
    with_token: bool,
    *,
    pipeline: str = "",
    owner: dict[str, Any] | None = None,
    active_deadline_seconds: int | None = None,
) -> dict[str, Any]:
    """The service's Pod. ``active_deadline_seconds``: how long the pod may run at most (the run's
    timeout, so that a pod of a run killed outright still ends; None: no bound)."""
    port = options.service_port
    environment: list[dict[str, Any]] = [
        {"name": "PORT", "value": str(port)},
        # In a pod the service must listen on the pod's address, not only its loopback.
        {"name": "OI_BIND_ADDRESS", "value": "0.0.0.0"},
    ]
    if with_token:
        environment.append(
            {
                "name": "OI_SERVICE_TOKEN",
                "valueFrom": {"secretKeyRef": {"name": token_secret_name(run_id), "key": TOKEN_SECRET_KEY}},
            }
        )
    container: dict[str, Any] = {
        "name": CONTAINER_NAME,
        "image": image_for(service, options),
        "imagePullPolicy": options.image_pull_policy,
        "env": environment,
        "ports": [{"name": "grpc", "containerPort": port, "protocol": "TCP"}],
        "resources": {"requests": dict(options.resources.requests), "limits": dict(options.resources.limits)},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "privileged": False,
            "capabilities": {"drop": ["ALL"]},
            "runAsNonRoot": True,
        },
        # Ready means "accepts connections": checked every second, so readiness is seen at once
        # instead of after the default ten-second period.
        "readinessProbe": {"tcpSocket": {"port": port}, "periodSeconds": 1, "failureThreshold": 3},
    }
    pod_security: dict[str, Any] = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    if options.run_as_user is not None:
        pod_security["runAsUser"] = options.run_as_user
        pod_security["runAsGroup"] = options.run_as_user
    spec: dict[str, Any] = {
        "containers": [container],
        "restartPolicy": "Always",
        "automountServiceAccountToken": options.automount_service_account_token,
        "securityContext": pod_security,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": 10,
    }
    if options.service_account:
        spec["serviceAccountName"] = options.service_account
    if options.image_pull_secrets:
        spec["imagePullSecrets"] = [{"name": name} for name in options.image_pull_secrets]
    if active_deadline_seconds is not None:
        spec["activeDeadlineSeconds"] = max(1, active_deadline_seconds)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": _metadata(
            object_name(service.alias, run_id), service_labels(options, service, run_id, pipeline), owner
        ),
        "spec": spec,
    }


def service(
    service: Service,
    options: KubernetesOptions,
    run_id: str,
    *,
    pipeline: str = "",
    owner: dict[str, Any] | None = None,
) -> dict[str, Any]:
    own_labels = service_labels(options, service, run_id, pipeline)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(object_name(service.alias, run_id), own_labels, owner),
        "spec": {
            "selector": {key: own_labels[key] for key in (MANAGED_BY_LABEL, RUN_ID_LABEL, SERVICE_LABEL)},
            "ports": [
                {
                    "name": "grpc",
                    "port": options.service_port,
                    "targetPort": options.service_port,
                    "protocol": "TCP",
                }
            ],
        },
    }


def service_address(alias: str, options: KubernetesOptions, run_id: str, namespace: str) -> str:
    """The in-cluster address of the service: ``<name>.<namespace>.svc:<port>``."""
    return f"{object_name(alias, run_id)}.{namespace}.svc:{options.service_port}"
