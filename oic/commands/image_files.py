"""The files `oic image` writes for a checked pipeline, by name (``pipeline_files``):

- ``Dockerfile.pipeline``: the pipeline's one-file binary (``DIR/dist/NAME``, built by ``build.sh``)
  as the image of a Job;
- ``Dockerfile.<service>`` for each catalog service the pipeline uses: a built-in one served by the
  runtime (``python -m runtime.catalog NAME``), another one from its binary in the services cache;
- ``job.yaml``: the Job that runs the binary with ``--in-cluster``, and the flags that make the runner
  ask for exactly the images built here; the pipeline's secret params come from a Secret; the run's
  ``--timeout`` (the pipeline's own, else 25 minutes) ends before the Job's deadline;
- ``rbac.yaml``: the service account the Job runs as, the least-privilege Role a run needs
  (``oi-runner``, no read of Secrets), its binding, and the Role ``--cleanup`` needs (``oi-cleanup``);
- ``build.sh``: builds the binary and every image with the tags the runner asks for, and loads them
  into a kind or minikube cluster.

Images are named as the runner names them (``runtime.kubernetes.manifests.image_for``): the pattern
``{registry}/{name}:{version}`` with the registry given (``oi.local`` by default, a name no registry
answers to, so that a cluster uses the loaded images). Path services have no image of their own: a
path service that names none is reported, and the run would refuse it.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oic.sema.program import CheckedProgram, ResolvedService

DEFAULT_REGISTRY = "oi.local"
DEFAULT_TIMEOUT = "25m"
# The Job's deadline goes this far past the run's timeout: the engine then stops its run itself.
JOB_DEADLINE_MARGIN = 300
PIPELINE_TAG = "latest"
USER_ID = 65532
SERVICE_PORT = 50051  # runtime.kubernetes.options.DEFAULT_SERVICE_PORT
RUNNER_RULES: list[dict[str, Any]] = [
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "get", "list", "watch", "delete"]},
    {"apiGroups": [""], "resources": ["services", "secrets"], "verbs": ["create", "delete"]},
    {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["pods/portforward"], "verbs": ["create", "get"]},
    {"apiGroups": [""], "resources": ["events"], "verbs": ["list"]},
]
CLEANUP_RULES: list[dict[str, Any]] = [
    {"apiGroups": [""], "resources": ["pods", "services", "secrets"], "verbs": ["list", "delete"]},
]


def dns_label(text: str) -> str:
    """``text`` as a DNS-1123 label (Job, image and Secret names)."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", text.lower())[:50].strip("-")
    return cleaned or "pipeline"


def catalog_image(registry: str, service: ResolvedService) -> str:
    """The image the runner asks for a catalog service (the default pattern, this registry)."""
    return f"{registry}/{service.name}:{service.version or 'latest'}"


def catalog_services(program: CheckedProgram) -> list[ResolvedService]:
    """The catalog services without an image of their own, one per name and version."""
    found: dict[tuple[str, str], ResolvedService] = {}
    for service in program.services.values():
        if service.kind == "catalog" and not service.image:
            found.setdefault((service.name, service.version), service)
    return [found[key] for key in sorted(found)]


def pipeline_files(
    program: CheckedProgram, registry: str, namespace: str, timeout_text: str, timeout: float
) -> dict[str, str]:
    """Every file ``oic image`` writes, by name."""
    from oic.binary.embed import binary_file_name

    name = dns_label(program.pipeline_name)
    binary = binary_file_name(program.pipeline_name, "linux")  # what `oic build` writes
    files = {"Dockerfile.pipeline": pipeline_dockerfile(binary)}
    services = catalog_services(program)
    for service in services:
        files[f"Dockerfile.{service.name}-{service.version}"] = (
            builtin_dockerfile(service) if service.builtin else binary_dockerfile(service, program.arch)
        )
    files["job.yaml"] = job_manifest(program, name, registry, namespace, timeout_text, timeout)
    files["rbac.yaml"] = rbac_manifest(namespace)
    files["build.sh"] = build_script(program, name, registry, services)
    return files


def pipeline_dockerfile(binary: str) -> str:
    return f"""\
# The pipeline's one-file binary, run as a Job (job.yaml). build.sh builds the binary into dist/ first.
# It carries its own Python: it needs a glibc base, and a writable directory to unpack itself into.
FROM debian:bookworm-slim
COPY dist/{binary} /usr/local/bin/pipeline
RUN chmod 0755 /usr/local/bin/pipeline && mkdir -p /work && chown {USER_ID}:{USER_ID} /work
ENV TMPDIR=/tmp
WORKDIR /work
USER {USER_ID}:{USER_ID}
ENTRYPOINT ["/usr/local/bin/pipeline"]
CMD ["--in-cluster", "--logs-dir", "/work"]
"""


def builtin_dockerfile(service: ResolvedService) -> str:
    return f"""\
# oi's built-in catalog service {service.name} {service.version}, served by the runtime. The build
# context is oi's source tree (build.sh passes it).
FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY runtime ./runtime
COPY oic ./oic
COPY grammar ./grammar
RUN pip install --no-cache-dir .
ENV PYTHONUNBUFFERED=1
USER {USER_ID}:{USER_ID}
EXPOSE {SERVICE_PORT}
# PORT and OI_BIND_ADDRESS come from the pod's environment.
ENTRYPOINT ["python", "-m", "runtime.catalog", "{service.name}"]
"""


def binary_dockerfile(service: ResolvedService, arch: str) -> str:
    """A catalog service that is not oi's: its binary for Linux and the pipeline's architecture."""
    binary = f"{service.name}-{service.version}-linux-{arch or 'amd64'}"
    return f"""\
# The catalog service {service.name} {service.version}: its Linux binary from the services cache
# (~/.open-integration/services/{binary}), which is the build context build.sh passes.
FROM debian:bookworm-slim
COPY {binary} /usr/local/bin/service
RUN chmod 0755 /usr/local/bin/service
USER {USER_ID}:{USER_ID}
EXPOSE {SERVICE_PORT}
ENTRYPOINT ["/usr/local/bin/service"]
"""


def _yaml(documents: list[dict[str, Any]], header: str) -> str:
    import yaml

    body = yaml.safe_dump_all(documents, sort_keys=False, default_flow_style=False)
    return "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + body


def job_manifest(
    program: CheckedProgram, name: str, registry: str, namespace: str, timeout_text: str, timeout: float
) -> str:
    from runtime.program import env_name

    arguments = ["--in-cluster", "--logs-dir", "/work", "--timeout", timeout_text]
    arguments += ["--kube-image-registry", registry]
    environment: list[dict[str, Any]] = [
        # The engine's own pod: every object of the run names it as its owner.
        {"name": "OI_POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    ]
    secret_name = f"{name}-params"
    secrets = [param for param in program.params.values() if param.secret]
    for param in secrets:
        reference = {"name": secret_name, "key": param.name, "optional": True}
        environment.append({"name": env_name(param.name), "valueFrom": {"secretKeyRef": reference}})
    others = [param.name for param in program.params.values() if not param.secret]
    header = (
        f"The pipeline {program.pipeline_name!r} run once as a Job, as the oi-runner account of rbac.yaml.\n"
        f"The run's --timeout ({timeout_text}) ends before the Job's deadline, so the engine stops its\n"
        "run and deletes its pods itself; if the Job is killed anyway, its pod owns every object of the\n"
        "run, and Kubernetes' garbage collector deletes them with it.\n"
        + (
            f"Secret params come from the Secret {secret_name} (kubectl create secret generic {secret_name}\n"
            f"  -n {namespace} {' '.join(f'--from-literal={p.name}=...' for p in secrets)}).\n"
            if secrets
            else ""
        )
        + (f"Other params: add --param NAME=VALUE to args ({', '.join(others)}).\n" if others else "")
        + f"\n  kubectl apply -n {namespace} -f job.yaml && kubectl logs -n {namespace} job/{name} -f"
    )
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": namespace, "labels": _labels(program, name)},
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": int(timeout) + JOB_DEADLINE_MARGIN,
            "ttlSecondsAfterFinished": 3600,
            "template": {
                "metadata": {"labels": _labels(program, name)},
                "spec": {
                    "serviceAccountName": "oi-runner",
                    "restartPolicy": "Never",
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": USER_ID,
                        "runAsGroup": USER_ID,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": "pipeline",
                            "image": f"{registry}/{name}:{PIPELINE_TAG}",
                            "imagePullPolicy": "IfNotPresent",
                            "args": arguments,
                            "env": environment,
                            "volumeMounts": [
                                {"name": "work", "mountPath": "/work"},
                                {"name": "tmp", "mountPath": "/tmp"},
                            ],
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "readOnlyRootFilesystem": True,
                                "capabilities": {"drop": ["ALL"]},
                            },
                        }
                    ],
                    "volumes": [{"name": "work", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}],
                },
            },
        },
    }
    return _yaml([job], header)


def _labels(program: CheckedProgram, name: str) -> dict[str, str]:
    """The recommended labels, ``part-of`` as the run's own objects carry it."""
    from runtime.kubernetes.manifests import label_value

    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/component": "pipeline",
        "app.kubernetes.io/part-of": label_value(program.pipeline_name) or "oi",
        "app.kubernetes.io/managed-by": "oi",
    }


def rbac_manifest(namespace: str) -> str:
    header = (
        "What a run of the pipeline may do in its namespace (oi-runner: no read of Secrets), and what\n"
        "--cleanup may do (oi-cleanup: bind it to whoever cleans up). See docs/kubernetes.md.\n"
        f"\n  kubectl apply -n {namespace} -f rbac.yaml"
    )
    documents: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "oi-runner", "namespace": namespace},
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "oi-runner", "namespace": namespace},
            "rules": RUNNER_RULES,
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "oi-runner", "namespace": namespace},
            "subjects": [{"kind": "ServiceAccount", "name": "oi-runner", "namespace": namespace}],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "oi-runner"},
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "oi-cleanup", "namespace": namespace},
            "rules": CLEANUP_RULES,
        },
    ]
    return _yaml(documents, header)


def _source_root() -> str:
    """The directory that holds oi's source tree (``runtime``, ``oic``, ``pyproject.toml``)."""
    return str(Path(__file__).resolve().parents[2])


def build_script(program: CheckedProgram, name: str, registry: str, services: list[ResolvedService]) -> str:
    pipeline_file = str(Path(program.source.path).resolve()) if program.source.path else "PIPELINE.oi"
    lines = [
        "#!/bin/sh",
        "# Build the pipeline's binary and every image its run asks for, then load them into the cluster:",
        "#   ./build.sh            # kind (the cluster named by $KIND_CLUSTER, else kind's default)",
        "#   LOADER=minikube ./build.sh",
        "set -eu",
        'here=$(cd "$(dirname "$0")" && pwd)',
        f"source=${{OI_SOURCE:-{shlex.quote(_source_root())}}}",
        "services=${OI_SERVICES_CACHE:-$HOME/.open-integration/services}",
        f'oic build {shlex.quote(pipeline_file)} -o "$here/dist"',
    ]
    images = [f"{registry}/{name}:{PIPELINE_TAG}"]
    lines.append(f'docker build -f "$here/Dockerfile.pipeline" -t {images[0]} "$here"')
    for service in services:
        image = catalog_image(registry, service)
        images.append(image)
        context = '"$source"' if service.builtin else '"$services"'
        dockerfile = f'"$here/Dockerfile.{service.name}-{service.version}"'
        lines.append(f"docker build -f {dockerfile} -t {image} {context}")
    lines.append('case "${LOADER:-kind}" in')
    kind_loads = " && ".join(
        f'kind load docker-image {image} --name "${{KIND_CLUSTER:-kind}}"' for image in images
    )
    minikube_loads = " && ".join(f"minikube image load {image}" for image in images)
    lines.append(f"  kind) {kind_loads} ;;")
    lines.append(f"  minikube) {minikube_loads} ;;")
    lines.append('  *) echo "LOADER is kind or minikube" >&2; exit 2 ;;')
    lines.append("esac")
    return "\n".join(lines) + "\n"
