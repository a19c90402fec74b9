# Sourced by the sf shell scripts (scratch-org.sh, package.sh): the repository root as the working
# directory, the repository's own Node, and an `sf` function that runs $SF quietly.
#   DEV_HUB_ALIAS  the Dev Hub's alias   [SalescalingDevHub]
#   SF             the sf command        [npx --no-install sf]
# --help (or -h) anywhere among the arguments prints the calling script's header comment and exits
# before anything runs (`npm run package:create -- --help` passes `create --help`).
for arg in "$@"; do
  if [[ "$arg" == "--help" || "$arg" == "-h" ]]; then
    sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
    exit 0
  fi
done
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

DEV_HUB_ALIAS="${DEV_HUB_ALIAS:-SalescalingDevHub}"
# the repository's own Node 24 (npm exports NODE as the Node that runs npm, so not that)
NODE_BIN=node_modules/.bin/node
read -r -a SF_CMD <<<"${SF:-npx --no-install sf}"
export SF_DISABLE_TELEMETRY=true SF_DISABLE_AUTOUPDATE=true SF_AUTOUPDATE_DISABLE=true SF_SKIP_NEW_VERSION_CHECK=true

sf() { "${SF_CMD[@]}" "$@"; }
