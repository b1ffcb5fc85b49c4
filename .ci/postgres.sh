# shellcheck shell=bash
# A throwaway PostgreSQL cluster for the tests, sourced by .ci/run (and usable by hand:
# `. .ci/postgres.sh && start_test_postgres`, then `stop_test_postgres`).
#
# start_test_postgres installs Debian's `postgresql` package when initdb/pg_ctl are missing,
# creates a cluster in a temporary directory owned by the `postgres` user (the server refuses to
# run as root, and CI runs as root), starts it on a free loopback port with its socket in that
# directory and trust authentication, and exports
#   IB_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/postgres   (tests create their own
#                                                                       databases on it)
#   REQUIRE_POSTGRES=1                                                  (a missing server fails
#                                                                       the tests, never skips)
# stop_test_postgres stops it and removes the directory; .ci/run calls it from its EXIT trap.

IB_PG_DIR=""
IB_PG_BIN=""

# Where initdb and pg_ctl are: on PATH, else Debian's /usr/lib/postgresql/<version>/bin (the
# newest version present).
_ib_pg_find_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    echo "$dir"
    return 0
  fi
  return 1
}

# Run a command as the postgres user when we are root (the server refuses root).
_ib_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

# True when nothing accepts connections on 127.0.0.1:$1.
_ib_pg_port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_test_postgres() {
  if ! IB_PG_BIN=$(_ib_pg_find_bin); then
    echo "initdb/pg_ctl not found: installing Debian's postgresql package"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    IB_PG_BIN=$(_ib_pg_find_bin) || {
      echo "postgresql installed, but initdb/pg_ctl are still missing" >&2
      return 1
    }
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  IB_PG_DIR=$(mktemp -d /tmp/ib-test-postgres.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$IB_PG_DIR"
  fi
  chmod 700 "$IB_PG_DIR"
  _ib_pg_as_owner "$IB_PG_BIN/initdb" -D "$IB_PG_DIR/data" -U postgres --auth=trust \
    --encoding=UTF8 --no-locale --no-sync >"$IB_PG_DIR/initdb.log" 2>&1 || {
    cat "$IB_PG_DIR/initdb.log" >&2
    return 1
  }
  # A free port: pick one at random in a high range; if the server still cannot bind (taken
  # between the check and the start), try another.
  local port="" try
  for try in 1 2 3 4 5 6 7 8; do
    local candidate=$((20000 + (RANDOM % 20000)))
    _ib_pg_port_free "$candidate" || continue
    # fsync off: a throwaway cluster, and the tests create many small databases.
    if _ib_pg_as_owner "$IB_PG_BIN/pg_ctl" -D "$IB_PG_DIR/data" -l "$IB_PG_DIR/server.log" \
      -w -t 60 -o "-p $candidate -k $IB_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null; then
      port=$candidate
      break
    fi
    echo "PostgreSQL did not start on port $candidate (try $try); trying another" >&2
  done
  if [ -z "$port" ]; then
    echo "PostgreSQL did not start; its log:" >&2
    cat "$IB_PG_DIR/server.log" >&2 || true
    return 1
  fi
  export IB_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export REQUIRE_POSTGRES=1
  echo "PostgreSQL $("$IB_PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (socket and data in $IB_PG_DIR)"
}

stop_test_postgres() {
  if [ -n "$IB_PG_DIR" ] && [ -d "$IB_PG_DIR/data" ]; then
    _ib_pg_as_owner "$IB_PG_BIN/pg_ctl" -D "$IB_PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      _ib_pg_as_owner "$IB_PG_BIN/pg_ctl" -D "$IB_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -n "$IB_PG_DIR" ]; then
    rm -rf "$IB_PG_DIR"
  fi
  IB_PG_DIR=""
}
