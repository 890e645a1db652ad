"""Errors a user sees.

Every failure that can be the user's doing (a bad config, wrong credentials, a
cloud that is down) is a `HybridError` with a one-line message, a short title
and a hint saying what to do next. The CLI prints those without a traceback;
the dashboard shows them in the failing cloud's status line.
"""

from __future__ import annotations


class HybridError(Exception):
    """Base class for every error meant for a user rather than a developer."""

    title: str = "Error"

    def __init__(self, message: str, *, title: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(HybridError):
    """The configuration file (or a theme file) is unusable.

    Carries every problem found at once, so a user fixes them in one pass.
    """

    title = "Invalid configuration"

    def __init__(
        self, message: str, *, problems: list[str] | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.problems: list[str] = problems or []

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class NoConfigError(ConfigError):
    """No config file was given or found where a command needs one (exit 2)."""

    title = "No configuration"


class UsageError(ConfigError):
    """A command-line argument is unusable (exit 2, like a config error)."""

    title = "Invalid argument"


class ProviderError(HybridError):
    """A cloud call failed. Subclasses say why, so the UI can say what to do."""

    title = "Cloud error"
    #: Worth retrying with back-off (timeouts, 5xx, throttling) or not (auth, config).
    transient: bool = True

    @property
    def short(self) -> str:
        """A few words for a pane's status line, cut at a word, never inside one."""
        return shorten(self.message.splitlines()[0] if self.message else "", 80)


def shorten(text: str, width: int) -> str:
    """`text` within `width` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut and not text[width - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:(") + "…"


class CloudTimeoutError(ProviderError):
    title = "Cloud timed out"


class CloudUnavailableError(ProviderError):
    """The API answered with a server-side error (HTTP 5xx) or dropped the connection."""

    title = "Cloud unavailable"


class AuthError(ProviderError):
    """Credentials are missing, wrong or expired: retrying will not help."""

    title = "Authentication failed"
    transient = False


class PermissionDeniedError(AuthError):
    """The credentials work but may not do this one thing (HTTP 403,
    `UnauthorizedOperation`): the rest of the cloud still answers, and asking
    again every refresh will not change the answer."""

    title = "Permission denied"


class QuotaError(ProviderError):
    title = "Quota exceeded"
    transient = False


class ThrottledError(ProviderError):
    title = "Throttled by the cloud"


class NotFoundError(ProviderError):
    title = "Not found"
    transient = False


class UnsupportedError(ProviderError):
    """The provider does not offer this operation (see its capabilities)."""

    title = "Not supported"
    transient = False


class AdapterMissingError(ProviderError):
    """The cloud kind's adapter or its SDK is not installed."""

    title = "Adapter not available"
    transient = False


class ProvisionError(HybridError):
    title = "Provisioning failed"


class CancelledError(HybridError):
    """The user cancelled (Ctrl-C, `esc`) while hybridtui waited on a cloud."""

    title = "Cancelled"
