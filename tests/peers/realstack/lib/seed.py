"""Seed a fresh realstack cloud through the real APIs (openstacksdk).

usage: seed.py identity    service users/projects/endpoints + clouds.yaml
       seed.py resources   flavors, image, networks, router, compute host
"""
import os
import subprocess
import sys
import time

import openstack
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {}
STATE = ""  # set from RS_STATE by load_env()


def load_env():
    # read the shell settings so ports/passwords live in one place
    out = subprocess.check_output(
        ["bash", "-c", f"source {ROOT}/lib/env.sh; set"], text=True)
    for line in out.splitlines():
        if line.startswith("RS_") and "=" in line:
            k, v = line.split("=", 1)
            ENV[k] = v.strip("'")
    global STATE
    STATE = ENV["RS_STATE"]


def url(port_key, suffix=""):
    return f"http://{ENV['RS_HOST']}:{ENV[port_key]}{suffix}"


def admin_conn():
    return openstack.connect(
        auth_url=ENV["RS_KEYSTONE_URL"] + "/v3", username="admin",
        password=ENV["RS_ADMIN_PASSWORD"], project_name="admin",
        user_domain_name="Default", project_domain_name="Default",
        region_name="RegionOne", identity_interface="public")


def identity():
    c = admin_conn()
    idn = c.identity
    dom = idn.find_domain("default") or idn.find_domain("Default")
    service = idn.create_project(name="service", domain_id=dom.id,
                                 description="service users")
    demo = idn.create_project(name="demo", domain_id=dom.id,
                              description="realstack demo project")
    roles = {r.name: r for r in idn.roles()}
    for name in ("nova", "glance", "neutron", "placement", "cinder"):
        u = idn.create_user(name=name, domain_id=dom.id,
                            password=ENV["RS_SERVICE_PASSWORD"])
        for role in ("admin", "service"):
            idn.assign_project_role_to_user(service, u, roles[role])
    demo_user = idn.create_user(name="demo", domain_id=dom.id,
                                password=ENV["RS_ADMIN_PASSWORD"],
                                default_project_id=demo.id)
    idn.assign_project_role_to_user(demo, demo_user, roles["member"])
    # the admin user may also work inside demo (handy for dashboards)
    admin_user = idn.find_user("admin", domain_id=dom.id)
    idn.assign_project_role_to_user(demo, admin_user, roles["admin"])

    endpoints = [
        ("glance", "image", url("RS_GLANCE_PORT")),
        ("nova", "compute", url("RS_NOVA_PORT", "/v2.1")),
        ("neutron", "network", url("RS_NEUTRON_PORT")),
        ("placement", "placement", url("RS_PLACEMENT_PORT")),
        # the type Nova's [cinder] catalog_info looks for (the SDK takes it
        # as block-storage)
        ("cinder", "volumev3", url("RS_CINDER_PORT", "/v3/%(project_id)s")),
    ]
    for name, stype, ep in endpoints:
        svc = idn.create_service(name=name, type=stype, enabled=True)
        for iface in ("public", "internal", "admin"):
            idn.create_endpoint(service_id=svc.id, interface=iface, url=ep,
                                region_id="RegionOne", enabled=True)
        print(f"endpoint {stype:10s} {ep}")

    auth = ENV["RS_KEYSTONE_URL"] + "/v3"
    clouds = {"clouds": {
        "realstack": {
            "auth": {"auth_url": auth, "username": "demo",
                     "password": ENV["RS_ADMIN_PASSWORD"],
                     "project_name": "demo", "user_domain_name": "Default",
                     "project_domain_name": "Default"},
            "region_name": "RegionOne", "interface": "public",
            "identity_api_version": 3},
        "realstack-admin": {
            "auth": {"auth_url": auth, "username": "admin",
                     "password": ENV["RS_ADMIN_PASSWORD"],
                     "project_name": "admin", "user_domain_name": "Default",
                     "project_domain_name": "Default"},
            "region_name": "RegionOne", "interface": "public",
            "identity_api_version": 3},
    }}
    with open(os.path.join(STATE, "clouds.yaml"), "w") as f:
        yaml.safe_dump(clouds, f, sort_keys=False)
    print("wrote", os.path.join(STATE, "clouds.yaml"))


def wait_for(what, fn, timeout=180, interval=1.0):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            r = fn()
            if r:
                return r
        except Exception as e:  # service may still be warming up
            last = e
        time.sleep(interval)
    raise SystemExit(f"timed out waiting for {what}: {last}")


def resources():
    c = admin_conn()
    # --- compute host: nova-compute registered, mapped into cell1, in placement
    wait_for("nova-compute service up", lambda: [
        s for s in c.compute.services()
        if s.binary == "nova-compute" and s.state == "up"], timeout=240)
    out = subprocess.run(
        [os.path.join(ENV["RS_VENV"], "bin/nova-manage"), "--config-file",
         os.path.join(STATE, "etc/nova/nova.conf"), "--config-file",
         os.path.join(STATE, "etc/nova/nova-db.conf"), "cell_v2",
         "discover_hosts", "--verbose"],
        check=True, capture_output=True, text=True)
    with open(os.path.join(STATE, "logs", "discover-hosts.log"), "w") as f:
        f.write(out.stdout + out.stderr)
    wait_for("hypervisor", lambda: list(c.compute.hypervisors()), timeout=120)
    wait_for("placement resource provider", lambda: c.placement.get(
        "/resource_providers").json()["resource_providers"], timeout=120)
    print("compute host: realstack (nova fake driver) discovered")

    # --- flavors
    for name, vcpus, ram, disk in (("m1.tiny", 1, 512, 1),
                                   ("m1.small", 1, 2048, 20),
                                   ("m1.medium", 2, 4096, 40),
                                   ("m1.large", 4, 8192, 80)):
        c.compute.create_flavor(name=name, vcpus=vcpus, ram=ram, disk=disk,
                                is_public=True)
    print("flavors: m1.tiny m1.small m1.medium m1.large")

    # --- image (a 1 MiB raw disk; nova's fake driver never boots it)
    img_path = os.path.join(STATE, "images", "ubuntu-22.04.img")
    with open(img_path, "wb") as f:
        f.write(b"\0" * (1 << 20))
    img = c.image.create_image(
        name="ubuntu-22.04", filename=img_path, disk_format="raw",
        container_format="bare", visibility="public", wait=True,
        os_distro="ubuntu", os_version="22.04", min_disk=1)
    img = wait_for("image active", lambda: (
        lambda i: i if i.status == "active" else None)(c.image.get_image(img.id)))
    print(f"image: ubuntu-22.04 {img.id} ({img.status}, {img.size} bytes)")

    # --- networks
    demo = c.identity.find_project("demo")
    pub = c.network.create_network(
        name="public", is_router_external=True, is_shared=False,
        provider_network_type="flat", provider_physical_network="public")
    c.network.create_subnet(
        name="public-subnet", network_id=pub.id, ip_version=4,
        cidr="203.0.113.0/24", gateway_ip="203.0.113.1", is_dhcp_enabled=False,
        allocation_pools=[{"start": "203.0.113.10", "end": "203.0.113.250"}])
    priv = c.network.create_network(name="private", project_id=demo.id)
    priv_sub = c.network.create_subnet(
        name="private-subnet", network_id=priv.id, project_id=demo.id,
        ip_version=4, cidr="10.0.0.0/24", gateway_ip="10.0.0.1")
    router = c.network.create_router(
        name="router1", project_id=demo.id,
        external_gateway_info={"network_id": pub.id})
    c.network.add_interface_to_router(router, subnet_id=priv_sub.id)
    print("networks: public (external, 203.0.113.0/24), "
          "private (demo, 10.0.0.0/24), router1 (private -> public)")


if __name__ == "__main__":
    load_env()
    {"identity": identity, "resources": resources}[sys.argv[1]]()
