#!/usr/bin/env python3
"""The click-day cfn-guard rules against the real templates with one thing broken at a time: each
mutation must fail exactly the rule named beside it. The bad templates in infra/tests/bad prove a
rule fails on a small wrong template; these prove it notices the mistakes most likely in ours.
Run by scripts/check-infra.sh (needs cfn-guard on PATH): python3 infra/tests/guard_mutations.py"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

INFRA = Path(__file__).resolve().parents[1]
TEMPLATE = (INFRA / "template.yaml").read_text()
WAF = (INFRA / "waf.yaml").read_text()


def replace(text: str, old: str, new: str) -> str:
    """`text` with `old` replaced once; loud if `old` is gone (the mutation would test nothing)."""
    if old not in text:
        raise SystemExit(f"mutation no longer applies, the template changed: {old[:70]!r}")
    return text.replace(old, new, 1)


MUTATIONS = [
    ("the alarm key's policy names another service",
     TEMPLATE, "Principal: { Service: cloudwatch.amazonaws.com }", "Principal: { Service: events.amazonaws.com }",
     "alarm_topic_key_lets_cloudwatch"),
    ("the alarm key lets any account's CloudWatch use it",
     TEMPLATE, "            Condition:\n              StringEquals:\n                aws:SourceAccount: !Ref AWS::AccountId\n\n  AlarmKeyAlias:",
     "\n  AlarmKeyAlias:", "alarm_topic_key_lets_cloudwatch"),
    ("the alarm topic under a key CloudWatch may not use",
     TEMPLATE, "KmsMasterKeyId: !Ref AlarmKey", "KmsMasterKeyId: !Ref LettersKey", "alarm_topic_key_lets_cloudwatch"),
    ("the alarm topic under alias/aws/sns again",
     TEMPLATE, "KmsMasterKeyId: !Ref AlarmKey", "KmsMasterKeyId: alias/aws/sns", "alarm_topic_key_lets_cloudwatch"),
    ("an index without warm throughput",
     TEMPLATE, "          WarmThroughput:\n            ReadUnitsPerSecond: 12000\n            WriteUnitsPerSecond: !Ref IndexWarmWriteUnitsPerSecond\n        # Sparse",
     "        # Sparse", "dynamodb_table_warm_throughput"),
    ("the API function without its alias",
     TEMPLATE, "      AutoPublishAlias: live\n", "", "lambda_api_alias_provisioned_concurrency"),
    ("the alias without provisioned concurrency",
     TEMPLATE, "      ProvisionedConcurrencyConfig:\n        ProvisionedConcurrentExecutions: !Ref ProvisionedConcurrencyBase\n", "",
     "lambda_api_alias_provisioned_concurrency"),
    ("the CNS API's limits typed in",
     TEMPLATE, "ThrottlingRateLimit: !Ref CnsThrottleRateLimit", "ThrottlingRateLimit: 50", "api_stage_limits_from_parameters"),
    ("the stage's burst typed in",
     TEMPLATE, "ThrottlingBurstLimit: !Ref ApiThrottleBurstLimit", "ThrottlingBurstLimit: 4000", "api_stage_limits_from_parameters"),
    ("the CNS domain mapped to the whole API",
     TEMPLATE, "      ApiId: !Ref CnsHttpApi\n      DomainName: !Ref CnsDomain", "      ApiId: !Ref HttpApi\n      DomainName: !Ref CnsDomain",
     "cns_domain_maps_only_cns_routes"),
    ("the CNS API with an execute-api address",
     TEMPLATE, "      DisableExecuteApiEndpoint: true", "      DisableExecuteApiEndpoint: false", "cns_domain_maps_only_cns_routes"),
    ("a second route on the CNS API",
     TEMPLATE, "            Path: /api/auth/cns\n            Method: GET\n            PayloadFormatVersion: \"2.0\"",
     "            Path: /api/auth/cns\n            Method: GET\n            PayloadFormatVersion: \"2.0\"\n"
     "        CnsEverything:\n          Type: HttpApi\n          Properties:\n            ApiId: !Ref CnsHttpApi\n"
     "            Path: /api/{proxy+}\n            Method: ANY",
     "cns_domain_maps_only_cns_routes"),
    ("the anonymous per-address rule blocks",
     WAF, "Action: !If [Counting, { Count: {} }, { Challenge: {} }]\n          Statement:\n            RateBasedStatement",
     "Action: !If [Counting, { Count: {} }, { Block: {} }]\n          Statement:\n            RateBasedStatement",
     "waf_rate_rule_not_ip_alone"),
    ("the session rule keyed on address and method, not the cookie",
     WAF, "                - Cookie:\n                    Name: sportello_session\n                    TextTransformations: [{ Priority: 0, Type: NONE }]",
     "                - HTTPMethod: {}", "waf_rate_rule_not_ip_alone"),
]


def failed_rules(text: str) -> list[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(text)
    out = subprocess.run(["cfn-guard", "validate", "--rules", str(INFRA / "guard"), "--data", f.name,
                          "--show-summary", "fail"], capture_output=True, text=True).stdout
    Path(f.name).unlink()
    return sorted(set(re.findall(r"^[a-z0-9_]+\.guard/([a-z0-9_]+) +FAIL$", out, re.M)))


def main() -> int:
    wrong = 0
    for what, text, old, new, rule in MUTATIONS:
        failed = failed_rules(replace(text, old, new))
        ok = failed == [rule]
        wrong += not ok
        print(f"    {'ok' if ok else 'WRONG'}: {what} -> {', '.join(failed) or 'no rule fails'}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
