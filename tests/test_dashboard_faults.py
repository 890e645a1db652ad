"""Faults on the real peers, through the running dashboard (Textual's Pilot):
one listing that hangs, and credentials that stop working mid-session, on the
moto peer (behind a fault proxy), the real OpenStack services (a proxy in
front of Nova) and the GCE REST peer, each beside a demo cloud.

What each proves: keys are handled while a listing hangs (the hang is still
held when the key's effect is checked), the kinds that answered are shown
fresh and only the hung one says it timed out, the cloud is not asked more
often than its retries allow, the other cloud stays fresh, and expired
credentials either renew themselves the way the cloud's SDK does (a new
OpenStack token, an OAuth2 refresh on GCE) or say what to do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    add_cloud,
    aws_cloud,
    gce_cloud,
    make_settings,
    os_cloud,
    realstack_url,
    settle,
    sim_cloud,
)
from peers.fault_proxy import Fault, FaultProxy, fault_proxy

from hybridtui.domain import ResourceKind
from hybridtui.inventory.model import CloudState


async def until(pilot: Any, done: Callable[[], bool], what: str) -> None:
    """Let the app run until `done()` (a condition, not a fixed wait)."""
    for _ in range(500):
        if done():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


def pane(app: Any, cloud: str) -> Any:
    return next(p for p in app.dashboard.active_view.panes if p.cloud == cloud)


async def hang_one_kind(
    app: Any,
    pilot: Any,
    peer: FaultProxy | Any,
    cloud: str,
    kind: ResourceKind,
    key: str,
) -> None:
    """A refresh during which `kind`'s listing hangs past the cloud's timeout
    (`peer` holds it): a tab key is answered while the hang is held, and the
    kind alone fails."""
    await pilot.press("r")
    assert await asyncio.to_thread(peer.hold.wait_held), "the hung listing reached the peer"
    await pilot.press(key)
    assert app.dashboard.active_kind is kind
    assert peer.hold.held, "the key was handled while the listing still hung"
    await settle(app, pilot)
    status = app.model.status(cloud)
    assert status.state is CloudState.PARTIAL
    assert set(status.kind_errors) == {kind}, "the kinds that answered are fresh"
    assert status.kind_errors[kind].title == "Cloud timed out"
    assert "✖ Cloud timed out" in str(pane(app, cloud).title_bar.render())
    assert peer.hold.held, "reported at the timeout, not when the hang ended"
    peer.clear()
    # the hung call returns once released; until then the cloud is not asked again
    await until(pilot, lambda: not app.poller.in_flight(), "the released listing returned")


# ------------------------------------------------------------------------ AWS


async def test_aws_hang_and_expired_credentials(aws_env: str, frozen_clock: Any) -> None:
    from test_aws import launch_ubuntu, provider

    from hybridtui.ui.app import make_app

    launch_ubuntu(aws_env, 2)
    with fault_proxy(aws_env) as proxy:
        # the instance types described once in this process, as after a first
        # refresh (cold, they take longer than this test's timeout on moto)
        provider(proxy.url).list_flavors()
        clouds = [
            aws_cloud(proxy.url, name="aws-real", timeout=6, max_attempts=2, retry_mode="standard"),
            sim_cloud("demo-gce", "gce-access-config"),
        ]
        app = make_app(make_settings(clouds, demo=False), clock=frozen_clock)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(app, pilot)
            assert app.model.status("aws-real").state is CloudState.FRESH, app.model.status(
                "aws-real"
            ).kind_errors
            before = proxy.actions["DescribeKeyPairs"]

            proxy.inject(Fault(delay=60, action="DescribeKeyPairs"))
            await hang_one_kind(app, pilot, proxy, "aws-real", ResourceKind.KEYS, "5")
            assert proxy.actions["DescribeKeyPairs"] - before <= 2, "max_attempts, no more"
            assert app.model.status("demo-gce").state is CloudState.FRESH

            # throttled: standard retries (adaptive mode would slow the throttled
            # calls down past the timeout instead of failing them with the reason)
            proxy.inject(
                Fault(status=400, code="RequestLimitExceeded", message="Request limit exceeded.")
            )
            await pilot.press("1", "r")
            await settle(app, pilot)
            assert app.model.status("aws-real").state is CloudState.ERROR
            assert pane(app, "aws-real").table.total_count == 2, "the last good data stays"
            assert "RequestLimitExceeded" in str(pane(app, "aws-real").title_bar.render())
            assert any(n.title == "Throttled by the cloud" for n in app._notifications)
            proxy.clear()
            await pilot.press("r")
            await settle(app, pilot)
            assert app.model.status("aws-real").state is CloudState.FRESH

            # the session's credentials expire (STS, SSO): every call is refused
            proxy.inject(
                Fault(
                    status=400,
                    code="ExpiredToken",
                    message="The security token included in the request is expired",
                )
            )
            await pilot.press("r")
            await settle(app, pilot)
            status = app.model.status("aws-real")
            assert status.state is CloudState.ERROR
            assert "ExpiredToken" in (status.error or "")
            assert "aws sso login" in status.hint or "aws configure" in status.hint
            assert pane(app, "aws-real").table.total_count == 2, "the last good data stays"
            assert "✖" in str(pane(app, "aws-real").title_bar.render())
            toast = [n for n in app._notifications if n.title == "Authentication failed"]
            assert toast, "one toast says what to do"
            assert app.model.status("demo-gce").state is CloudState.FRESH

            proxy.clear()  # new credentials (`aws sso login` in another terminal)
            await pilot.press("r")
            await settle(app, pilot)
            assert app.model.status("aws-real").state is CloudState.FRESH


# ------------------------------------------------------------------ OpenStack


@pytest.mark.openstack
async def test_openstack_hang_and_expired_token(os_clouds: Path, frozen_clock: Any) -> None:
    from hybridtui.ui.app import make_app

    with fault_proxy(realstack_url("nova")) as nova:
        add_cloud(os_clouds, "nova-via-proxy", compute_endpoint_override=f"{nova.url}/v2.1")
        clouds = [
            os_cloud("nova-via-proxy", name="os-proxied", timeout=6, retries=1),
            sim_cloud("demo-aws", "aws-default-vpc"),
        ]
        app = make_app(make_settings(clouds, demo=False), clock=frozen_clock)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(app, pilot)
            assert app.model.status("os-proxied").state is CloudState.FRESH
            nodes = pane(app, "os-proxied").table.total_count

            nova.inject(Fault(delay=60, path="/flavors"))
            await hang_one_kind(app, pilot, nova, "os-proxied", ResourceKind.FLAVORS, "2")
            assert app.model.status("demo-aws").state is CloudState.FRESH

            # Nova stops accepting the token (expired or revoked): keystoneauth
            # gets a new one from Keystone and asks again, and nobody notices
            assert len(nova.tokens) == 1
            expired = (
                '{"error": {"code": 401, "title": "Unauthorized", '
                '"message": "The request you have made requires authentication."}}'
            )
            nova.inject(Fault(status=401, html=expired, path="/servers", times=1))
            await pilot.press("1", "r")
            await settle(app, pilot)
            assert app.model.status("os-proxied").state is CloudState.FRESH
            assert len(nova.tokens) == 2, "re-authenticated with Keystone: a second token"
            assert pane(app, "os-proxied").table.total_count == nodes

            # and when no new token helps (the account was disabled), it says so
            nova.inject(Fault(status=401, html=expired, path="/servers"))
            await pilot.press("r")
            await settle(app, pilot)
            status = app.model.status("os-proxied")
            assert set(status.kind_errors) >= {ResourceKind.NODES}
            error = status.kind_errors[ResourceKind.NODES]
            assert error.title == "Authentication failed"
            assert "clouds.yaml" in error.hint
            assert pane(app, "os-proxied").table.total_count == nodes, "the last good data stays"
            assert app.model.status("demo-aws").state is CloudState.FRESH


# ------------------------------------------------------------------------ GCE


async def test_gce_hang_and_expired_access_token(
    gce: Any, monkeypatch: pytest.MonkeyPatch, frozen_clock: Any
) -> None:
    """The credentials `gcloud auth application-default login` writes: an
    access token with a refresh token. When the API stops taking the access
    token, google-auth asks the token endpoint for a new one and repeats the
    call; when the grant is revoked, the pane says to log in again."""
    import google.auth
    from google.oauth2.credentials import Credentials
    from peers.gce_peer import REFRESH_TOKEN, TOKEN, Fault
    from test_gce import provider, spec

    from hybridtui.ui.app import make_app

    def user_credentials(scopes: Any = None, **_: Any) -> tuple[Credentials, str]:
        creds = Credentials(
            token=TOKEN,
            refresh_token=REFRESH_TOKEN,
            token_uri=f"{gce.url}/token",
            client_id="hybridtui-test.apps.googleusercontent.com",
            client_secret="not-secret",
        )
        return creds, "hybrid-test"

    monkeypatch.setattr(google.auth, "default", user_credentials)
    # (creating the node imports the SDK, as a first refresh would: the hang
    # below is measured against a 3 s timeout that an import must not eat)
    provider(gce).create_node(spec("survivor"))
    clouds = [gce_cloud(gce.url, timeout=3), sim_cloud("demo-os", "openstack-floating-ip")]
    app = make_app(make_settings(clouds, demo=False), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert app.model.status("gcp").state is CloudState.FRESH

        gce.faults.append(Fault(path="global/firewalls", delay=60))
        await hang_one_kind(app, pilot, gce, "gcp", ResourceKind.SECURITY_GROUPS, "7")
        assert app.model.status("demo-os").state is CloudState.FRESH

        gce.token = "rotated-access-token"  # the hour is up: the old token is refused
        await pilot.press("1", "r")
        await settle(app, pilot)
        assert app.model.status("gcp").state is CloudState.FRESH
        assert gce.grants >= 1, "a new access token came from the token endpoint"
        assert [r[0] for r in pane(app, "gcp").table.visible_rows()] == ["survivor"]

        gce.refresh_token = "revoked"  # `gcloud auth revoke`, or a password change
        gce.token = "rotated-again"
        await pilot.press("r")
        await settle(app, pilot)
        status = app.model.status("gcp")
        assert status.state is CloudState.ERROR
        assert status.error_title == "Authentication failed"
        assert "gcloud auth application-default login" in status.hint
        assert [r[0] for r in pane(app, "gcp").table.visible_rows()] == ["survivor"]
        assert app.model.status("demo-os").state is CloudState.FRESH
