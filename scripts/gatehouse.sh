#!/bin/sh
# One entry point for `npm start`, `npm test` and the other scripts.
#
# wrangler, miniflare and vitest need Node.js >= 22.12. When the Node.js that runs npm is older,
# this script installs Node 24 from the npm registry (the `node-<os>-<arch>` package ships the
# official binary) into .node/ inside the checkout and runs everything with it. The system Node.js
# is never touched. Dependencies are installed with `npm ci` whenever package-lock.json is newer
# than node_modules. Everything runs offline apart from the npm registry: no Cloudflare login,
# no telemetry.
set -eu

cd "$(dirname "$0")/.."
root=$(pwd)

export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
export WRANGLER_LOG_PATH="${WRANGLER_LOG_PATH:-$root/.wrangler/logs}"

node_is_recent_enough() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [major, minor] = process.versions.node.split(".").map(Number);
process.exit(major > 22 || (major === 22 && minor >= 12) ? 0 : 1)'
}

node_package_name() {
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "gatehouse: unsupported OS $(uname -s); install Node.js >= 22.12 yourself" >&2; exit 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "gatehouse: unsupported CPU $(uname -m); install Node.js >= 22.12 yourself" >&2; exit 1 ;;
  esac
  echo "node-$os-$arch"
}

ensure_node() {
  node_is_recent_enough && return 0
  package=$(node_package_name)
  node_dir="$root/.node/node_modules/$package"
  if [ ! -x "$node_dir/bin/node" ]; then
    echo "gatehouse: Node.js $(node --version 2>/dev/null || echo missing) is older than 22.12;" \
      "installing $package@24 into .node/ (the system Node.js stays as it is)" >&2
    mkdir -p "$root/.node"
    npm install --prefix "$root/.node" --no-save --no-package-lock --loglevel=error "$package@24" >&2
  fi
  PATH="$node_dir/bin:$PATH"
  export PATH
  # Native add-ons, if any ever get built, must target the Node.js that runs them.
  npm_config_nodedir="$node_dir"
  export npm_config_nodedir
  node_is_recent_enough || { echo "gatehouse: could not provision Node.js >= 22.12" >&2; exit 1; }
}

ensure_dependencies() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "gatehouse: installing dependencies (npm ci)" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
}

# wrangler dev reads Worker secrets from the .dev.vars beside its config file (gitignored): for
# wrangler.toml that is ./.dev.vars, for the browser suite's test/e2e/wrangler.e2e.toml
# test/e2e/.dev.vars. A local SECRETS_KEYS is made once, so stored secrets and the console's sealed
# flash cookie survive restarts; the vitest projects use a fixed key of their own (vitest.config.ts).
ensure_local_secrets_key() {
  vars_file=$1
  grep -q '^SECRETS_KEYS=' "$vars_file" 2>/dev/null && return 0
  key=$(node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64"))')
  # A file that does not end with a newline would glue the new line onto its last one.
  if [ -s "$vars_file" ] && [ -n "$(tail -c 1 "$vars_file")" ]; then echo >>"$vars_file"; fi
  (umask 077 && printf 'SECRETS_KEYS="local:%s"\n' "$key" >>"$vars_file")
  echo "gatehouse: generated a local SECRETS_KEYS into $vars_file" >&2
}

# The audit log's checkpoint signing key (docs/AUDIT.md "Keys"), made once like SECRETS_KEYS, so
# checkpoints signed before a restart stay verifiable with the key /.well-known/gatehouse-audit-keys
# publishes. Its name is the local log's origin.
ensure_local_audit_signing_key() {
  vars_file=$1
  grep -q '^AUDIT_SIGNING_KEYS=' "$vars_file" 2>/dev/null && return 0
  key=$("$bin/tsx" scripts/audit-keygen.ts localhost/gatehouse-audit --signer-only)
  if [ -s "$vars_file" ] && [ -n "$(tail -c 1 "$vars_file")" ]; then echo >>"$vars_file"; fi
  (umask 077 && printf 'AUDIT_SIGNING_KEYS="%s"\n' "$key" >>"$vars_file")
  echo "gatehouse: generated a local AUDIT_SIGNING_KEYS into $vars_file" >&2
}

ensure_node
ensure_dependencies
bin="$root/node_modules/.bin"

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  start)
    port=${PORT:-8787}
    config=wrangler.toml
    previous=
    for argument in "$@"; do
      case "$previous" in --config | -c) config=$argument ;; esac
      case "$argument" in --config=*) config=${argument#--config=} ;; esac
      previous=$argument
    done
    ensure_local_secrets_key "$(dirname "$config")/.dev.vars"
    ensure_local_audit_signing_key "$(dirname "$config")/.dev.vars"
    # GATEHOUSE_STATE_DIR keeps the local D1 and KV somewhere else than .wrangler/state (the
    # browser suite starts every run from an empty one).
    "$bin/wrangler" d1 migrations apply DB --local ${GATEHOUSE_STATE_DIR:+"--persist-to=$GATEHOUSE_STATE_DIR"}
    "$bin/tsx" scripts/bootstrap-admin.ts ${GATEHOUSE_STATE_DIR:+"--persist-to=$GATEHOUSE_STATE_DIR"}
    # wrangler dev does not run cron triggers by itself: scripts/cron-loop.ts fires them on the
    # config's schedule (GATEHOUSE_CRON_INTERVAL_SECONDS: every N seconds instead, 0 = never). It
    # reads the same --config as wrangler, stops with this script (the traps), and ends by itself
    # once this shell is gone, even when the shell was killed outright (--parent).
    node --import tsx scripts/cron-loop.ts --url "http://127.0.0.1:$port" --config "$config" --parent $$ &
    cron_loop=$!
    trap 'kill "$cron_loop" 2>/dev/null || true' EXIT
    # A signal ends the script through exit, so the EXIT trap stops the loop.
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    echo "gatehouse: serving http://localhost:$port, bound to 127.0.0.1 (fire the cron by hand with: curl 'http://localhost:$port/cdn-cgi/handler/scheduled')" >&2
    # wrangler logs request paths; the filter hides setup tokens in them and in the outbox's console copy.
    # CLIENT_ADDRESS_SOURCE=local: no edge sets CF-Connecting-IP here, so any client could send its
    # own; every client is 127.0.0.1 instead (docs/SECURITY.md "The client address").
    # APP_ORIGIN is localhost, not 127.0.0.1: browsers refuse passkeys on an IP address (docs/PASSKEYS.md).
    "$bin/wrangler" dev --ip 127.0.0.1 --port "$port" --test-scheduled --var "APP_ORIGIN:http://localhost:$port" \
      --var "CLIENT_ADDRESS_SOURCE:local" \
      ${GATEHOUSE_STATE_DIR:+"--persist-to=$GATEHOUSE_STATE_DIR"} "$@" 2>&1 |
      node scripts/redact-secrets.mjs
    ;;
  test)
    exec "$bin/vitest" run "$@"
    ;;
  exec)
    tool=$1
    shift
    exec "$bin/$tool" "$@"
    ;;
  *)
    echo "usage: scripts/gatehouse.sh start|test|exec <tool> [args]" >&2
    exit 2
    ;;
esac
