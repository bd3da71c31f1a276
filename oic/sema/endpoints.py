"""What a call to an endpoint that a service's schemas do not list means.

oi knows every endpoint of its built-in services, so there such a call is an error (E0203). Any other
service may serve endpoints its ``init`` answer or its schema directory leaves out, as the original
engine's services often did: the call is allowed, unchecked (its arguments and output are ``any``,
and the engine calls it without validation), and warned about (W0110), with a spelling hint when a
typed endpoint is close, so that a typo stays easy to see.
"""

from __future__ import annotations

from oic.sema.hints import did_you_mean
from oic.sema.program import ResolvedService
from oic.sema.reporter import Reporter
from oic.source import Span


def report_unlisted_endpoint(service: ResolvedService, endpoint: str, span: Span, reporter: Reporter) -> None:
    """Report a call of ``endpoint``, which ``service.schemas`` does not list, at ``span``."""
    known = sorted(service.schemas)
    listed = ", ".join(f"`{name}`" for name in known)
    if service.builtin:
        reporter.report(
            span,
            "E0203",
            f"service {service.alias!r} has no endpoint {endpoint!r}",
            did_you_mean(endpoint, known) or f"its endpoints are {listed}",
        )
        return
    typed = f"the typed endpoints are {listed}"
    hint = did_you_mean(endpoint, known)
    written = service.declaration.schemas
    directory = written.value.rstrip("/") if written is not None else f"schemas/{service.alias}"
    where = f"{directory}/{endpoint}/arguments.json"
    reporter.report(
        span,
        "W0110",
        f"endpoint {endpoint!r} of service {service.alias!r} has no schema: this call is not checked",
        f"{hint} ({typed})" if hint else f"to type it, add {where} and returns.json ({typed})",
    )
