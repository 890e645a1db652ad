"""Step 6, logging in with the node key: the search for the account that
works, shared by real SSH (`provisioning.ssh`) and the demo clouds' guests
(`providers.simulator.guest`), so both answer alike. No I/O here: each
attempt is the caller's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Login:
    """Step 6's answer: the account the node key logged in as, and every attempt
    on the way (account, what happened), e.g. ("root", "refused: exit 142, …")."""

    account: str
    attempts: tuple[tuple[str, str], ...]


#: What one login attempt found: ("ok", ""), ("refused", account the refusal
#: names), or (any other outcome text, "").
Attempt = tuple[str, str]


def follow_logins(candidates: Sequence[str], attempt: Callable[[str], Attempt]) -> Login:
    """Step 6's search, shared by real SSH and the demo clouds: the candidates in
    order, and after cloud-init's refusal of root (exit 142) the account it
    names, next. `account` is '' when none logged in (`attempts` say why)."""
    tried: list[tuple[str, str]] = []
    queue = list(candidates)
    while queue:
        user = queue.pop(0)
        if any(u == user for u, _ in tried):
            continue
        outcome, named = attempt(user)
        if outcome == "refused" and named:
            tried.append(
                (
                    user,
                    f'refused: exit 142, Please login as the user "{named}" rather than the user "root".',
                )
            )
            queue.insert(0, named)
            continue
        tried.append((user, outcome))
        if outcome == "ok":
            return Login(user, tuple(tried))
    return Login("", tuple(tried))
