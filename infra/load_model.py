#!/usr/bin/env python3
"""Sportello's click-day load model: from the funnel and a target, the parameters to deploy with.

The funnel is what one citizen's browser asks of the API between the start page and "Le mie
domande" (the SPA's real flow, each number sourced below), with the DynamoDB units and the
function time each request costs. Given a target in applications per second at the peak, it
prints the HTTP API stage's rate and burst, the API function's reserved and provisioned
concurrency, the table's warm throughput, the e-mail and SMS rates, the account quotas to raise,
and a rough cost per million applications. infra/template.yaml's defaults are this model at 1x
(300 applications/s, 1 April 2020): infra/tests/test_load_model.py checks that they agree.

Usage: python3 infra/load_model.py [--target 300] [--daily 473000] [--markdown]
Stdlib only (it runs in scripts/check-infra.sh before any tool is installed).
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    """One kind of request, and what one citizen's flow makes of it."""

    name: str
    per_citizen: float  # requests per application
    read_units: float  # DynamoDB read request units per request (strongly consistent, items < 4 KB)
    write_units: float  # DynamoDB write request units per request on the table (transactional items count 2)
    ms: float  # the function's mean billed duration for it, warm, arm64 512 MB (an ASSUMPTION, see below)
    anonymous: bool  # reached without a session cookie (the WAF's per-IP Challenge rule covers it)
    source: str  # where per_citizen comes from
    messages: int = 0  # outbox messages the request writes (each later read, claimed and finished by the worker)


# Per-request durations are ASSUMPTIONS until measured on AWS (the Rust side's init bench and a
# staging rehearsal replace them): ~3 ms for a route that touches no table, ~15 ms p50 warm for
# one that makes one to three DynamoDB calls of a few ms each, ~30 ms for the two that run a
# transaction. DynamoDB units are counted by hand from api/src/store/dynamodb/*.rs at commit
# f7c64d7, which wrote the session's expiry on every authenticated request (now at most once a
# minute, and never on a Conferma: an over-count, on the safe side). The counting proxy in front of moto measures the Conferma's: session read, protocol
# counter, one transaction (api/tests/dynamodb_faults.rs; ADR 0021, addendum).
FUNNEL: tuple[Route, ...] = (
    Route("GET /api/auth/providers", 1, 0, 0, 3, True,
          "start page: ServiceInfo (frontend/src/components/service_info.rs, pages/home.rs)"),
    Route("POST /api/pin-requests/steps/{step}", 4, 0, 0, 3, True,
          "Avanti on the 4 PIN-request pages (pages/pin_step.rs; e2e/tests/request_pin.spec.ts steps 1-4)"),
    Route("POST /api/pin-requests", 1, 1, 14, 30, True,
          "Conferma of the PIN request (pages/pin_summary.rs; click_day.rs 'pin request'): attempt "
          "reservation (a transaction of 2 claims, 4), the request and 4 messages in one transaction (10)",
          messages=4),
    Route("GET /api/auth/login-options", 1, 0, 0, 3, True,
          "the login page (pages/login.rs OTHER_WAYS_PATH)"),
    Route("POST /api/session", 1, 2, 2, 15, True,
          "PIN login (pages/login.rs; click_day.rs 'login'): PIN request and attempts read, session put"),
    Route("GET /api/session", 1, 1, 1, 10, False,
          "the area's load (application_draft.rs load_from_api: session::current)"),
    Route("GET /api/application", 1, 3, 1, 15, False,
          "the application page (application_draft.rs STATE_PATH; click_day.rs 'application')"),
    Route("POST /api/application/steps/{slug}", 4, 2, 3, 15, False,
          "Avanti x4 (pages/application_step.rs save_step; click_day.rs STEPS; application.spec.ts)"),
    Route("PUT /api/application/draft", 1, 1, 3, 15, False,
          "draft save on an Avanti with errors (application_step.rs save_draft): one per citizen, assumed"),
    Route("POST /api/application/submit", 1, 2, 14, 30, False,
          "Conferma (application_draft.rs SUBMIT_PATH; click_day.rs 'submit'): session (1), protocol "
          "counter (1), application 2 KB + protocol + draft delete + 2 messages in one transaction (12)",
          messages=2),
    Route("GET /api/applications", 1, 2, 1, 15, False,
          "'Le mie domande' (click_day.rs 'my applications')"),
    Route("POST /api/session/extend", 0.2, 1, 1, 10, False,
          "'Resta collegato' two minutes before the timeout (components/session_timeout.rs): one in five, assumed"),
)

# The delivery worker's own table work (not API requests): per message, the read, the claim and
# the outcome (api/src/store/dynamodb/outbox.rs). Messages: the PIN's SMS, e-mail, PEC and letter;
# the receipt's e-mail and SMS (the `messages` of the routes above).
DELIVERY_READ_UNITS_PER_MESSAGE = 1
DELIVERY_WRITE_UNITS_PER_MESSAGE = 2
# Both indexes hold message items with every attribute (gsi1: the outbox by citizen; gsi2: the
# due index, sparse): each of the message's three writes (insert, claim, outcome) rewrites its copy
# in each index, and an index has its own throughput (and its own warm throughput).
INDEX_WRITES_PER_MESSAGE = 3

# What leaves per application (docs/adr/0011, 0016): the PIN's first half by SMS, e-mail and PEC;
# the receipt by e-mail and SMS. E-mail and PEC both go through SES's SMTP interface.
SMS_PER_APPLICATION = 1 + 1
MAIL_PER_APPLICATION = 2 + 1

# Headroom, each argued:
RETRY_FACTOR = 1.1  # the SPA retries 429/503 with jitter (frontend/src/api_client.rs): ~10 % more requests at the top
STAGE_HEADROOM = 1.25  # the stage throttles above the peak by a quarter: it protects, it must not be the bottleneck
BURST_SECONDS = 2.0  # the burst bucket holds two seconds of the stage rate (everyone presses Invio at 16:00:00)
PROVISIONED_HEADROOM = 1.5  # warm instances over the mean in flight (Little's law): the minute's top is above its mean
RESERVED_HEADROOM = 4.0  # the cap: cold starts (~200 ms) and a slow DynamoDB minute multiply the instances in flight
TABLE_HEADROOM = 1.5  # warm throughput over the mean units per second: on-demand then doubles on its own from there
UNRESERVED_MINIMUM = 100  # Lambda keeps 100 of the account's concurrency unreserved
# The delivery worker's per-instance rates (template parameters SmsPerSecondPerWorker and
# MailPerSecondPerWorker, their defaults): its DeliveryConcurrency must reach the message rates.
SMS_PER_SECOND_PER_WORKER = 5
MAIL_PER_SECOND_PER_WORKER = 3

# AWS defaults a new account has (the quota to raise when a figure exceeds them).
DEFAULTS = {
    "lambda_concurrency": 1000,
    "apigw_account_rate": 10000,
    "apigw_account_burst": 5000,
    "dynamodb_table_units": 40000,  # per-table on-demand maximum, reads and writes each
    "dynamodb_warm_reads": 12000,  # what a new on-demand table serves at once
    "dynamodb_warm_writes": 4000,
    "ses_rate": 14,  # messages/s once out of the sandbox
    "ses_daily": 50000,
    "sms_rate": 20,  # SNS transactional SMS, messages/s
    "sms_monthly_spend_usd": 1,
}

# Unit prices, eu-west-1 (Ireland), USD, on-demand, no free tier, as AWS's pricing pages gave them
# when last read (2025); not re-checked on 2026-12-02 (no internet on this machine): confirm in the
# AWS Pricing Calculator before quoting. eu-south-1 (Milan) is a few per cent higher on most lines.
PRICES = {
    "date": "2025 list prices (not re-checked 2026-12-02)",
    "region": "eu-west-1",
    "http_api_per_million": 1.11,
    "lambda_requests_per_million": 0.20,
    "lambda_arm_gb_second": 0.0000133334,
    "lambda_arm_provisioned_gb_second": 0.0000033334,  # kept warm, per GB-s whether used or not
    "dynamodb_wru_per_million": 0.7068,
    "dynamodb_rru_per_million": 0.1414,
    "ses_per_thousand": 0.10,
    "sms_italy_each": 0.085,  # SNS transactional SMS to Italy, approximate: the per-country table moves
    "waf_per_million": 0.60,
    "cloudfront_https_per_10k": 0.012,
}
MEMORY_GB = 0.5  # FunctionMemoryMb 512
WARM_HOURS_PER_DAY = 4  # ProvisionedConcurrencyPeak is held from 15:40 to 19:40 Rome (template.yaml)


@dataclass(frozen=True)
class Sizing:
    """The model's answer for one target."""

    target: float
    daily: int
    requests_per_application: float
    peak_rps: float
    stage_rate: int
    stage_burst: int
    in_flight: float
    provisioned: int
    reserved: int
    per_route: tuple[tuple[str, float, float, float], ...]  # name, requests/s, reads/s, writes/s
    reads_per_second: float
    writes_per_second: float
    warm_reads: int
    warm_writes: int
    index_writes_per_second: float  # in each of gsi1 and gsi2
    index_warm_writes: int
    sms_rate: float
    mail_rate: float
    delivery_concurrency: int
    quotas: tuple[str, ...]
    cost_per_million: tuple[tuple[str, float], ...]


def round_up(value: float, step: int) -> int:
    """The next multiple of `step` at or above `value` (figures people type into a console)."""
    return int(math.ceil(value / step - 1e-9)) * step


def size(target: float, daily: int = 473_000, funnel: tuple[Route, ...] = FUNNEL) -> Sizing:
    """Sizes the service for `target` applications per second at the peak, `daily` in the day."""
    if target <= 0:
        raise ValueError("the target must be a positive number of applications per second")
    requests = sum(r.per_citizen for r in funnel)
    peak_rps = target * requests * RETRY_FACTOR
    stage_rate = round_up(peak_rps * STAGE_HEADROOM, 100)
    stage_burst = round_up(stage_rate * BURST_SECONDS, 100)
    # Little's law: instances in flight = arrivals per second x seconds each.
    in_flight = sum(target * RETRY_FACTOR * r.per_citizen * r.ms / 1000 for r in funnel)
    provisioned = max(1, math.ceil(in_flight * PROVISIONED_HEADROOM))
    reserved = max(provisioned + 10, round_up(in_flight * RESERVED_HEADROOM, 10))
    per_route = tuple(
        (r.name, target * r.per_citizen, target * r.per_citizen * r.read_units,
         target * r.per_citizen * r.write_units)
        for r in funnel
    )
    delivery_messages = sum(r.per_citizen * r.messages for r in funnel)
    delivery_reads = target * delivery_messages * DELIVERY_READ_UNITS_PER_MESSAGE
    delivery_writes = target * delivery_messages * DELIVERY_WRITE_UNITS_PER_MESSAGE
    per_route += (("delivery worker (outbox messages)", target * delivery_messages,
                   delivery_reads, delivery_writes),)
    reads = sum(p[2] for p in per_route)
    writes = sum(p[3] for p in per_route)
    warm_reads = max(DEFAULTS["dynamodb_warm_reads"], round_up(reads * TABLE_HEADROOM, 1000))
    warm_writes = max(DEFAULTS["dynamodb_warm_writes"], round_up(writes * TABLE_HEADROOM, 1000))
    index_writes = target * delivery_messages * INDEX_WRITES_PER_MESSAGE
    index_warm_writes = max(DEFAULTS["dynamodb_warm_writes"], round_up(index_writes * TABLE_HEADROOM, 1000))
    sms_rate = target * SMS_PER_APPLICATION
    mail_rate = target * MAIL_PER_APPLICATION
    delivery_concurrency = max(math.ceil(sms_rate / SMS_PER_SECOND_PER_WORKER),
                               math.ceil(mail_rate / MAIL_PER_SECOND_PER_WORKER), 2)

    quotas = []

    def quota(name: str, default: float, needed: float, unit: str, step: int, why: str = "") -> None:
        if needed > default:
            quotas.append(f"RAISE {name}: {default:,.0f} -> {round_up(needed * 1.2, step):,}{unit}{why}")
        else:
            quotas.append(f"ok    {name}: the default {default:,.0f}{unit} covers {needed:,.0f}{why}")

    quota("Lambda concurrent executions (account, region)", DEFAULTS["lambda_concurrency"],
          reserved + delivery_concurrency + UNRESERVED_MINIMUM, "", 1000,
          f" (API {reserved:,} + delivery {delivery_concurrency:,} + {UNRESERVED_MINIMUM} unreserved)")
    quota("API Gateway account throttle rate", DEFAULTS["apigw_account_rate"], stage_rate, " requests/s", 1000)
    quota("API Gateway account throttle burst", DEFAULTS["apigw_account_burst"], stage_burst, " requests", 1000)
    quota("DynamoDB per-table on-demand maximum", DEFAULTS["dynamodb_table_units"],
          max(warm_reads, warm_writes), " units/s", 10000, " (reads and writes each; warm throughput cannot exceed it)")
    quota("SES sending rate", DEFAULTS["ses_rate"], mail_rate, " messages/s", 10)
    quota("SES daily sending quota", DEFAULTS["ses_daily"], daily * MAIL_PER_APPLICATION, " messages/day", 100000)
    quota("SNS SMS throughput (End User Messaging SMS, Italy)", DEFAULTS["sms_rate"], sms_rate, " SMS/s", 10)
    sms_spend = daily * SMS_PER_APPLICATION * PRICES["sms_italy_each"] * 3
    quota("SNS SMS monthly spend limit", DEFAULTS["sms_monthly_spend_usd"], sms_spend, " USD", 1000,
          " (three days like this one in a month)")

    cost = cost_per_million(requests * RETRY_FACTOR, funnel, delivery_messages, provisioned, daily)
    return Sizing(target, daily, requests, peak_rps, stage_rate, stage_burst, in_flight,
                  provisioned, reserved, per_route, reads, writes, warm_reads, warm_writes,
                  index_writes, index_warm_writes, sms_rate, mail_rate, delivery_concurrency,
                  tuple(quotas), cost)


def cost_per_million(requests: float, funnel: tuple[Route, ...], delivery_messages: float,
                     provisioned: int, daily: int) -> tuple[tuple[str, float], ...]:
    """USD for one million applications at PRICES, item by item."""
    m = 1_000_000
    api_requests = requests * m
    gb_s = sum(r.per_citizen * RETRY_FACTOR * r.ms / 1000 for r in funnel) * MEMORY_GB * m
    reads = (sum(r.per_citizen * r.read_units for r in funnel)
             + delivery_messages * DELIVERY_READ_UNITS_PER_MESSAGE) * m
    writes = (sum(r.per_citizen * r.write_units for r in funnel)
              + delivery_messages * (DELIVERY_WRITE_UNITS_PER_MESSAGE + 2 * INDEX_WRITES_PER_MESSAGE)) * m
    # Provisioned concurrency is paid for the warm window of the day (WARM_HOURS_PER_DAY at the
    # peak's level), shared by that day's applications.
    warm_gb_s = provisioned * MEMORY_GB * WARM_HOURS_PER_DAY * 3600 * m / daily
    items = (
        ("HTTP API requests", api_requests / m * PRICES["http_api_per_million"]),
        ("Lambda requests", api_requests / m * PRICES["lambda_requests_per_million"]),
        ("Lambda duration (arm64, 512 MB)", gb_s * PRICES["lambda_arm_gb_second"]),
        ("Lambda provisioned concurrency (warm hours)", warm_gb_s * PRICES["lambda_arm_provisioned_gb_second"]),
        ("DynamoDB writes (on demand, index copies included)", writes / m * PRICES["dynamodb_wru_per_million"]),
        ("DynamoDB reads (on demand)", reads / m * PRICES["dynamodb_rru_per_million"]),
        ("WAF requests", api_requests / m * PRICES["waf_per_million"]),
        ("CloudFront HTTPS requests (API only)", api_requests / 10_000 * PRICES["cloudfront_https_per_10k"]),
        ("SES e-mail and PEC", MAIL_PER_APPLICATION * m / 1000 * PRICES["ses_per_thousand"]),
        ("SMS to Italy (PIN and receipt)", SMS_PER_APPLICATION * m * PRICES["sms_italy_each"]),
    )
    return items


def render(s: Sizing, markdown: bool = False) -> str:
    """The figures, as a table a person reads (markdown for infra/README.md)."""
    out = []
    title = f"{s.target:,.0f} applications/s at the peak, {s.daily:,} in the day"
    out.append(f"### {title}" if markdown else f"== {title}")
    rows = [
        ("API requests per application", f"{s.requests_per_application:g} (x{RETRY_FACTOR} retries)"),
        ("API requests/s at the peak", f"{s.peak_rps:,.0f}"),
        ("ApiThrottleRateLimit / ApiThrottleBurstLimit", f"{s.stage_rate:,} / {s.stage_burst:,}"),
        ("function instances in flight (mean)", f"{s.in_flight:,.1f}"),
        ("ProvisionedConcurrencyPeak (alias live)", f"{s.provisioned:,}"),
        ("ApiReservedConcurrency", f"{s.reserved:,}"),
        ("table reads/s, writes/s (mean at the peak)", f"{s.reads_per_second:,.0f} / {s.writes_per_second:,.0f}"),
        ("TableWarmReadUnitsPerSecond / TableWarmWriteUnitsPerSecond", f"{s.warm_reads:,} / {s.warm_writes:,}"),
        ("writes/s in each index (gsi1, gsi2)", f"{s.index_writes_per_second:,.0f}"),
        ("IndexWarmWriteUnitsPerSecond", f"{s.index_warm_writes:,}"),
        ("SMS/s (PIN + receipt)", f"{s.sms_rate:,.0f}"),
        ("e-mail+PEC/s through SES (PIN e-mail, PIN PEC, receipt)", f"{s.mail_rate:,.0f}"),
        ("DeliveryConcurrency to keep up (5 SMS/s, 3 e-mails/s a worker)", f"{s.delivery_concurrency:,}"),
    ]
    if markdown:
        out += ["", "| figure | value |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in rows]
    else:
        width = max(len(k) for k, _ in rows)
        out += [f"  {k:<{width}}  {v}" for k, v in rows]
    out.append("")
    out.append("Per route (requests/s, table read and write units/s):" if not markdown
               else "| route | requests/s | reads/s | writes/s |\n|---|---:|---:|---:|")
    for name, rps, reads, writes in s.per_route:
        if markdown:
            out.append(f"| `{name}` | {rps:,.0f} | {reads:,.0f} | {writes:,.0f} |")
        else:
            out.append(f"  {name:<40} {rps:>9,.0f} {reads:>9,.0f} {writes:>9,.0f}")
    out.append("")
    out.append("Account quotas (RAISE: a Service Quotas request or support case, weeks before the day):")
    out += [f"- {q}" for q in s.quotas]
    out.append("")
    total = sum(c for _, c in s.cost_per_million)
    core = sum(c for k, c in s.cost_per_million if not k.startswith(("SES", "SMS")))
    out.append(f"Cost per million applications ({PRICES['region']}, {PRICES['date']}, USD):")
    if markdown:
        out += ["", "| item | USD |", "|---|---:|"]
        out += [f"| {k} | {v:,.2f} |" for k, v in s.cost_per_million]
        out.append(f"| API, compute and data (without e-mail and SMS) | {core:,.2f} |")
        out.append(f"| **total** | **{total:,.2f}** |")
    else:
        out += [f"  {k:<52} {v:>11,.2f}" for k, v in s.cost_per_million]
        out.append(f"  {'API, compute and data (without e-mail and SMS)':<52} {core:>11,.2f}")
        out.append(f"  {'total':<52} {total:>11,.2f}")
    return "\n".join(out)


def template_parameters(s: Sizing) -> dict[str, int]:
    """The infra/template.yaml parameters this model sets, by name."""
    return {
        "ApiThrottleRateLimit": s.stage_rate,
        "ApiThrottleBurstLimit": s.stage_burst,
        "ApiReservedConcurrency": s.reserved,
        "ProvisionedConcurrencyPeak": s.provisioned,
        "TableWarmReadUnitsPerSecond": s.warm_reads,
        "TableWarmWriteUnitsPerSecond": s.warm_writes,
        "IndexWarmWriteUnitsPerSecond": s.index_warm_writes,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=300, help="applications/s at the peak (300: 1 April 2020)")
    parser.add_argument("--daily", type=int, default=None, help="applications in the day (default: 473,000 x target/300)")
    parser.add_argument("--markdown", action="store_true", help="markdown tables, as in infra/README.md")
    args = parser.parse_args(argv)
    daily = args.daily if args.daily is not None else round(473_000 * args.target / 300)
    s = size(args.target, daily)
    print(render(s, args.markdown))
    print()
    print("sam deploy --parameter-overrides " + " ".join(f"{k}={v}" for k, v in template_parameters(s).items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
