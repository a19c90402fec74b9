#!/usr/bin/env bash
# From a Dev Hub login to a scratch org with the package deployed, the permission sets assigned,
# the External Client App's org-side settings set, and sample data imported. README: "Deploy to a
# scratch org" walks through the same steps one by one.
#
#   npm run scratch:create                      (or: bash scripts/scratch-org.sh)
#
# Settings (environment):
#   DEV_HUB_ALIAS      Dev Hub alias; logged in through the browser if not yet   [SalescalingDevHub]
#   SCRATCH_ORG_ALIAS  alias of the new scratch org                             [salescaling]
#   SCRATCH_DAYS       days the scratch org lives (1-30)                         [7]
#   PUBLIC_URL         the service's public URL; the OAuth callback is built on it [http://localhost:3000]
#   NO_OPEN=1          do not open the org in the browser at the end
#   SF                 the sf command                                            [npx --no-install sf]
set -euo pipefail
source "$(dirname "$0")/lib/sf.sh"

SCRATCH_ORG_ALIAS="${SCRATCH_ORG_ALIAS:-salescaling}"
SCRATCH_DAYS="${SCRATCH_DAYS:-7}"
PUBLIC_URL="${PUBLIC_URL:-http://localhost:3000}"

step() { printf '\n== %s\n' "$*"; }

step "1. Dev Hub ($DEV_HUB_ALIAS)"
if sf org display --target-org "$DEV_HUB_ALIAS" --json >/dev/null 2>&1; then
  echo "already logged in"
else
  sf org login web --set-default-dev-hub --alias "$DEV_HUB_ALIAS"
fi

step "2. Compile the component's TypeScript (the .js that deploys)"
"$NODE_BIN" scripts/lwc-build.ts

step "3. Scratch org ($SCRATCH_ORG_ALIAS, Shared Activities and Enhanced Notes on)"
sf org create scratch --definition-file config/project-scratch-def.json --alias "$SCRATCH_ORG_ALIAS" \
  --target-dev-hub "$DEV_HUB_ALIAS" --duration-days "$SCRATCH_DAYS" --set-default --wait 15

step "4. Deploy the package, with an OAuth consumer of this org's own (callback $PUBLIC_URL/oauth/salesforce/callback, PKCE)"
WORK_DIR="$(mktemp -d)"
trap 'rm -rf "$WORK_DIR"' EXIT
sf project convert source --source-dir force-app --output-dir "$WORK_DIR/package"
"$NODE_BIN" scripts/eca-local.ts --public-url "$PUBLIC_URL" --into "$WORK_DIR/package"
sf project deploy start --metadata-dir "$WORK_DIR/package" --target-org "$SCRATCH_ORG_ALIAS" --wait 30

step "5. Assign the permission sets to the scratch org's admin"
sf org assign permset --name Salescaling_Integration_User --name Salescaling_Recordings_Viewer \
  --target-org "$SCRATCH_ORG_ALIAS"

step "6. App policies: holders of Salescaling Integration User are pre-authorized"
PERMISSION_SET_ID="$(sf data query --target-org "$SCRATCH_ORG_ALIAS" --json \
  --query "SELECT Id FROM PermissionSet WHERE Name = 'Salescaling_Integration_User'" |
  "$NODE_BIN" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s).result.records;if(!r.length)process.exit(1);console.log(r[0].Id)})')"
"$NODE_BIN" scripts/eca-local.ts --permission-set-id "$PERMISSION_SET_ID" --out "$WORK_DIR/policies"
sf project deploy start --metadata-dir "$WORK_DIR/policies" --target-org "$SCRATCH_ORG_ALIAS" --wait 30

step "7. Sample data (accounts, contacts, an opportunity, recorded meetings)"
sf data tree import --plan scripts/data/sample-data-plan.json --target-org "$SCRATCH_ORG_ALIAS"

step "Done"
cat <<INFO
The consumer key and secret are in Setup > External Client App Manager > Salescaling for Salesforce >
Settings > OAuth Settings > Consumer Key and Secret. Give them to the service as SALESFORCE_CLIENT_ID
and SALESFORCE_CLIENT_SECRET, with SALESFORCE_LOGIN_URL set to the scratch org's My Domain URL
(sf org display --target-org $SCRATCH_ORG_ALIAS).
INFO
if [[ "${NO_OPEN:-}" != "1" ]]; then
  sf org open --target-org "$SCRATCH_ORG_ALIAS" --path "lightning/o/Account/list"
fi
