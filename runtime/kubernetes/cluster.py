"""Connecting to the cluster: the kubeconfig (file and context honoured) or the in-cluster account.

Each runner gets its own ``ApiClient`` rather than the client library's global default configuration,
so two runs (or a test with two fake clusters) never see each other's settings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException
from urllib3.exceptions import MaxRetryError, NewConnectionError, ReadTimeoutError, SSLError
from urllib3.exceptions import TimeoutError as RequestTimeout
from urllib3.util.retry import Retry

from runtime.kubernetes.options import KubernetesOptions
from runtime.services.base import ServiceError

IN_CLUSTER_NAMESPACE_FILE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


class KubernetesError(ServiceError):
    """The cluster could not be reached or refused a request; the message says what to do."""


@dataclass(frozen=True)
class Cluster:
    """A configured API client and the namespace the run works in."""

    api: client.CoreV1Api
    namespace: str
    description: str


def connect(options: KubernetesOptions) -> Cluster:
    """Load the configuration ``options`` name and return the API and namespace. Raises
    ``KubernetesError`` with a one-line message when the configuration is missing or wrong."""
    configuration = client.Configuration()
    if options.in_cluster:
        try:
            config.load_incluster_config(client_configuration=configuration)
        except ConfigException as error:
            raise KubernetesError(
                f"kubernetes: cannot use the in-cluster configuration ({error}); "
                "--in-cluster only works inside a pod with a service account"
            ) from None
        namespace = options.namespace or _in_cluster_namespace()
        description = "the in-cluster service account"
    else:
        config_file = options.kubeconfig or None
        try:
            config.load_kube_config(
                config_file=config_file,
                context=options.context or None,
                client_configuration=configuration,
                persist_config=False,
            )
        except (ConfigException, OSError) as error:
            where = options.kubeconfig or "the default kubeconfig ($KUBECONFIG or ~/.kube/config)"
            raise KubernetesError(f"kubernetes: cannot load {where}: {_one_line(error)}") from None
        namespace = options.namespace or _context_namespace(options) or "default"
        description = f"context {options.context!r}" if options.context else "the current context"
    # A run talks to the API from several threads at once (one per service start, plus port-forwards).
    configuration.connection_pool_maxsize = 16
    # urllib3 retries a GET or DELETE whose answer did not come three times by default, each with a
    # fresh deadline: against an API server that accepts connections and never answers, that would
    # multiply every request's deadline by four. A refused connection is still tried again.
    configuration.retries = Retry(total=2, connect=2, read=0, redirect=0, status=0, other=0)
    return Cluster(client.CoreV1Api(client.ApiClient(configuration)), namespace, description)


def _context_namespace(options: KubernetesOptions) -> str:
    try:
        contexts, current = config.list_kube_config_contexts(config_file=options.kubeconfig or None)
    except (ConfigException, OSError):
        return ""
    chosen = current
    for context in contexts or []:
        if context.get("name") == options.context:
            chosen = context
    return str(((chosen or {}).get("context") or {}).get("namespace") or "")


def _in_cluster_namespace() -> str:
    try:
        return IN_CLUSTER_NAMESPACE_FILE.read_text().strip() or "default"
    except OSError:
        return "default"


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


def _status_message(error: ApiException) -> str:
    """The ``message`` of the ``Status`` object the server sent with an error, if any."""
    try:
        message = json.loads(error.body or "{}").get("message", "")
    except (ValueError, AttributeError):
        return ""
    return f": {_one_line(Exception(message))}" if message else ""


def describe_api_error(error: Exception) -> str:
    """A one-line account of a failed API request with a hint for the usual causes."""
    if isinstance(error, ApiException):
        reason = error.reason or ""
        if error.status == 0 or error.status is None:
            return f"cannot reach the API server ({_one_line(Exception(reason))})"
        if error.status in (401, 403):
            return (
                f"the API server refused the request ({error.status} {reason}); "
                "check the credentials and the RBAC Role in docs/kubernetes.md"
            )
        return f"the API server answered {error.status} {reason}{_status_message(error)}"
    if is_timeout(error):
        if _read_timeout(error):
            return "the API server did not answer in time (it accepts connections but sends no answer)"
        return "the API server did not accept the connection in time"
    tls_failure = _tls_failure(error)
    if tls_failure:
        return (
            f"the TLS connection to the API server failed ({tls_failure}); check the cluster's "
            "certificate-authority and the user's client certificate in the kubeconfig"
        )
    return f"cannot reach the API server ({_one_line(error)})"


def _tls_failure(error: Exception) -> str:
    """What went wrong in a TLS handshake that ``error`` stands for ("" when it is something else)."""
    reason = error.reason if isinstance(error, MaxRetryError) else error
    if isinstance(reason, SSLError):
        inner = reason.args[0] if reason.args else reason
        return _one_line(inner if isinstance(inner, BaseException) else reason)
    return ""


def is_timeout(error: BaseException) -> bool:
    """Whether ``error`` is a request that got no answer, or no connection, before its deadline
    (urllib3 wraps it in a ``MaxRetryError`` when its retries are spent)."""
    reason = error.reason if isinstance(error, MaxRetryError) else error
    if isinstance(reason, NewConnectionError):  # a refused connection, though urllib3 files it here
        return False
    return isinstance(reason, (RequestTimeout, TimeoutError))


def _read_timeout(error: BaseException) -> bool:
    reason = error.reason if isinstance(error, MaxRetryError) else error
    return isinstance(reason, ReadTimeoutError)
