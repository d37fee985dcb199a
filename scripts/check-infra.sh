#!/usr/bin/env bash
# Checks the AWS templates in infra/: cfn-lint finds nothing, the cfn-guard rules of infra/guard
# pass, every rule fails on its deliberately bad template in infra/tests/bad (named after the rule,
# and failing that rule only), the table in the template is the one the DynamoDB store makes, the
# CloudFront rewrite agrees with the local server, the SPA's upload sets the caching headers, the
# load model's tests pass (its figures are the template's defaults), the click-day rules notice a
# mistake in the real templates, and the deploy script parses.
# Installs cfn-lint (PyPI, project venv) and cfn-guard (cargo install) when missing.
# Usage: scripts/check-infra.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

step "Checking tools for the AWS templates"
ensure_infra_tools

templates=(infra/template.yaml infra/waf.yaml)

step "cfn-lint ${templates[*]}"
cfn-lint "${templates[@]}" || die "cfn-lint found problems"
info "clean"

step "cfn-guard rules (infra/guard) on ${templates[*]}"
for template in "${templates[@]}"; do
  guard_out="$(cfn-guard validate --rules infra/guard --data "$template" --show-summary all 2>&1)" \
    || { printf '%s\n' "$guard_out"; die "cfn-guard: $template breaks a rule"; }
  passed="$(grep -cE '\.guard/[a-z0-9_]+ +PASS$' <<<"$guard_out" || true)"
  skipped="$(grep -cE '\.guard/[a-z0-9_]+ +SKIP$' <<<"$guard_out" || true)"
  info "$template: $passed rules pass, $skipped do not apply, none fails"
done

step "Each cfn-guard rule fails on its bad template (infra/tests/bad)"
rules="$(sed -nE 's/^rule ([a-z0-9_]+).*/\1/p' infra/guard/*.guard | sort)"
[ -n "$rules" ] || die "no rules found in infra/guard"
for rule in $rules; do
  bad="infra/tests/bad/$rule.yaml"
  [ -f "$bad" ] || die "rule $rule has no bad template $bad"
  set +e
  guard_out="$(cfn-guard validate --rules infra/guard --data "$bad" --show-summary fail 2>&1)"
  code=$?
  set -e
  [ "$code" -eq 19 ] || { printf '%s\n' "$guard_out"; die "$bad: cfn-guard exited $code, expected 19 (a failed rule)"; }
  failed="$(sed -nE 's#^[a-z0-9_]+\.guard/([a-z0-9_]+) +FAIL$#\1#p' <<<"$guard_out" | sort -u | paste -sd' ')"
  [ "$failed" = "$rule" ] || { printf '%s\n' "$guard_out"; die "$bad: expected only $rule to fail, failed: ${failed:-none}"; }
  info "$rule: fails on $bad (exit 19)"
done
for bad in infra/tests/bad/*.yaml; do
  grep -qx "$(basename "$bad" .yaml)" <<<"$rules" || die "$bad is named after no rule"
done

step "The click-day rules notice one mistake at a time in the real templates (infra/tests/guard_mutations.py)"
python3 infra/tests/guard_mutations.py || die "a cfn-guard rule missed a mistake in infra/template.yaml or infra/waf.yaml"

step "The load model (infra/load_model.py): its arithmetic, and the template's defaults are its figures at 1x"
model_out="$(python3 infra/tests/test_load_model.py 2>&1)" || { printf '%s\n' "$model_out"; die "infra/load_model.py failed its tests"; }
info "$(tail -n 3 <<<"$model_out" | paste -sd' ')"
python3 infra/load_model.py --target 300 | sed -n '1,15p' | sed 's/^/    /'

step "The deploy script parses (infra/deploy.sh; it is run against AWS only by a person)"
bash -n infra/deploy.sh || die "infra/deploy.sh does not parse"
info "bash -n: clean"

step "The template's table is the one the store makes (api/src/store/dynamodb/mod.rs)"
const() { sed -nE "s/^pub const $1: &str = \"([^\"]+)\";/\1/p" api/src/store/dynamodb/mod.rs; }
python3 - "$(const PARTITION_KEY)" "$(const SORT_KEY)" "$(const OUTBOX_INDEX)" \
  "$(const OUTBOX_INDEX_PARTITION_KEY)" "$(const OUTBOX_INDEX_SORT_KEY)" "$(const TTL_ATTRIBUTE)" \
  "$(const DUE_INDEX)" "$(const DUE_INDEX_PARTITION_KEY)" "$(const DUE_INDEX_SORT_KEY)" <<'PY' || die "infra/template.yaml's table does not match the store"
import sys
from cfnlint.decode import decode
pk, sk, index, gpk, gsk, ttl, due, dpk, dsk = sys.argv[1:]
assert all(sys.argv[1:]), f"constants not found in dynamodb/mod.rs: {sys.argv[1:]}"
template, errors = decode("infra/template.yaml")
assert not errors, errors
table = template["Resources"]["Table"]["Properties"]
def keys(schema):
    return [(k["AttributeName"], k["KeyType"]) for k in schema]
assert keys(table["KeySchema"]) == [(pk, "HASH"), (sk, "RANGE")], table["KeySchema"]
indexes = {i["IndexName"]: keys(i["KeySchema"]) for i in table["GlobalSecondaryIndexes"]}
assert indexes == {index: [(gpk, "HASH"), (gsk, "RANGE")], due: [(dpk, "HASH"), (dsk, "RANGE")]}, indexes
types = {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]}
assert types == {pk: "S", sk: "S", gpk: "S", gsk: "S", dpk: "S", dsk: "N"}, types
assert table["StreamSpecification"] == {"StreamViewType": "KEYS_ONLY"}, table["StreamSpecification"]
assert table["TimeToLiveSpecification"] == {"AttributeName": ttl, "Enabled": True}, table["TimeToLiveSpecification"]
assert table["BillingMode"] == "PAY_PER_REQUEST"
print(f"    keys {pk}/{sk}, indexes {index} ({gpk}/{gsk}) and {due} ({dpk}/{dsk}), keys-only stream, TTL on {ttl}: as the store makes them")
PY

step "The CloudFront rewrite sends each route to its bundle's page, as the local server does"
rewrite_js="$(mktemp)"
python3 - "$rewrite_js" <<'PY' || die "could not read SpaRewriteFunction from infra/template.yaml"
import sys
from cfnlint.decode import decode
template, errors = decode("infra/template.yaml")
assert not errors, errors
open(sys.argv[1], "w").write(template["Resources"]["SpaRewriteFunction"]["Properties"]["FunctionCode"])
PY
node infra/tests/spa_rewrite.test.mjs "$rewrite_js" || die "the CloudFront rewrite and api/src/spa/mod.rs disagree"
rm -f "$rewrite_js"

step "The SPA's upload gives each object the local server's caching headers (infra/upload_spa.py, S3 on moto)"
ensure_pip moto.server 'moto[server]==5.2.1'
python3 infra/tests/test_upload_spa.py || die "infra/upload_spa.py failed its tests"
