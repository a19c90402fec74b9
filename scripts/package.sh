#!/usr/bin/env bash
# Second-generation managed packaging of force-app (docs/admin-guide.md, "For the package's
# developers"). Needs a Dev Hub with a linked namespace, and that namespace in sfdx-project.json.
# https://developer.salesforce.com/docs/platform/pkg2-dev/guide/sfdx-dev-dev-2gp-developing-2gp-packages.html
#
#   npm run package:create                 once: registers the package in the Dev Hub
#   npm run package:version                a new beta version (PACKAGE_INSTALLATION_KEY or --installation-key-bypass)
#   npm run package:promote -- 04t…        releases a tested version
#
# Settings (environment): DEV_HUB_ALIAS [SalescalingDevHub], PACKAGE_INSTALLATION_KEY, SF [npx --no-install sf]
set -euo pipefail
source "$(dirname "$0")/lib/sf.sh"

PACKAGE_NAME="Salescaling for Salesforce"

namespace="$("$NODE_BIN" -e 'console.log(JSON.parse(require("fs").readFileSync("sfdx-project.json","utf8")).namespace||"")')"
if [[ -z "$namespace" ]]; then
  echo "sfdx-project.json has no namespace: a managed package needs the namespace linked to the Dev Hub ($DEV_HUB_ALIAS)." >&2
  echo "Set \"namespace\" in sfdx-project.json (custom field API names then carry the ${namespace:-ns}__ prefix)." >&2
  exit 1
fi

case "${1:-}" in
  create)
    sf package create --name "$PACKAGE_NAME" --package-type Managed --path force-app \
      --target-dev-hub "$DEV_HUB_ALIAS"
    ;;
  version)
    "$NODE_BIN" scripts/lwc-build.ts
    if [[ -n "${PACKAGE_INSTALLATION_KEY:-}" ]]; then key=(--installation-key "$PACKAGE_INSTALLATION_KEY"); else key=(--installation-key-bypass); fi
    # The build org's features come from the package directory's definitionFile (sfdx-project.json).
    sf package version create --package "$PACKAGE_NAME" "${key[@]}" --code-coverage \
      --target-dev-hub "$DEV_HUB_ALIAS" --wait 60
    ;;
  promote)
    version="${2:?usage: scripts/package.sh promote <04t package version id or alias>}"
    sf package version promote --package "$version" --target-dev-hub "$DEV_HUB_ALIAS" --no-prompt
    ;;
  *)
    echo "usage: scripts/package.sh create | version | promote <version>" >&2
    exit 2
    ;;
esac
