#!/usr/bin/env bash
# realstack: a real, minimal OpenStack control plane on loopback.
#   keystone, glance (file store), placement, nova (api, conductor, scheduler,
#   compute with nova's fake virt driver), neutron (ML2 + L3 router plugin, no
#   agents), cinder (api, scheduler, volume with cinder's own fake driver, so
#   servers boot from volumes), RabbitMQ and MariaDB from Debian
#   (RS_DB_BACKEND=sqlite: no MariaDB).
#
# Usage: ./up.sh          install (idempotent), start a FRESH cloud, seed it
#        ./down.sh        stop everything up.sh started (by PID)
# Every run of up.sh wipes state/ and builds a new cloud (~1 minute).
# Ports and other knobs: lib/env.sh (each can be overridden from the environment).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
mkdir -p "$RS_HOME"

T0=$(date +%s.%N)
STARTED=0   # set once this run starts processes; die() then stops them
since() { python3 -c "import sys;print(f'{float(sys.argv[2])-float(sys.argv[1]):.1f}')" "$T0" "$(date +%s.%N)"; }
log() { echo "[realstack +$(since)s] $*"; }
die() {
  echo "[realstack] ERROR: $*" >&2
  if [ "$STARTED" = 1 ] && [ "${RS_KEEP_ON_ERROR:-0}" != 1 ]; then
    echo "[realstack] stopping what was started (RS_KEEP_ON_ERROR=1 keeps it for debugging)" >&2
    "$RS_ROOT/down.sh" >&2 || true
  fi
  exit 1
}

# ----------------------------------------------------------------- install --
PIP_PKGS=(keystone==30.0.0 glance==33.0.0 nova==34.0.0 neutron==29.0.0
          openstack-placement==16.0.0 cinder==29.0.0 openstacksdk==4.22.0
          gunicorn==27.0.1 PyMySQL==1.2.4)
APT_PKGS=(rabbitmq-server mariadb-server curl)
INSTALL_MARK="$RS_VENV/.realstack-installed"
WANT_MARK="$(printf '%s\n' "${PIP_PKGS[@]}" | sha1sum | cut -c1-12)-$(sha1sum "$RS_ROOT/lib/realstack_ml2/"*.py "$RS_ROOT/lib/realstack_ml2/pyproject.toml" "$RS_ROOT/lib/realstack_cinder.py" | sha1sum | cut -c1-12)"

install_all() {
  local ti; ti=$(date +%s)
  if ! [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || ! [ -x /usr/sbin/mariadbd ] || ! command -v curl >/dev/null; then
    log "installing ${APT_PKGS[*]} from Debian (apt)"
    local made_policy=0
    if ! [ -e /usr/sbin/policy-rc.d ]; then   # keep apt from auto-starting it
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${APT_PKGS[@]}" >/dev/null
    [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
  fi
  if [ "$(cat "$INSTALL_MARK" 2>/dev/null)" != "$WANT_MARK" ]; then
    log "installing OpenStack from PyPI into $RS_VENV"
    [ -x "$RS_VENV/bin/python" ] || python3 -m venv "$RS_VENV"
    "$RS_VENV/bin/pip" install -q --upgrade pip wheel setuptools
    "$RS_VENV/bin/pip" install -q "${PIP_PKGS[@]}"
    # the one non-PyPI piece: a 30-line agentless ML2 binding driver
    local ml2_src; ml2_src=$(mktemp -d)
    cp -r "$RS_ROOT/lib/realstack_ml2" "$ml2_src/"
    "$RS_VENV/bin/pip" install -q --force-reinstall --no-deps --no-build-isolation "$ml2_src/realstack_ml2"
    rm -rf "$ml2_src"
    echo "$WANT_MARK" > "$INSTALL_MARK"
    log "install done in $(( $(date +%s) - ti ))s"
  else
    log "install: already up to date"
  fi
}

# ------------------------------------------------------------------ helpers --
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
any_running() {
  local f; for f in "$RS_PIDS"/*.pid; do [ -e "$f" ] && alive "$f" && return 0; done; return 1
}
wait_http() { # name url timeout
  local n=0
  until curl -s --max-time 30 -o /dev/null "$2"; do
    n=$((n+1)); [ $n -gt $(( $3 * 5 )) ] && die "$1 did not answer at $2 (see $RS_LOGS/$1.log)"
    sleep 0.2
  done
  log "$1 answering at $2"
}
start_bg() { # name, cmd...   (env vars via `env` in cmd)
  local name=$1; shift
  # 9>&-: the install lock is not handed down, or every service would hold it
  # for as long as it runs, and the next up.sh would wait for it forever
  setsid "$@" >>"$RS_LOGS/$name.log" 2>&1 < /dev/null 9>&- &
  echo $! > "$RS_PIDS/$name.pid"
}
start_wsgi() { # name module port threads envvar=value...
  local name=$1 module=$2 port=$3 threads=$4; shift 4
  start_bg "$name" env "$@" RS_WSGI_THREADS="$threads" "$RS_VENV/bin/python" "$RS_ROOT/lib/serve.py" "$name" "$module" "$RS_HOST:$port" "$RS_LOGS/$name.log"
}
db_url() { # name -> oslo.db connection URL for the chosen backend
  if [ "$RS_DB_BACKEND" = sqlite ]; then echo "sqlite:///$RS_DB/$1.sqlite"
  else echo "mysql+pymysql://$RS_DB_USER:$RS_DB_PASSWORD@$RS_HOST:$RS_MYSQL_PORT/$1?charset=utf8"; fi
}
DB_NAMES=(keystone glance placement nova_api nova_cell0 nova_cell1 neutron cinder)
start_mariadb() {
  mkdir -p "$RS_STATE/mysql"
  mariadb-install-db --no-defaults --user=root --datadir="$RS_STATE/mysql/data" \
    --auth-root-authentication-method=socket --skip-test-db >"$RS_LOGS/mariadb-install.log" 2>&1 \
    || die "mariadb-install-db failed, see $RS_LOGS/mariadb-install.log"
  start_bg mariadb /usr/sbin/mariadbd --no-defaults --user=root \
    --datadir="$RS_STATE/mysql/data" --socket="$RS_MYSQL_SOCK" --pid-file="$RS_STATE/mysql/mysqld.pid" \
    --bind-address=$RS_HOST --port=$RS_MYSQL_PORT --skip-name-resolve --log-error="$RS_LOGS/mariadb.log" \
    --innodb-buffer-pool-size=128M --innodb-log-file-size=16M --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
    --max-connections=1000 --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
  local i; for i in $(seq 1 150); do
    mariadb --no-defaults --socket="$RS_MYSQL_SOCK" -uroot -e 'select 1' >/dev/null 2>&1 && break; sleep 0.2
  done
  { for d in "${DB_NAMES[@]}"; do echo "CREATE DATABASE $d CHARACTER SET utf8;"; done
    echo "CREATE USER '$RS_DB_USER'@'127.0.0.1' IDENTIFIED BY '$RS_DB_PASSWORD';"
    echo "GRANT ALL PRIVILEGES ON *.* TO '$RS_DB_USER'@'127.0.0.1';"
  } | mariadb --no-defaults --socket="$RS_MYSQL_SOCK" -uroot || die "mariadb did not start, see $RS_LOGS/mariadb.log"
  log "mariadb ready on $RS_HOST:$RS_MYSQL_PORT"
}
sqlite_wal() { # WAL journal (persistent): readers stop blocking the writer
  [ "$RS_DB_BACKEND" = sqlite ] || return 0
  "$RS_VENV/bin/python" -c 'import sqlite3,sys
for f in sys.argv[1:]: sqlite3.connect(f).execute("PRAGMA journal_mode=WAL").fetchall()' "$@"
}

authtoken() { # user
cat <<EOF
[keystone_authtoken]
www_authenticate_uri = $RS_KEYSTONE_URL
auth_url = $RS_KEYSTONE_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $RS_SERVICE_PASSWORD
region_name = RegionOne
EOF
}
svc_auth() { # section user
cat <<EOF
[$1]
auth_url = $RS_KEYSTONE_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = $RS_SERVICE_PASSWORD
region_name = RegionOne
EOF
}

# ------------------------------------------------------------------ configs --
write_configs() {
  mkdir -p "$RS_ETC"/{keystone,glance,placement,nova,neutron/plugins/ml2,cinder} "$RS_DB" \
           "$RS_STATE"/{keys/fernet,keys/credential,glance/images,glance/staging,glance/tasks,nova/instances,nova/lock,neutron/lock,cinder/lock,rabbitmq,images} \
           "$RS_LOGS/rabbitmq"
  chmod 700 "$RS_STATE/keys/fernet" "$RS_STATE/keys/credential"

  # RabbitMQ
  cat > "$RS_STATE/rabbitmq/rabbitmq.conf" <<EOF
listeners.tcp.1 = $RS_HOST:$RS_RABBIT_PORT
loopback_users = none
EOF
  echo '[].' > "$RS_STATE/rabbitmq/enabled_plugins"
  echo '[].' > "$RS_STATE/rabbitmq/advanced.config"
  : > "$RS_STATE/rabbitmq/rabbitmq-env.conf"

  # Keystone
  cat > "$RS_ETC/keystone/keystone.conf" <<EOF
[DEFAULT]
use_stderr = true
[database]
connection = $(db_url keystone)
[token]
provider = fernet
[fernet_tokens]
key_repository = $RS_STATE/keys/fernet
[fernet_receipts]
key_repository = $RS_STATE/keys/fernet
[credential]
key_repository = $RS_STATE/keys/credential
[cache]
# as deployments run it (there with memcached): without a cache every token
# validation rebuilt the catalog and role assignments, 0.7-1 s of CPU in one
# worker, so a fresh token's first listings (each service validating it at
# once) queued for 5 s; with it, 20 ms. One worker: an in-process cache is coherent.
enabled = true
backend = dogpile.cache.memory
[identity]
# bcrypt's minimum cost: every service authenticates by password (test cloud)
password_hash_rounds = 4
EOF

  # Placement
  cat > "$RS_ETC/placement/placement.conf" <<EOF
[DEFAULT]
use_stderr = true
[api]
auth_strategy = keystone
[placement_database]
connection = $(db_url placement)
$(authtoken placement)
EOF

  # Glance (file store)
  cp "$RS_VENV/etc/glance/glance-api-paste.ini" "$RS_ETC/glance/"
  cat > "$RS_ETC/glance/glance-api.conf" <<EOF
[DEFAULT]
use_stderr = true
enabled_backends = fs:file
[database]
connection = $(db_url glance)
[paste_deploy]
flavor = keystone
config_file = $RS_ETC/glance/glance-api-paste.ini
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $RS_STATE/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $RS_STATE/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $RS_STATE/glance/tasks
[oslo_concurrency]
lock_path = $RS_STATE/glance
$(authtoken glance)
EOF

  # Nova
  cp "$RS_VENV/etc/nova/api-paste.ini" "$RS_ETC/nova/"
  cat > "$RS_ETC/nova/nova.conf" <<EOF
[DEFAULT]
use_stderr = true
host = realstack
my_ip = $RS_HOST
transport_url = $RS_TRANSPORT_URL
compute_driver = fake.FakeDriver
state_path = $RS_STATE/nova
instances_path = $RS_STATE/nova/instances
enabled_apis = osapi_compute
vif_plugging_is_fatal = false
vif_plugging_timeout = 0
allow_resize_to_same_host = true
graceful_shutdown_timeout = 5
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $RS_ETC/nova/api-paste.ini
[quota]
# roomier than the defaults (10 instances, 20 cores, 50 GiB RAM) for tests
instances = 100
cores = 400
ram = 1048576
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 5
[oslo_concurrency]
lock_path = $RS_STATE/nova/lock
[vnc]
enabled = false
[os_vif_ovs]
[oslo_messaging_notifications]
driver = noop
$(authtoken nova)
$(svc_auth placement nova)
$(svc_auth neutron nova)
$(svc_auth service_user nova)
send_service_user_token = true
[glance]
region_name = RegionOne
$(svc_auth cinder nova)
os_region_name = RegionOne
EOF
  # DB settings live in a second file that nova-compute does not get
  # (as in a real deployment: computes reach the DB only via conductor)
  cat > "$RS_ETC/nova/nova-db.conf" <<EOF
[api_database]
connection = $(db_url nova_api)
[database]
connection = $(db_url nova_cell1)
EOF

  # Neutron (ML2, no agents, L3 router plugin)
  cp "$RS_VENV/etc/neutron/api-paste.ini" "$RS_ETC/neutron/"
  cat > "$RS_ETC/neutron/neutron.conf" <<EOF
[DEFAULT]
use_stderr = true
host = realstack
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
api_paste_config = $RS_ETC/neutron/api-paste.ini
transport_url = $RS_TRANSPORT_URL
state_path = $RS_STATE/neutron
allow_overlapping_ips = true
dhcp_agent_notification = false
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
router_scheduler_driver = neutron.scheduler.l3_agent_scheduler.ChanceScheduler
[quotas]
quota_floatingip = 100
quota_port = 500
quota_network = 100
quota_subnet = 100
quota_router = 50
[database]
connection = $(db_url neutron)
[oslo_concurrency]
lock_path = $RS_STATE/neutron/lock
[oslo_messaging_notifications]
driver = noop
$(authtoken neutron)
$(svc_auth nova neutron)
EOF
  # Cinder: one backend, cinder's fake driver with image copies skipped
  # (lib/realstack_cinder.py): volumes are database records, like servers
  cp "$RS_VENV/etc/cinder/api-paste.ini" "$RS_ETC/cinder/"
  cat > "$RS_ETC/cinder/cinder.conf" <<EOF
[DEFAULT]
use_stderr = true
host = realstack
my_ip = $RS_HOST
auth_strategy = keystone
transport_url = $RS_TRANSPORT_URL
state_path = $RS_STATE/cinder
api_paste_config = $RS_ETC/cinder/api-paste.ini
enabled_backends = fake
[fake]
volume_driver = realstack_cinder.VolumeDriver
volume_backend_name = fake
[database]
connection = $(db_url cinder)
[oslo_concurrency]
lock_path = $RS_STATE/cinder/lock
[oslo_messaging_notifications]
driver = noop
$(authtoken cinder)
$(svc_auth nova cinder)
EOF

  cat > "$RS_ETC/neutron/plugins/ml2/ml2_conf.ini" <<EOF
[ml2]
type_drivers = flat,vxlan
tenant_network_types = vxlan
mechanism_drivers = realstack_noop
extension_drivers = port_security
[ml2_type_flat]
flat_networks = public
[ml2_type_vxlan]
vni_ranges = 1:1000
EOF
}

# ----------------------------------------------------------------- db syncs --
NEUTRON_ENV=(OS_NEUTRON_CONFIG_DIR="$RS_ETC/neutron" OS_NEUTRON_CONFIG_FILES="neutron.conf;plugins/ml2/ml2_conf.ini")
sync_placement() { "$RS_VENV/bin/placement-manage" --config-file "$RS_ETC/placement/placement.conf" db sync; }
sync_glance() { "$RS_VENV/bin/glance-manage" --config-file "$RS_ETC/glance/glance-api.conf" db_sync; }
sync_nova() (
  set -e; N="$RS_VENV/bin/nova-manage --config-file $RS_ETC/nova/nova.conf --config-file $RS_ETC/nova/nova-db.conf"
  $N api_db sync
  $N cell_v2 map_cell0 --database_connection "$(db_url nova_cell0)"
  $N db sync
  # a retry finds cell1 made by the first try: that is not a failure
  $N cell_v2 list_cells | grep -q ' cell1 ' || $N cell_v2 create_cell --name cell1 --verbose
)
sync_cinder() { "$RS_VENV/bin/cinder-manage" --config-file "$RS_ETC/cinder/cinder.conf" db sync; }
sync_neutron() { "$RS_VENV/bin/python" "$RS_ROOT/lib/neutron_db.py" "$RS_ETC/neutron/neutron.conf" "$RS_ETC/neutron/plugins/ml2/ml2_conf.ini"; }

# All five at once, one log each. One failed once in a fresh-clone run (glance,
# with the other pytest worker busy beside it, its log lost with the cache): a
# sync that fails is shown (the end of its log) and run once more on its own.
db_sync_others() {
  local name pid rc=0
  declare -A pids=()
  for name in placement glance nova neutron cinder; do
    ( "sync_$name" ) >"$RS_LOGS/dbsync-$name.log" 2>&1 &
    pids[$name]=$!
  done
  for name in placement glance nova neutron cinder; do
    pid=${pids[$name]}
    wait "$pid" && continue
    echo "$name db sync failed; the end of its log:"
    tail -n 15 "$RS_LOGS/dbsync-$name.log" | sed 's/^/    /'
    echo "$name db sync: trying once more, alone"
    if ! ( "sync_$name" ) >"$RS_LOGS/dbsync-$name-retry.log" 2>&1; then
      echo "$name db sync failed again; the end of its log:"
      tail -n 15 "$RS_LOGS/dbsync-$name-retry.log" | sed 's/^/    /'
      rc=1
    fi
  done
  return $rc
}

# -------------------------------------------------------------------- main --
main() {
  # One install at a time: two runs on one machine pip-installing into the same
  # venv (or apt at once) corrupt each other. The lock is held until the stack
  # is up, so a second run then finds it running instead of racing it.
  exec 9>"$RS_HOME/.install.lock"
  if ! flock -n 9; then
    log "another run is installing or starting realstack; waiting for it"
    flock 9
  fi
  install_all
  if any_running; then
    # We hold the lock, so no other run is starting it: these are the leftovers
    # of a run that was killed (or a stack that stopped answering). Stop them.
    log "stopping the leftovers of an earlier run (pids in $RS_PIDS)"
    "$RS_ROOT/down.sh" || true
  fi
  local port busy=""
  # (epmd is left out: it is a shared name daemon by design, and an Erlang
  # tool of an earlier run may have started one on our port: it is reused.)
  for port in $RS_KEYSTONE_PORT $RS_GLANCE_PORT $RS_NOVA_PORT $RS_PLACEMENT_PORT $RS_NEUTRON_PORT $RS_CINDER_PORT \
              $RS_RABBIT_PORT $RS_RABBIT_DIST_PORT $RS_MYSQL_PORT; do
    (echo > "/dev/tcp/$RS_HOST/$port") 2>/dev/null && busy="$busy $port"
  done
  [ -z "$busy" ] || die "port(s)$busy on $RS_HOST already in use (override RS_*_PORT, see lib/env.sh)"
  # Nobody listens, but a previous run's connections may still hold the ports in
  # TIME_WAIT (up to 60 s), and RabbitMQ then cannot bind its listener: wait.
  for port in $RS_KEYSTONE_PORT $RS_GLANCE_PORT $RS_NOVA_PORT $RS_PLACEMENT_PORT $RS_NEUTRON_PORT $RS_CINDER_PORT \
              $RS_RABBIT_PORT $RS_RABBIT_DIST_PORT $RS_MYSQL_PORT; do
    local waited=0
    until python3 -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1], int(sys.argv[2]))); s.close()' \
          "$RS_HOST" "$port" 2>/dev/null; do
      [ $waited = 0 ] && log "port $port still held by a previous run (TIME_WAIT); waiting"
      waited=$((waited+1)); [ $waited -gt 240 ] && die "port $port on $RS_HOST not free after 120 s"
      sleep 0.5
    done
  done
  T0=$(date +%s.%N)
  rm -rf "$RS_STATE"; mkdir -p "$RS_PIDS" "$RS_LOGS"
  STARTED=1
  write_configs
  log "configs written to $RS_ETC"

  # RabbitMQ: start our own epmd on loopback, then the broker
  if (echo > "/dev/tcp/$RS_HOST/$RS_EPMD_PORT") 2>/dev/null; then
    log "an epmd already answers on $RS_HOST:$RS_EPMD_PORT: reusing it"
  else
    ( rs_rabbit_env; start_bg epmd /usr/bin/epmd -address "$RS_HOST" -port "$RS_EPMD_PORT" )
  fi
  for i in $(seq 1 50); do (echo > /dev/tcp/$RS_HOST/$RS_EPMD_PORT) 2>/dev/null && break; sleep 0.1; done
  ( rs_rabbit_env; start_bg rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server )
  if [ "$RS_DB_BACKEND" = sqlite ]; then THREADS=$RS_SQLITE_THREADS; else THREADS=4; start_mariadb; fi

  # Keystone db + keys + bootstrap (needed before everything else)
  local KM="$RS_VENV/bin/keystone-manage --config-file $RS_ETC/keystone/keystone.conf"
  { $KM db_sync && $KM fernet_setup --keystone-user root --keystone-group root \
    && $KM credential_setup --keystone-user root --keystone-group root \
    && $KM bootstrap --bootstrap-password "$RS_ADMIN_PASSWORD" \
         --bootstrap-admin-url "$RS_KEYSTONE_URL/v3/" --bootstrap-internal-url "$RS_KEYSTONE_URL/v3/" \
         --bootstrap-public-url "$RS_KEYSTONE_URL/v3/" --bootstrap-region-id RegionOne; } \
    >"$RS_LOGS/dbsync-keystone.log" 2>&1 || die "keystone setup failed, see $RS_LOGS/dbsync-keystone.log"
  sqlite_wal "$RS_DB/keystone.sqlite"
  start_wsgi keystone keystone.wsgi.api "$RS_KEYSTONE_PORT" "$THREADS" OS_KEYSTONE_CONFIG_DIR="$RS_ETC/keystone"
  log "keystone bootstrapped; syncing other databases"

  db_sync_others || die "database setup failed, see $RS_LOGS/dbsync-*.log"
  sqlite_wal "$RS_DB"/{placement,glance,nova_api,nova_cell0,nova_cell1,neutron,cinder}.sqlite
  log "databases ready"

  ( rs_rabbit_env
    /usr/lib/rabbitmq/bin/rabbitmq-server-wait >/dev/null 2>&1 || true
    for i in $(seq 1 60); do /usr/lib/rabbitmq/bin/rabbitmqctl -q status >/dev/null 2>&1 && break; sleep 0.5; done
    /usr/lib/rabbitmq/bin/rabbitmqctl -q add_user "$RS_RABBIT_USER" "$RS_RABBIT_PASSWORD" >/dev/null
    /usr/lib/rabbitmq/bin/rabbitmqctl -q set_permissions "$RS_RABBIT_USER" '.*' '.*' '.*' >/dev/null
  ) > "$RS_LOGS/rabbitmq-setup.log" 2>&1 || die "rabbitmq setup failed, see $RS_LOGS/rabbitmq-setup.log"
  log "rabbitmq ready on $RS_HOST:$RS_RABBIT_PORT"

  wait_http keystone "$RS_KEYSTONE_URL/v3" 60
  "$RS_VENV/bin/python" "$RS_ROOT/lib/seed.py" identity >"$RS_LOGS/seed-identity.log" 2>&1 \
    || die "identity seeding failed, see $RS_LOGS/seed-identity.log"
  log "service users, projects and endpoints created"

  start_wsgi placement placement.wsgi.api "$RS_PLACEMENT_PORT" "$THREADS" OS_PLACEMENT_CONFIG_DIR="$RS_ETC/placement"
  start_wsgi glance glance.wsgi.api "$RS_GLANCE_PORT" "$THREADS" OS_GLANCE_CONFIG_DIR="$RS_ETC/glance"
  start_wsgi neutron neutron.wsgi.api "$RS_NEUTRON_PORT" "$THREADS" "${NEUTRON_ENV[@]}"
  start_wsgi nova-api nova.wsgi.osapi_compute "$RS_NOVA_PORT" 4 OS_NOVA_CONFIG_DIR="$RS_ETC/nova" OS_NOVA_CONFIG_FILES="api-paste.ini;nova.conf;nova-db.conf"
  for s in conductor scheduler; do
    start_bg "nova-$s" "$RS_VENV/bin/nova-$s" --config-file "$RS_ETC/nova/nova.conf" --config-file "$RS_ETC/nova/nova-db.conf"
  done
  start_bg nova-compute "$RS_VENV/bin/nova-compute" --config-file "$RS_ETC/nova/nova.conf"
  start_wsgi cinder-api cinder.wsgi.api "$RS_CINDER_PORT" "$THREADS" RS_WSGI_ARGS="--config-file $RS_ETC/cinder/cinder.conf"
  for s in scheduler volume; do
    start_bg "cinder-$s" env PYTHONPATH="$RS_ROOT/lib" "$RS_VENV/bin/cinder-$s" --config-file "$RS_ETC/cinder/cinder.conf"
  done

  wait_http placement "http://$RS_HOST:$RS_PLACEMENT_PORT/" 120
  wait_http glance "http://$RS_HOST:$RS_GLANCE_PORT/" 120
  wait_http neutron "http://$RS_HOST:$RS_NEUTRON_PORT/" 120
  wait_http nova-api "http://$RS_HOST:$RS_NOVA_PORT/" 120
  wait_http cinder-api "http://$RS_HOST:$RS_CINDER_PORT/" 120

  "$RS_VENV/bin/python" "$RS_ROOT/lib/seed.py" resources >"$RS_LOGS/seed-resources.log" 2>&1 \
    || die "resource seeding failed, see $RS_LOGS/seed-resources.log"
  log "flavors, image, networks, router created; compute host discovered"
  cat "$RS_LOGS/seed-resources.log" | sed 's/^/    /'

  echo
  echo "realstack READY in $(since)s"
  echo "  export OS_CLIENT_CONFIG_FILE=$RS_STATE/clouds.yaml"
  echo "  clouds: realstack (project demo, role member), realstack-admin (project admin, role admin)"
  echo "  tests:  the hybridtui test session uses this cloud (tests/conftest.py)"
  echo "  stop:   $RS_ROOT/down.sh"
}

main "$@"
