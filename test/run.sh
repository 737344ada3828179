#!/usr/bin/env bash
# The test command (`npm test`): makes a Docker engine reachable (on Debian as root it installs and
# starts one), builds the code and the render images, then runs every mocha test against the real
# engine. Without Docker it fails loudly; no test skips itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash docker/ensure-engine.sh
npx tsc -p tsconfig.json
node dist/src/cli.js image
exec npx mocha 'dist/test/**/*.test.js' "$@"
