# Shared settings for realstack scripts (sourced, not executed).
# hybridtui's test harness: real OpenStack services on loopback for the adapter
# tests (ported from the team's realstack recipe). The install (a ~600 MB venv)
# and the running cloud's state live outside the repo, in RS_HOME, so the
# install is kept between test runs on the same machine.
RS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${RS_HOME:=${XDG_CACHE_HOME:-$HOME/.cache}/hybridtui-realstack}"
RS_VENV="$RS_HOME/venv"
RS_STATE="$RS_HOME/state"
RS_ETC="$RS_STATE/etc"
RS_LOGS="$RS_STATE/logs"
RS_PIDS="$RS_STATE/pids"
RS_DB="$RS_STATE/db"
RS_HOST=127.0.0.1

# Ports (loopback only). Override via environment if they collide. All sit
# below Linux's ephemeral range (32768-60999 by default): a port in that range
# can be taken at any moment by some process's outgoing connection, and a
# service that cannot bind it fails the whole test session.
: "${RS_KEYSTONE_PORT:=25000}"
: "${RS_GLANCE_PORT:=25292}"
: "${RS_NOVA_PORT:=25774}"
: "${RS_PLACEMENT_PORT:=25778}"
: "${RS_NEUTRON_PORT:=25696}"
: "${RS_CINDER_PORT:=25776}"
: "${RS_RABBIT_PORT:=25672}"
: "${RS_RABBIT_DIST_PORT:=25673}"
: "${RS_EPMD_PORT:=25369}"

# Database backend: mariadb (Debian's server, default) or sqlite (no server;
# fine for light use, but nova's conductor/api/scheduler share the cell DB and
# SQLite then fails now and then with "database is locked").
: "${RS_DB_BACKEND:=mariadb}"
: "${RS_MYSQL_PORT:=25306}"
RS_MYSQL_SOCK="$RS_STATE/mysql/mysqld.sock"
RS_DB_USER=realstack
RS_DB_PASSWORD=realstack-db

# WSGI threads for services whose SQLite DB has a single owner process:
# 1 = requests are serialized, so SQLite never sees two writers at once.
: "${RS_SQLITE_THREADS:=1}"

RS_ADMIN_PASSWORD=realstack-admin
RS_SERVICE_PASSWORD=realstack-service
RS_RABBIT_USER=realstack
RS_RABBIT_PASSWORD=realstack-rabbit
RS_TRANSPORT_URL="rabbit://$RS_RABBIT_USER:$RS_RABBIT_PASSWORD@$RS_HOST:$RS_RABBIT_PORT/"
RS_KEYSTONE_URL="http://$RS_HOST:$RS_KEYSTONE_PORT"

# RabbitMQ environment (run as root, all state under state/rabbitmq)
rs_rabbit_env() {
  export HOME="$RS_STATE/rabbitmq"
  export RABBITMQ_NODENAME=realstack@localhost
  export RABBITMQ_NODE_IP_ADDRESS=$RS_HOST
  export RABBITMQ_NODE_PORT=$RS_RABBIT_PORT
  export RABBITMQ_DIST_PORT=$RS_RABBIT_DIST_PORT
  export ERL_EPMD_ADDRESS=$RS_HOST
  export ERL_EPMD_PORT=$RS_EPMD_PORT
  export RABBITMQ_MNESIA_BASE="$RS_STATE/rabbitmq/mnesia"
  export RABBITMQ_LOG_BASE="$RS_LOGS/rabbitmq"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RS_STATE/rabbitmq/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$RS_STATE/rabbitmq/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$RS_STATE/rabbitmq/advanced.config"
  export RABBITMQ_CONF_ENV_FILE="$RS_STATE/rabbitmq/rabbitmq-env.conf"
  export RABBITMQ_PID_FILE="$RS_STATE/rabbitmq/rabbit.pid"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_CTL_ERL_ARGS="-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}"
}
