"""botocore errors as what a user can do about them: EC2 error codes by family,
then the transport's own exceptions (no credentials, expired SSO, timeouts)."""

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

AUTH_CODES = {
    "AuthFailure",
    "UnauthorizedOperation",
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "OptInRequired",
}
THROTTLE_CODES = {
    "RequestLimitExceeded",
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
}
QUOTA_CODES = {
    "InstanceLimitExceeded",
    "VcpuLimitExceeded",
    "AddressLimitExceeded",
    "ResourceLimitExceeded",
    "MaxSpotInstanceCountExceeded",
    "KeyPairLimitExceeded",
}
CAPACITY_CODES = {"InsufficientInstanceCapacity", "InsufficientCapacity", "Unsupported"}
SERVER_CODES = {"InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable"}


def map_error(
    op: str, e: Exception, *, where: str, timeout: float, login_hint: str
) -> ProviderError:
    """A clear, user-facing error for an SDK exception raised by `op`."""
    import botocore.exceptions as bx
    from botocore.parsers import ResponseParserError

    if isinstance(e, bx.ClientError):
        err = e.response.get("Error", {})
        code, msg = str(err.get("Code", "")), str(err.get("Message", ""))
        status = int(e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        text = f"{where}: {op}: {code}: {msg}".rstrip(": ")
        if code in AUTH_CODES:
            if code == "UnauthorizedOperation":
                return PermissionDeniedError(
                    text, hint=f"The credentials work but lack this EC2 permission ({op})."
                )
            return AuthError(text, hint=login_hint)
        if code in THROTTLE_CODES:
            return ThrottledError(
                text, hint="AWS is rate-limiting; hybridtui backs off. Raise refresh_interval."
            )
        if code in QUOTA_CODES:
            return QuotaError(text, hint="Ask for a higher service quota, or free some.")
        if code in CAPACITY_CODES:
            return ProviderError(
                text,
                title="Insufficient capacity",
                hint="Try another instance type or availability zone.",
            )
        if code.endswith(".NotFound") or code.endswith(".Malformed"):
            return NotFoundError(text)
        if code in SERVER_CODES or status >= 500:
            return CloudUnavailableError(text)
        err_ = ProviderError(text)
        err_.transient = False
        return err_
    if isinstance(e, bx.NoCredentialsError | bx.PartialCredentialsError):
        return AuthError(f"{where}: no AWS credentials found", hint=login_hint)
    if isinstance(e, bx.SSOError | bx.TokenRetrievalError):
        return AuthError(f"{where}: the SSO session has expired ({e})", hint=login_hint)
    if isinstance(e, bx.ConnectTimeoutError | bx.ReadTimeoutError):
        return CloudTimeoutError(f"{where}: {op}: no answer within {timeout:g} s")
    if isinstance(e, ResponseParserError):
        # a 5xx page from a proxy or load balancer instead of EC2's XML
        return CloudUnavailableError(
            f"{where}: {op}: the endpoint answered with something that is not EC2 XML"
        )
    if isinstance(e, bx.EndpointConnectionError | bx.ConnectionClosedError | bx.HTTPClientError):
        return CloudUnavailableError(f"{where}: {op}: cannot reach the EC2 endpoint ({e})")
    return ProviderError(f"{where}: {op}: {type(e).__name__}: {e}", title="AWS error")
