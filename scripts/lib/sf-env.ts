/**
 * The environment every `sf` the project runs gets: no telemetry, no update check, no autoupdate.
 *
 * Autoupdate needs SF_DISABLE_AUTOUPDATE: @oclif/plugin-update's init hook reads only that one
 * (`config.scopedEnvVarTrue('DISABLE_AUTOUPDATE')`). @salesforce/cli sets it itself for npm installs,
 * but only when neither it nor the legacy SF_AUTOUPDATE_DISABLE is set, and it mirrors the legacy name
 * onto the oclif one only for installer builds (dist/cli.js configureAutoUpdate, dist/util/env.js). So
 * SF_AUTOUPDATE_DISABLE=true alone, as this project used to set, left a detached `sf update --autoupdate`
 * behind after each run. Both names are set; scripts/lib/sf.sh and the package.json `sf` script match.
 */
export const SF_QUIET_ENV: Readonly<Record<string, string>> = {
  SF_DISABLE_TELEMETRY: 'true',
  SF_DISABLE_AUTOUPDATE: 'true',
  SF_AUTOUPDATE_DISABLE: 'true',
  SF_SKIP_NEW_VERSION_CHECK: 'true',
};
