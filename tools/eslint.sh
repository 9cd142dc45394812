#!/usr/bin/env bash
# ESLint with Prettier over the JavaScript files given (pre-commit hook), in Odoo's style: 4 spaces,
# 100 columns, double quotes (tools/eslintrc.json). Installs them from the npm registry on first
# use into $CR_HOME/node, outside the repository.
set -euo pipefail
CR_HOME=${CR_HOME:-$HOME/.local/share/customer_relationship}
NODE_DIR=$CR_HOME/node
PACKAGES=(eslint@8.57.1 prettier@2.8.8 eslint-plugin-prettier@4.2.1 eslint-config-prettier@8.10.0)
installed() { [[ -f $NODE_DIR/.cr-stamp && $(cat "$NODE_DIR/.cr-stamp") == "${PACKAGES[*]}" ]]; }
if ! installed; then
  command -v npm >/dev/null || { echo "npm is missing: run tools/dev.sh setup" >&2; exit 1; }
  mkdir -p "$NODE_DIR"
  # One install at a time: pre-commit may run this hook in several processes at once.
  exec 9>"$NODE_DIR.lock"
  flock 9
  if ! installed; then
    rm -rf "$NODE_DIR/node_modules"  # what an interrupted install left
    npm install --prefix "$NODE_DIR" --no-save --no-audit --no-fund --loglevel=error "${PACKAGES[@]}" >&2
    echo "${PACKAGES[*]}" >"$NODE_DIR/.cr-stamp"
  fi
  flock -u 9
fi
exec "$NODE_DIR/node_modules/.bin/eslint" --no-eslintrc --config "$(dirname "$0")/eslintrc.json" \
  --resolve-plugins-relative-to "$NODE_DIR" "$@"
