#!/usr/bin/env bash
# Deploys Sportello to staging, then to production, non-interactively (no `sam deploy --guided`):
# the checks, the function's zip, the WAF stack (us-east-1), the service stack with `sam deploy`
# and the settings of infra/samconfig.toml for the environment, a smoke test, the SPA. The API
# function is published as a new version behind the alias `live`, and CodeDeploy shifts traffic
# to it by DeploymentType (a canary: 10 % for 5 minutes), rolling back by itself if Api5xxAlarm,
# FunctionErrorsAlarm or ApiLatencyP99Alarm fire meanwhile; `sam deploy` waits for the outcome.
#
# Production takes only a commit that staging runs (the stacks' GitCommit tag), and is refused
# from 15:00 to 20:00 Rome time: a deploy resets the alias's provisioned concurrency to
# ProvisionedConcurrencyBase, so during the citizens' opening rush it would drop the warm-up
# (SPORTELLO_DEPLOY_IN_WINDOW=1 overrides, for a fix that cannot wait).
#
# Usage: infra/deploy.sh [staging|production|both] [--yes]   (default: both; --yes: no change-set prompt)
# Needs: the AWS CLI and SAM CLI, credentials for the account, infra/env/<environment>.params.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"

target="both"
yes=0
for arg in "$@"; do
  case "$arg" in
    staging|production|both) target="$arg" ;;
    --yes) yes=1 ;;
    *) die "usage: infra/deploy.sh [staging|production|both] [--yes]" ;;
  esac
done

REGION="eu-south-1"
WAF_REGION="us-east-1" # CloudFront-scope web ACLs live only there

stack_of() { case "$1" in staging) echo sportello-staging ;; production) echo sportello ;; esac; }

output() { # output STACK REGION KEY
  aws cloudformation describe-stacks --region "$2" --stack-name "$1" \
    --query "Stacks[0].Outputs[?OutputKey=='$3'].OutputValue" --output text
}

# The parameters for one environment: its params file (comments and blank lines skipped).
params_of() {
  local file="infra/env/$1.params"
  [ -f "$file" ] || die "no $file"
  grep -vE '^\s*(#|$)' "$file"
}

preflight() {
  command -v aws >/dev/null || die "the AWS CLI is needed (aws)"
  command -v sam >/dev/null || die "the SAM CLI is needed (sam)"
  [ -z "$(git status --porcelain)" ] || die "the work tree has changes: deploy a commit, not a work tree"
  aws sts get-caller-identity --query Account --output text >/dev/null || die "no AWS credentials"
}

deploy() { # deploy ENVIRONMENT
  local env="$1" stack commit waf_stack web_acl url rome_hour
  stack="$(stack_of "$env")"
  commit="$(git rev-parse HEAD)"

  if [ "$env" = production ]; then
    rome_hour="$(TZ=Europe/Rome date +%H)"
    if [ "$rome_hour" -ge 15 ] && [ "$rome_hour" -lt 20 ] && [ "${SPORTELLO_DEPLOY_IN_WINDOW:-0}" != 1 ]; then
      die "it is ${rome_hour}h in Rome: no production deploy from 15:00 to 20:00 (SPORTELLO_DEPLOY_IN_WINDOW=1 to insist)"
    fi
    local staged
    staged="$(aws cloudformation describe-stacks --region "$REGION" --stack-name "$(stack_of staging)" \
      --query "Stacks[0].Tags[?Key=='GitCommit'].Value" --output text)"
    [ "$staged" = "$commit" ] || die "staging runs ${staged:-nothing}, not $commit: deploy staging first"
  fi

  step "$env: the WAF web ACL (stack $stack-waf, $WAF_REGION)"
  waf_stack="$stack-waf"
  local alarm_email
  alarm_email="$(params_of "$env" | sed -n 's/^AlarmEmail=//p')"
  aws cloudformation deploy --region "$WAF_REGION" --stack-name "$waf_stack" \
    --template-file infra/waf.yaml --no-fail-on-empty-changeset \
    --parameter-overrides "RuleMode=${SPORTELLO_WAF_RULE_MODE:-enforce}" "AlarmEmail=$alarm_email" \
    --tags Service=sportello "Environment=$env" "GitCommit=$commit"
  web_acl="$(output "$waf_stack" "$WAF_REGION" WebAclArn)"
  info "web ACL $web_acl"

  step "$env: the service (stack $stack, $REGION), canary by DeploymentType"
  local overrides=()
  mapfile -t overrides < <(params_of "$env")
  overrides+=("WebAclArn=$web_acl")
  local confirm=()
  [ "$yes" -eq 1 ] && confirm=(--no-confirm-changeset)
  sam deploy --config-file infra/samconfig.toml --config-env "$env" "${confirm[@]}" \
    --parameter-overrides "${overrides[@]}" \
    --tags Service=sportello "Environment=$env" "GitCommit=$commit"

  step "$env: smoke test"
  url="$(output "$stack" "$REGION" Url)"
  curl -fsS --max-time 10 "${url%/}/api/health" >/dev/null || die "$url/api/health does not answer 200"
  info "$url/api/health: 200"

  step "$env: the SPA (hashed files first, pages last, then the pages' invalidation)"
  python3 infra/upload_spa.py "$(output "$stack" "$REGION" SpaBucketName)" --dist dist --prune-older-than-days 30
  aws cloudfront create-invalidation --distribution-id "$(output "$stack" "$REGION" DistributionId)" \
    --paths '/*.html' / >/dev/null
  info "$env deployed at $commit"
}

preflight
step "Checks and builds"
bash scripts/check-infra.sh
bash scripts/package-lambda.sh
bash scripts/build-spa.sh

case "$target" in
  staging) deploy staging ;;
  production) deploy production ;;
  both) deploy staging; deploy production ;;
esac
