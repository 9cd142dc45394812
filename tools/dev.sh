#!/usr/bin/env bash
# One entry point for every developer task of the customer_relationship addon.
#   tools/dev.sh run       set up, create the demo database once, serve on http://localhost:8069
#   tools/dev.sh test      set up, install the addon in a throwaway database, run pytest-odoo and lint
#                          (the fast suite, then the browser tests and those tagged cr_slow)
#   tools/dev.sh test-fast the same without the slow tests and the checks after them
#   tools/dev.sh upgrade   update the addon (-u) in the run database
#   tools/dev.sh upgrade-check  install the previous release (tag 19.0.3.0.0) with demo data,
#                          upgrade it to this checkout and compare the data (CR_PREVIOUS_RELEASE)
#   tools/dev.sh pot       regenerate i18n/customer_relationship.pot
#   tools/dev.sh lint      pre-commit (ruff, pylint-odoo, xml checks, OCA checks, eslint/prettier)
#   tools/dev.sh bench     tier recomputation benchmark on 100,000 customers (scratch database);
#                          with --scale: care cron, views, form, My Day, handover and customer pool at scale
#   tools/dev.sh wheel     build dist/odoo_addon_customer_relationship-*.whl from the committed HEAD
#   tools/dev.sh wheel-check  build the wheel, check its files, pip install it next to Odoo installed
#                          as a package (cached in $CR_HOME/wheel-venv) and install the app from it
#   tools/dev.sh setup     only install what is missing
# Settings (environment): ODOO_SRC (/opt/odoo), CR_HOME (~/.local/share/customer_relationship),
# CR_DB (customer_relationship), CR_BENCH_DB (customer_relationship_bench), CR_PORT (8069),
# CR_DB_USER (odoo), CR_PREVIOUS_RELEASE (19.0.3.0.0), CR_WORKERS (0: one process; N: N HTTP
# workers, one cron thread and the gevent worker for the bus, as in production).
set -euo pipefail

ADDON_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ADDON=customer_relationship
ODOO_SRC=${ODOO_SRC:-/opt/odoo}
CR_HOME=${CR_HOME:-$HOME/.local/share/customer_relationship}
VENV=$CR_HOME/venv
PY=$VENV/bin/python
DB_NAME=${CR_DB:-customer_relationship}
DB_USER=${CR_DB_USER:-odoo}
PORT=${CR_PORT:-8069}
WORKERS=${CR_WORKERS:-0}
CONF=$CR_HOME/odoo.conf
DEB_PACKAGES=(curl postgresql postgresql-client libpq-dev libldap2-dev libsasl2-dev chromium wkhtmltopdf fonts-wqy-microhei gettext git)
DEV_PIP_PACKAGES=(pytest pytest-odoo websocket-client pre-commit ruff pylint-odoo oca-odoo-pre-commit-hooks whool)
# At run time: setuptools < 70 (needed only to build cbor2) cannot read zope.interface's metadata,
# and gevent's pkg_resources import then crash-loops the bus worker; 81 drops pkg_resources.
RUNTIME_PIP_PACKAGES=("setuptools>=70,<81")

log() { printf '\033[1m[%s]\033[0m %s\n' "$ADDON" "$*" >&2; }
as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }

ensure_odoo_source() {
  if ! grep -qs "version_info = (19" "$ODOO_SRC/odoo/release.py"; then
    log "Odoo 19.0 source not found at $ODOO_SRC; cloning it (needs internet)"
    git clone --depth 1 --branch 19.0 https://github.com/odoo/odoo.git "$ODOO_SRC"
  fi
}

ensure_debian_packages() {
  local missing=()
  for pkg in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# npm (from Debian's nodejs and npm, unless a Node.js of another origin is there): the pre-commit
# hook tools/eslint.sh installs ESLint and Prettier with it.
ensure_npm() {
  command -v npm >/dev/null && return
  log "installing Node.js and npm"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nodejs npm >/dev/null
}

ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    log "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  # Odoo refuses to run as the postgres superuser: it gets its own role that may create databases.
  if [[ -z $(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'") ]]; then
    log "creating PostgreSQL role $DB_USER"
    psql_admin -qc "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB"
  fi
}

psql_admin() {
  if [[ $(id -u) == 0 ]]; then su postgres -c "psql -X -h 127.0.0.1 $(printf '%q ' "$@")"; else psql -X -h 127.0.0.1 -U postgres "$@"; fi
}

# The PyPI packages the manifest declares in external_dependencies["python"], one a line.
addon_pip_packages() {
  python3 -c 'import ast, sys; sys.stdout.writelines(f"{name}\n" for name in ast.literal_eval(open(sys.argv[1]).read()).get("external_dependencies", {}).get("python", []))' \
    "$ADDON_DIR/__manifest__.py"
}

ensure_venv() {
  local stamp=$VENV/.cr-stamp want
  want=$(cat "$ODOO_SRC/requirements.txt" <(printf '%s\n' "${DEV_PIP_PACKAGES[@]}" "${RUNTIME_PIP_PACKAGES[@]}") \
    <(addon_pip_packages) | sha1sum | cut -d' ' -f1)
  [[ -f $stamp && $(cat "$stamp") == "$want" ]] && return
  log "creating the Python environment in $VENV (a few minutes the first time)"
  python3 -m venv "$VENV"
  build_constrained "$PY" -m pip install -q --upgrade pip wheel "setuptools<70"
  build_constrained "$PY" -m pip install -q -r "$ODOO_SRC/requirements.txt"
  build_constrained "$PY" -m pip install -q "${DEV_PIP_PACKAGES[@]}"
  "$PY" -m pip install -q "${RUNTIME_PIP_PACKAGES[@]}"
  install_addon_packages "$PY"
  echo "$want" >"$stamp"
}

# Runs a pip command whose builds use setuptools < 70: cbor2, pinned by Odoo 19, only builds with it.
build_constrained() {
  local constraint=$CR_HOME/build-constraints.txt
  mkdir -p "$CR_HOME"
  echo "setuptools<70" >"$constraint"
  # pip >= 25.3 reads build constraints from their own variable; older pip from PIP_CONSTRAINT.
  PIP_CONSTRAINT=$constraint PIP_BUILD_CONSTRAINT=$constraint "$@"
}

# The addon's own Python libraries, the manifest's external_dependencies (PyPI names), into the
# environment of the python $1, within Odoo's pins: ortools would otherwise upgrade python-dateutil.
install_addon_packages() {
  local addon_packages
  mapfile -t addon_packages < <(addon_pip_packages)
  if ((${#addon_packages[@]})); then "$1" -m pip install -q -c "$ODOO_SRC/requirements.txt" "${addon_packages[@]}"; fi
}

ensure_config() {
  mkdir -p "$CR_HOME/addons" "$CR_HOME/data"
  # Odoo names an addon after its folder: the checkout is linked in as customer_relationship.
  ln -sfn "$ADDON_DIR" "$CR_HOME/addons/$ADDON"
  cat >"$CONF" <<CONF
[options]
addons_path = $ODOO_SRC/addons,$CR_HOME/addons
data_dir = $CR_HOME/data
db_host = 127.0.0.1
db_port = 5432
db_user = $DB_USER
http_port = $PORT
admin_passwd = admin
CONF
}

setup() {
  ensure_odoo_source
  ensure_debian_packages
  ensure_npm
  ensure_postgres
  ensure_venv
  ensure_config
}

odoo_bin() { "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" "$@"; }

# Throwaway databases go when the command ends, whatever its outcome.
drop_on_exit() {
  THROWAWAY_DB=$1
  trap 'dropdb -h 127.0.0.1 -U "$DB_USER" --if-exists "$THROWAWAY_DB" 2>/dev/null || true' EXIT
}

db_exists() { [[ -n $(psql -X -h 127.0.0.1 -U "$DB_USER" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'") ]]; }

cmd_run() {
  setup
  if ! db_exists "$DB_NAME"; then
    log "creating database $DB_NAME with the addon and its demo data"
    odoo_bin -d "$DB_NAME" -i "$ADDON" --with-demo --stop-after-init
    # Chinese is there for users to pick; admin stays in English.
    "$PY" "$ODOO_SRC/odoo-bin" i18n loadlang -c "$CONF" -d "$DB_NAME" -l zh_CN
  fi
  log "Odoo serves $DB_NAME on http://localhost:$PORT  (login: admin / password: admin); Ctrl-C stops it"
  local workers=()
  ((WORKERS > 0)) && workers=(--workers="$WORKERS" --max-cron-threads=1)
  exec "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$DB_NAME" --db-filter="^$DB_NAME\$" "${workers[@]}"
}

cmd_upgrade() {
  setup
  odoo_bin -d "$DB_NAME" -u "$ADDON" --stop-after-init
}

cmd_pot() {
  setup
  local db=${ADDON}_pot_$$
  drop_on_exit "$db"
  # With demo data, as the test database, whose translation test compares the two.
  odoo_bin -d "$db" -i "$ADDON" --with-demo --stop-after-init --log-level=warn
  "$PY" "$ODOO_SRC/odoo-bin" i18n export -c "$CONF" -d "$db" "$ADDON"
  # Keep the Chinese catalogue in step: new strings appear there untranslated, gone ones go.
  msgmerge --quiet --update --no-fuzzy-matching --backup=none "$ADDON_DIR/i18n/zh_CN.po" "$ADDON_DIR/i18n/$ADDON.pot"
  # In OCA's po format (oca-checks-po, a pre-commit hook): entries sorted, wrapped at 78 columns,
  # no msgstr that repeats its msgid. --fix rewrites the files and reports what it fixed.
  (cd "$ADDON_DIR" && "$VENV/bin/oca-checks-po" --fix "i18n/zh_CN.po" "i18n/$ADDON.pot" >/dev/null || true)
  (cd "$ADDON_DIR" && "$VENV/bin/oca-checks-po" "i18n/zh_CN.po" "i18n/$ADDON.pot")
  log "wrote i18n/$ADDON.pot and merged it into i18n/zh_CN.po"
}

cmd_bench() {
  setup
  local db=${CR_BENCH_DB:-${ADDON}_bench}
  # (Re)install when the addon is missing, e.g. after an interrupted first installation.
  if [[ $(psql -h 127.0.0.1 -U "$DB_USER" -d "$db" -tAc \
    "SELECT state FROM ir_module_module WHERE name = '$ADDON'" 2>/dev/null) != installed ]]; then
    odoo_bin -d "$db" -i "$ADDON" --stop-after-init --log-level=warn
  fi
  local script=tier_benchmark.py
  if [[ ${1:-} == --scale ]]; then
    script=scale_benchmark.py
    shift
  fi
  # A script's own folder comes first on the import path: the benchmarks import bench/bench_common.py.
  PYTHONPATH=$ODOO_SRC "$PY" "$ADDON_DIR/bench/$script" -c "$CONF" -d "$db" "$@"
}

cmd_wheel() {
  setup
  build_wheel "$ADDON_DIR/dist"
  log "built $(ls "$ADDON_DIR"/dist/odoo_addon_${ADDON}-*.whl)"
}

# Builds the addon's wheel from the committed HEAD into the folder $1.
build_wheel() {
  # whool names the wheel after the addon's folder, whatever this checkout's folder is called.
  local build
  build=$(mktemp -d)
  mkdir "$build/$ADDON"
  # git archive leaves out the development files, marked export-ignore in .gitattributes.
  git -C "$ADDON_DIR" archive HEAD | tar -x -C "$build/$ADDON"
  "$PY" -m pip wheel --quiet --no-deps --wheel-dir "$1" "$build/$ADDON"
  rm -rf "$build"
}

# A plain virtual environment with Odoo installed as a package (pip install -e $ODOO_SRC), as
# where one installs the addon from its wheel; kept while Odoo's requirements and the addon's
# libraries stay the same.
WHEEL_VENV=$CR_HOME/wheel-venv
ensure_wheel_venv() {
  local stamp=$WHEEL_VENV/.cr-stamp want py=$WHEEL_VENV/bin/python
  want=$(cat "$ODOO_SRC/requirements.txt" "$ODOO_SRC/setup.py" <(python3 --version) \
    <(printf '%s\n' "${RUNTIME_PIP_PACKAGES[@]}") <(addon_pip_packages) | sha1sum | cut -d' ' -f1)
  [[ -f $stamp && $(cat "$stamp") == "$want" ]] && return
  log "creating the wheel's test environment in $WHEEL_VENV (a few minutes the first time)"
  rm -rf "$WHEEL_VENV"
  python3 -m venv "$WHEEL_VENV"
  build_constrained "$py" -m pip install -q --upgrade pip wheel "setuptools<70"
  build_constrained "$py" -m pip install -q -c "$ODOO_SRC/requirements.txt" -e "$ODOO_SRC"
  "$py" -m pip install -q "${RUNTIME_PIP_PACKAGES[@]}"
  install_addon_packages "$py"
  echo "$want" >"$stamp"
}

# The wheel holds the addon and no development file, installs with pip into an environment
# with Odoo installed as a package, and Odoo installs the app from it, with no addons path.
cmd_wheel_check() {
  setup
  local started=$SECONDS tmp wheel location db=${ADDON}_wheel_$$ py=$WHEEL_VENV/bin/python
  tmp=$(mktemp -d)
  build_wheel "$tmp/dist"
  wheel=$(ls "$tmp"/dist/odoo_addon_${ADDON}-*.whl)
  "$PY" "$ADDON_DIR/tools/wheel_check.py" "$wheel"
  ensure_wheel_venv
  "$py" -m pip uninstall -q -y "odoo-addon-$ADDON" 2>/dev/null || true
  "$py" -m pip install -q -c "$ODOO_SRC/requirements.txt" "$wheel"
  location=$("$py" -c "import odoo.addons.$ADDON as addon; print(*addon.__path__)")
  [[ $location == "$WHEEL_VENV"/lib/*/site-packages/odoo/addons/$ADDON ]] ||
    { log "the addon is imported from $location, not from the wheel"; exit 1; }
  # No addons_path: Odoo finds its own addons and the environment's odoo/addons.
  cat >"$tmp/odoo.conf" <<CONF
[options]
data_dir = $tmp/data
db_host = 127.0.0.1
db_port = 5432
db_user = $DB_USER
CONF
  drop_on_exit "$db"
  log "installing the app from the wheel in $db"
  "$WHEEL_VENV/bin/odoo" -c "$tmp/odoo.conf" -d "$db" -i "$ADDON" --stop-after-init --log-level=warn
  [[ $(psql -h 127.0.0.1 -U "$DB_USER" -d "$db" -tAc "SELECT state FROM ir_module_module WHERE name = '$ADDON'") == installed ]] ||
    { log "the app is not installed"; exit 1; }
  rm -rf "$tmp"
  log "the wheel installs with pip and Odoo installs the app from it ($((SECONDS - started)) s)"
}

cmd_lint() {
  setup
  # CR_HOME for tools/eslint.sh, which installs ESLint and Prettier there.
  (cd "$ADDON_DIR" && CR_HOME=$CR_HOME PATH=$VENV/bin:$PATH "$VENV/bin/pre-commit" run --all-files --show-diff-on-failure)
}

cmd_test() {
  # --fast (tools/dev.sh test-fast): the fast suite only, without the slow step and the checks after it.
  local fast=0
  if [[ ${1:-} == --fast ]]; then fast=1; shift; fi
  setup
  local db=${ADDON}_test_$$
  drop_on_exit "$db"
  cmd_lint
  log "installing the addon in the throwaway database $db"
  odoo_bin -d "$db" -i "$ADDON" --with-demo --stop-after-init --log-level=warn
  # Two steps: the fast suite, then the slow tests: the browser tests and those tagged cr_slow
  # (they commit on connections of their own, or run at volume). The no-skip plugin makes a skipped test (e.g. a browser test without
  # websocket-client) fail the run; the tags plugin deselects by tag (tools/pytest_test_tags.py).
  # With pytest arguments (a file, -k ...), one step: the slow one might select nothing.
  local step steps=(skip only)
  (($#)) && steps=(all)
  ((fast)) && steps=(skip)
  for step in "${steps[@]}"; do
    log "running the tests (--cr-slow=$step: all, the fast suite (skip) or the slow tests (only))"
    (cd "$CR_HOME/addons/$ADDON" &&
      PYTHONPATH=$ODOO_SRC:$ADDON_DIR/tools${PYTHONPATH:+:$PYTHONPATH} "$PY" -m pytest -p pytest_no_skip \
        -p pytest_test_tags --cr-slow=$step --odoo-config="$CONF" --odoo-database="$db" --odoo-http \
        -o addopts="" -q -rfEs "$CR_HOME/addons/$ADDON/tests" "$@")
  done
  ((fast)) && return 0
  log "uninstalling the addon: nothing of it may be left; then installing it again"
  local owned
  owned=$(mktemp)
  CR_DB_USER=$DB_USER "$PY" "$ADDON_DIR/tools/lifecycle_check.py" snapshot "$db" "$owned"
  "$PY" "$ODOO_SRC/odoo-bin" module uninstall -c "$CONF" -d "$db" "$ADDON"
  CR_DB_USER=$DB_USER "$PY" "$ADDON_DIR/tools/lifecycle_check.py" verify "$db" "$owned"
  odoo_bin -d "$db" -i "$ADDON" --stop-after-init --log-level=warn
  [[ $(psql -h 127.0.0.1 -U "$DB_USER" -d "$db" -tAc "SELECT state FROM ir_module_module WHERE name = '$ADDON'") == installed ]]
  log "reinstalled"
  check_workers "$db"
}

# Production runs Odoo with workers: the HTTP workers answer, and the gevent worker that carries
# the bus accepts a websocket and stays up (no traceback in the server log).
check_workers() {
  local db=$1 http_port=$((PORT + 100)) gevent_port=$((PORT + 103)) server_log pid
  server_log=$(mktemp)
  log "serving $db with --workers=2 --max-cron-threads=1: the HTTP workers and the bus must answer"
  "$PY" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$db" --db-filter="^$db\$" --workers=2 --max-cron-threads=1 \
    --http-port="$http_port" --gevent-port="$gevent_port" --logfile="$server_log" &
  pid=$!
  local ok=0
  for _ in $(seq 60); do
    curl -fs "http://127.0.0.1:$http_port/web/health" >/dev/null && curl -fs "http://127.0.0.1:$gevent_port/websocket/health" >/dev/null && { ok=1; break; }
    sleep 1
  done
  if ((ok)); then
    "$PY" -c "import sys, websocket; ws = websocket.create_connection(sys.argv[1], timeout=20, origin=sys.argv[2]); ws.send('{\"event_name\": \"subscribe\", \"data\": {\"channels\": [], \"last\": 0}}'); ws.close()" \
      "ws://127.0.0.1:$gevent_port/websocket" "http://127.0.0.1:$http_port" || ok=0
    sleep 3
  fi
  kill "$pid"
  wait "$pid" || true
  if ! ((ok)) || grep -q Traceback "$server_log"; then
    tail -50 "$server_log" >&2
    log "Odoo with workers did not serve the bus"
    return 1
  fi
  log "with workers: HTTP and the bus answer, no traceback"
}

# The previous release, by its tag: 19.0.3.0.0 (figures in customer_account). A clone without
# the tag falls back to its commit. CR_PREVIOUS_RELEASE=19.0.1.1.0 checks the upgrade from 19.0.1
# (figures in company-dependent jsonb columns of res_partner), or any other tag or commit.
PREVIOUS_RELEASE=${CR_PREVIOUS_RELEASE:-19.0.3.0.0}
PREVIOUS_RELEASE_COMMIT=7b9a457

# Every classified customer's figures in every company (no salesperson: see below), as
# "partner@company:tier/value/...", from a SELECT whose columns are named as here.
ACCOUNT_FIGURES="partner_id || '@' || company || ':' || concat_ws('/', tier, value, rank, share, margin,
  first_order, last_order, orders, interval, next_order, lifecycle, r, f, m, segment, locked, lock_reason,
  loss_reason, loss_date, loss_note, lost_value)"
UPGRADE_COUNTS="(SELECT COUNT(*) FROM customer_tier), (SELECT COUNT(*) FROM customer_tier_history),
  (SELECT COUNT(*) FROM customer_visit)"

# tiers|history|visits|figures (md5)|classified accounts|levels|salesperson in effect (md5),
# read from customer_account (19.0.2 on). The salesperson in effect is the account's, else the
# customer's: 19.0.3 writes the customer's on the accounts without one, which changes no one.
account_figures_query() {
  cat <<SQL
SELECT $UPGRADE_COUNTS, md5(string_agg($ACCOUNT_FIGURES, ',' ORDER BY partner_id, company)), COUNT(*),
  (SELECT string_agg(relationship_level || ':' || n, ',' ORDER BY relationship_level) FROM
     (SELECT relationship_level, COUNT(DISTINCT partner_id) n FROM customer_account
       WHERE relationship_level <> 'basic' GROUP BY 1) levels),
  md5(string_agg(partner_id || '@' || company || ':' || COALESCE(salesperson::text, ''), ','
                 ORDER BY partner_id, company))
  FROM (SELECT a.partner_id, a.company_id AS company, a.tier_id::text AS tier, a.value, a.value_rank::text AS rank,
               a.value_share AS share, a.margin_rate AS margin, a.first_order_date::text AS first_order,
               a.last_order_date::text AS last_order, a.order_count::text AS orders,
               a.average_order_interval AS interval, a.expected_next_order_date::text AS next_order, a.lifecycle,
               a.recency_score::text AS r, a.frequency_score::text AS f, a.monetary_score::text AS m,
               a.rfm_segment AS segment, COALESCE(a.tier_locked, false)::text AS locked,
               a.tier_lock_reason AS lock_reason, a.loss_reason_id::text AS loss_reason, a.loss_date::text AS loss_date,
               a.loss_note, a.lost_value, COALESCE(a.user_id, p.user_id) AS salesperson
          FROM customer_account a JOIN res_partner p ON p.id = a.partner_id
         WHERE a.tier_id IS NOT NULL) figures
SQL
}

# The same, read from the company-dependent jsonb columns of res_partner (19.0.1): the
# salesperson was the customer's, in every company.
jsonb_figures_query() {
  cat <<SQL
SELECT $UPGRADE_COUNTS, md5(string_agg($ACCOUNT_FIGURES, ',' ORDER BY partner_id, company)), COUNT(*),
  (SELECT string_agg(relationship_level || ':' || n, ',' ORDER BY relationship_level) FROM
     (SELECT relationship_level, COUNT(*) n FROM res_partner WHERE id = commercial_partner_id
         AND relationship_level <> 'basic' GROUP BY 1) levels),
  md5(string_agg(partner_id || '@' || company || ':' || COALESCE(salesperson::text, ''), ','
                 ORDER BY partner_id, company))
  FROM (SELECT p.id AS partner_id, k.key::int AS company, p.customer_tier_id ->> k.key AS tier,
               (p.customer_value ->> k.key)::numeric AS value, p.customer_value_rank ->> k.key AS rank,
               (p.customer_value_share ->> k.key)::numeric AS share,
               (p.customer_margin_rate ->> k.key)::numeric AS margin, p.first_order_date ->> k.key AS first_order,
               p.last_order_date ->> k.key AS last_order, p.customer_order_count ->> k.key AS orders,
               (p.average_order_interval ->> k.key)::numeric AS interval,
               p.expected_next_order_date ->> k.key AS next_order, p.customer_lifecycle ->> k.key AS lifecycle,
               p.rfm_recency_score ->> k.key AS r, p.rfm_frequency_score ->> k.key AS f,
               p.rfm_monetary_score ->> k.key AS m, p.rfm_segment ->> k.key AS segment,
               COALESCE((p.customer_tier_locked ->> k.key)::boolean, false)::text AS locked,
               p.customer_tier_lock_reason ->> k.key AS lock_reason, p.loss_reason_id ->> k.key AS loss_reason,
               p.loss_date ->> k.key AS loss_date, p.loss_note ->> k.key AS loss_note,
               (p.lost_value ->> k.key)::numeric AS lost_value, p.user_id AS salesperson
          FROM res_partner p CROSS JOIN LATERAL jsonb_object_keys(p.customer_tier_id) AS k(key)
         WHERE p.id = p.commercial_partner_id) figures
SQL
}

cmd_upgrade_check() {
  setup
  local db=${ADDON}_upgrade_$$ old release=$PREVIOUS_RELEASE
  if ! git -C "$ADDON_DIR" rev-parse -q --verify "$release^{commit}" >/dev/null; then
    [[ -z ${CR_PREVIOUS_RELEASE:-} ]] || { log "no tag or commit $release in this clone"; exit 1; }
    log "no tag $release in this clone: checking from its commit $PREVIOUS_RELEASE_COMMIT"
    release=$PREVIOUS_RELEASE_COMMIT
  fi
  drop_on_exit "$db"
  old=$(mktemp -d)
  mkdir "$old/$ADDON"
  git -C "$ADDON_DIR" archive "$release" | tar -x -C "$old/$ADDON"
  log "installing the previous release ($release) with demo data"
  odoo_bin -d "$db" --addons-path="$ODOO_SRC/addons,$old" -i "$ADDON" --with-demo --stop-after-init --log-level=warn
  local psql_db=(psql -q -h 127.0.0.1 -U "$DB_USER" -d "$db")
  # The prediction check's decile lines (19.0.3 on): their decile becomes a number of its own
  # in 19.0.4 (it was only in their label). A check is run with the previous release's code.
  local deciles="SELECT COUNT(*) || '/' || string_agg(sequence::text, ',' ORDER BY id)
    FROM customer_prediction_check_line WHERE kind = 'decile'" deciles_before=
  if [[ -n $("${psql_db[@]}" -tAc "SELECT to_regclass('customer_prediction_check_line')") ]]; then
    "$PY" "$ODOO_SRC/odoo-bin" shell -c "$CONF" -d "$db" --addons-path="$ODOO_SRC/addons,$old" --log-level=warn \
      <<<"env['customer.prediction.check']._run(env.ref('base.main_company')); env.cr.commit()" >/dev/null
    deciles_before=$("${psql_db[@]}" -tAc "$deciles")
  fi
  rm -rf "$old"
  # Data a user would have entered by then: relationship levels, a manual tier, a loss, done
  # visits and, from 19.0.2, a salesperson of its own on some accounts.
  local before_query
  # The administrator and the main company by their XML ids, not by database ids.
  local admin="(SELECT res_id FROM ir_model_data WHERE module = 'base' AND name = 'user_admin')"
  local company="(SELECT res_id FROM ir_model_data WHERE module = 'base' AND name = 'main_company')"
  if [[ -n $("${psql_db[@]}" -tAc "SELECT to_regclass('customer_account')") ]]; then
    "${psql_db[@]}" -c "
      UPDATE customer_account SET relationship_level = 'proactive'
       WHERE id IN (SELECT id FROM customer_account WHERE tier_id IS NOT NULL ORDER BY id LIMIT 5);
      UPDATE customer_account SET tier_locked = true, tier_lock_reason = 'Kept through the upgrade'
       WHERE id = (SELECT MAX(id) FROM customer_account WHERE tier_id IS NOT NULL);
      UPDATE customer_account SET user_id = $admin
       WHERE id IN (SELECT id FROM customer_account WHERE tier_id IS NOT NULL ORDER BY id DESC LIMIT 3);"
    before_query=$(account_figures_query)
  else
    "${psql_db[@]}" -c "
      UPDATE res_partner SET relationship_level = 'proactive'
       WHERE id IN (SELECT id FROM res_partner WHERE customer_tier_id IS NOT NULL AND id = commercial_partner_id
                    ORDER BY id LIMIT 5);
      UPDATE res_partner SET customer_tier_locked = jsonb_build_object($company::text, true),
                             customer_tier_lock_reason = jsonb_build_object($company::text, 'Kept through the upgrade')
       WHERE id = (SELECT MAX(id) FROM res_partner WHERE customer_tier_id IS NOT NULL AND id = commercial_partner_id);"
    before_query=$(jsonb_figures_query)
  fi
  "${psql_db[@]}" -c "
    INSERT INTO customer_visit (name, partner_id, user_id, company_id, visit_type, state, planned_start, done_date, notes)
    SELECT 'UPGRADE/' || id, id, $admin, $company, 'on_site', 'done', NOW(), NOW(), '<p>Kept through the upgrade</p>'
      FROM res_partner WHERE id = commercial_partner_id AND customer_rank > 0 ORDER BY id LIMIT 10;"
  local before after
  before=$("${psql_db[@]}" -tAc "$before_query")
  log "upgrading to this checkout"
  odoo_bin -d "$db" -u "$ADDON" --stop-after-init --log-level=warn
  after=$("${psql_db[@]}" -tAc "$(account_figures_query)")
  if [[ -n $deciles_before ]]; then
    local deciles_after
    deciles_after=$("${psql_db[@]}" -tAc "${deciles/string_agg(sequence::text/string_agg(decile::text}")
    log "prediction check deciles before: $deciles_before; after: $deciles_after"
    [[ $deciles_before == "$deciles_after" ]] || { log "the upgrade lost the deciles of the prediction checks"; exit 1; }
  fi
  local columns="tiers|history|visits|figures (md5)|classified accounts|levels|salesperson in effect (md5)"
  log "$columns before: $before"
  log "$columns after:  $after"
  [[ $before == "$after" ]] || { log "the upgrade changed the data"; exit 1; }
  # The partner fields read the accounts: none of them may be company-dependent.
  local still_company_dependent
  still_company_dependent=$("${psql_db[@]}" -tAc "SELECT string_agg(name, ', ')
    FROM ir_model_fields WHERE model = 'res.partner' AND company_dependent AND name IN ('customer_tier_id',
    'customer_value', 'customer_lifecycle', 'rfm_segment', 'customer_tier_locked', 'loss_date')")
  [[ -z $still_company_dependent ]] || { log "still company-dependent: $still_company_dependent"; exit 1; }
  log "the upgrade from $release kept every tier, tier change, visit, customer figure, lock, loss, level and salesperson"
}

case ${1:-} in
  run | test | upgrade | pot | lint | bench | wheel) cmd=$1; shift; "cmd_$cmd" "$@" ;;
  test-fast) shift; cmd_test --fast "$@" ;;
  upgrade-check) shift; cmd_upgrade_check "$@" ;;
  wheel-check) shift; cmd_wheel_check "$@" ;;
  setup) setup ;;
  # The help is the comment at the top of this file, whatever its length.
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2 ;;
esac
