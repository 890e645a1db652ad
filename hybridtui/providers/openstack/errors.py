"""openstacksdk and keystoneauth errors as what a user can do about them (the SDK
reports most failures as `HttpException` with the status and the service's text)."""

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


def map_error(op: str, e: Exception, *, where: str, timeout: float, auth_url: str) -> ProviderError:
    """A clear, user-facing error for an SDK exception raised by `op`."""
    from keystoneauth1 import exceptions as ka
    from openstack import exceptions as ox

    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if isinstance(e, ka.http.Unauthorized) or (
        isinstance(e, ox.HttpException) and e.status_code == 401
    ):
        return AuthError(
            f"{where}: authentication failed at {auth_url} ({op})",
            hint="Check the credentials for this cloud in clouds.yaml / secure.yaml, or renew the token.",
        )
    # The SDK reports a service missing from the catalog (wrong region or
    # interface) as ServiceDisabledException when the proxy is first used.
    if isinstance(
        e, ka.catalog.EndpointNotFound | ox.EndpointNotFound | ox.ServiceDisabledException
    ):
        err = ProviderError(
            f"{where}: {op}: the service catalog has no endpoint for it ({text})",
            title="Endpoint missing",
            hint="This cloud does not offer the service, or not in this region/interface.",
        )
        err.transient = False
        return err
    if isinstance(e, (ka.ConnectTimeout, ox.ResourceTimeout)):
        return CloudTimeoutError(f"{where}: {op}: no answer within {timeout:g} s")
    if isinstance(
        e,
        ka.connection.ConnectFailure
        | ka.connection.UnknownConnectionError
        | ka.RetriableConnectionFailure,
    ):
        return CloudUnavailableError(f"{where}: {op}: cannot reach the API ({text})")
    if isinstance(e, ox.HttpException):
        status = int(e.status_code or 0)
        detail = (getattr(e, "details", None) or text).strip()
        msg = f"{where}: {op}: HTTP {status}: {detail}"
        if "quota" in detail.lower() and "exceed" in detail.lower():
            return QuotaError(msg, hint="Free resources or ask for a higher quota.")
        if "Multiple possible networks" in detail:
            return ProviderError(
                msg,
                title="Choose a network",
                hint="Set `overrides: {network: NAME}` for this cloud.",
            )
        if status == 404:
            return NotFoundError(msg)
        if status == 403:
            return PermissionDeniedError(
                msg, hint=f"The credentials work but the cloud's policy refuses this ({op})."
            )
        if status == 429:
            return ThrottledError(
                msg,
                hint="The cloud is rate-limiting; hybridtui backs off. Raise refresh_interval.",
            )
        if status >= 500:
            return CloudUnavailableError(msg)
        err = ProviderError(msg, title="OpenStack error")
        err.transient = status in (408, 409, 429)
        return err
    if isinstance(e, ValueError):  # a cut-off or foreign body with a 200
        return CloudUnavailableError(
            f"{where}: {op}: the endpoint answered with something that is not the API's JSON ({text})"
        )
    if isinstance(e, ox.SDKException):
        err = ProviderError(f"{where}: {op}: {text}", title="OpenStack error")
        err.transient = False
        return err
    return ProviderError(f"{where}: {op}: {type(e).__name__}: {text}", title="OpenStack error")
