"""google-api-core and google-auth errors as what a user can do about them (a
read whose retries ran out reports its last attempt)."""

from __future__ import annotations

from hybridtui.errors import (
    AuthError,
    CloudTimeoutError,
    CloudUnavailableError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    QuotaError,
    ThrottledError,
)


def operation_error(what: str, code: str, message: str) -> ProviderError:
    """The first error of a long-running operation that failed (an insert
    accepted, then refused: quota, a zone out of capacity)."""
    text = f"{what}: {code}: {message}"
    if "QUOTA" in code:
        return QuotaError(text, hint="Free resources or request more quota.")
    if "RESOURCE_POOL_EXHAUSTED" in code or "RESOURCE_EXHAUSTED" in code:
        return ProviderError(
            text, title="Zone resource exhausted", hint="Try another zone or machine type."
        )
    return ProviderError(text, title="GCE operation failed")


def map_error(op: str, e: Exception, *, where: str, timeout: float, project: str) -> ProviderError:
    """A clear, user-facing error for an SDK exception raised by `op`."""
    import requests
    from google.api_core import exceptions as gx
    from google.auth import exceptions as ax
    from google.protobuf import json_format

    if isinstance(e, gx.RetryError) and isinstance(e.cause, Exception):
        e = e.cause  # the reads' retries ran out: say what the last attempt got
    msg = getattr(e, "message", None) or str(e).splitlines()[0]
    text = f"{where}: {op}: {msg}"
    if isinstance(e, gx.Unauthenticated | ax.RefreshError):
        return AuthError(
            text, hint="Renew the credentials: `gcloud auth application-default login`."
        )
    if isinstance(e, gx.PermissionDenied | gx.Forbidden):
        if (
            "accessNotConfigured" in str(e)
            or "has not been used" in str(e)
            or "SERVICE_DISABLED" in str(e)
        ):
            return AuthError(
                f"{where}: the Compute Engine API is not enabled ({msg})",
                title="API disabled",
                hint=f"gcloud services enable compute.googleapis.com --project {project}",
            )
        if "quota" in msg.lower():
            return QuotaError(text)
        return PermissionDeniedError(
            text, hint=f"The credentials work but lack this Compute Engine permission ({op})."
        )
    if isinstance(e, gx.NotFound):
        return NotFoundError(text)
    if isinstance(e, gx.TooManyRequests | gx.ResourceExhausted):
        if "quota" in msg.lower() and "rate" not in msg.lower():
            return QuotaError(text)
        return ThrottledError(text)
    if isinstance(e, gx.DeadlineExceeded | requests.exceptions.Timeout):
        return CloudTimeoutError(f"{where}: {op}: no answer within {timeout:g} s")
    if isinstance(e, gx.ServerError | requests.exceptions.ConnectionError):
        return CloudUnavailableError(text)
    if isinstance(e, json_format.ParseError | ValueError):
        # a cut-off or foreign body with a 200 (a proxy, a dropped stream)
        return CloudUnavailableError(
            f"{where}: {op}: the endpoint answered with something that is not Compute API JSON ({msg})"
        )
    if isinstance(e, gx.GoogleAPICallError):
        err = ProviderError(text, title="GCE error")
        err.transient = False
        return err
    return ProviderError(f"{where}: {op}: {type(e).__name__}: {msg}", title="GCE error")
