#!/usr/bin/env python3
"""Tests of infra/load_model.py: its arithmetic on a funnel small enough to do by hand, that a
larger target never asks for less, and that the template takes the parameters it prints, with
its defaults at 1x (300 applications/s). Stdlib only: python3 infra/tests/test_load_model.py."""

import re
import sys
import unittest
from pathlib import Path

INFRA = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(INFRA))

import load_model  # noqa: E402
from load_model import Route, size, template_parameters  # noqa: E402


def template_defaults(path: Path) -> dict:
    """Each parameter of a CloudFormation template and its Default (None without one), read
    from the Parameters block's two-space names and four-space `Default:` lines (no YAML library)."""
    params, current, inside = {}, None, False
    for line in path.read_text().splitlines():
        if re.match(r"^\S", line):
            inside = line.startswith("Parameters:")
            continue
        if not inside:
            continue
        name = re.match(r"^  ([A-Za-z0-9]+):\s*$", line)
        if name:
            current = name.group(1)
            params[current] = None
            continue
        default = re.match(r"^    Default:\s*(.*?)\s*$", line)
        if default and current:
            params[current] = default.group(1).strip('"')
    return params


class SmallFunnel(unittest.TestCase):
    # GIVEN two routes: 2 anonymous requests of 10 ms without the table, and 1 authenticated
    # request of 100 ms reading 3 units and writing 4, with one outbox message.
    FUNNEL = (
        Route("GET /a", 2, 0, 0, 10, True, "test"),
        Route("POST /b", 1, 3, 4, 100, False, "test", messages=1),
    )

    def setUp(self):
        self.s = size(10, daily=1000, funnel=self.FUNNEL)

    def test_requests_and_stage_limits_follow_the_funnel(self):
        r = load_model.RETRY_FACTOR
        self.assertEqual(self.s.requests_per_application, 3)
        self.assertAlmostEqual(self.s.peak_rps, 10 * 3 * r)
        rate = load_model.round_up(10 * 3 * r * load_model.STAGE_HEADROOM, 100)
        self.assertEqual(self.s.stage_rate, rate)
        self.assertEqual(self.s.stage_burst, load_model.round_up(rate * load_model.BURST_SECONDS, 100))

    def test_concurrency_is_littles_law_with_headroom(self):
        r = load_model.RETRY_FACTOR
        # 10/s x 1.1 x (2 x 0.010 s + 1 x 0.100 s) = 1.32 instances in flight.
        self.assertAlmostEqual(self.s.in_flight, 10 * r * (2 * 0.010 + 0.100))
        self.assertEqual(self.s.provisioned, 2)  # ceil(1.32 x 1.5)
        self.assertEqual(self.s.reserved, 12)  # provisioned + 10 beats round_up(1.32 x 4, 10) = 10
        self.assertGreaterEqual(self.s.reserved, self.s.provisioned)

    def test_table_units_per_route_and_the_workers(self):
        routes = {name: (rps, reads, writes) for name, rps, reads, writes in self.s.per_route}
        self.assertEqual(routes["GET /a"], (20, 0, 0))
        self.assertEqual(routes["POST /b"], (10, 30, 40))
        # The worker reads each message once and writes it twice (claim, outcome).
        self.assertEqual(routes["delivery worker (outbox messages)"], (10, 10, 20))
        self.assertEqual(self.s.reads_per_second, 40)
        self.assertEqual(self.s.writes_per_second, 60)
        self.assertEqual(self.s.index_writes_per_second, 10 * load_model.INDEX_WRITES_PER_MESSAGE)
        # Below what a new table serves at once, warm throughput stays at those figures.
        self.assertEqual(self.s.warm_reads, load_model.DEFAULTS["dynamodb_warm_reads"])
        self.assertEqual(self.s.warm_writes, load_model.DEFAULTS["dynamodb_warm_writes"])

    def test_messages_follow_the_applications(self):
        self.assertEqual(self.s.sms_rate, 10 * load_model.SMS_PER_APPLICATION)
        self.assertEqual(self.s.mail_rate, 10 * load_model.MAIL_PER_APPLICATION)

    def test_quotas_say_raise_only_above_the_default(self):
        lambda_line = next(q for q in self.s.quotas if "Lambda concurrent" in q)
        self.assertTrue(lambda_line.startswith("ok"), lambda_line)
        ses_line = next(q for q in self.s.quotas if "SES sending rate" in q)
        self.assertTrue(ses_line.startswith("RAISE"), ses_line)  # 30 e-mails/s > 14

    def test_a_target_of_nothing_is_refused(self):
        with self.assertRaises(ValueError):
            size(0)


class Monotonic(unittest.TestCase):
    def test_ten_times_the_target_never_asks_for_less(self):
        for target in (1, 30, 300):
            low, high = size(target), size(target * 10)
            for name, value in template_parameters(low).items():
                self.assertGreaterEqual(template_parameters(high)[name], value, f"{name} at {target}/s x10")
            for field in ("peak_rps", "in_flight", "reads_per_second", "writes_per_second", "sms_rate", "mail_rate"):
                self.assertGreater(getattr(high, field), getattr(low, field), field)
            low_cost = sum(c for _, c in low.cost_per_million)
            self.assertGreater(low_cost, 0)

    def test_the_warm_pool_fits_under_the_cap(self):
        # Lambda refuses provisioned concurrency above the function's reserved concurrency.
        for target in (0.5, 3, 30, 300, 3000, 30000):
            s = size(target)
            self.assertLessEqual(s.provisioned, s.reserved, f"at {target}/s")

    def test_ten_times_2020_needs_the_quotas_raised(self):
        raised = " ".join(q for q in size(3000).quotas if q.startswith("RAISE"))
        for quota in ("Lambda concurrent executions", "API Gateway account throttle rate",
                      "DynamoDB per-table", "SES sending rate", "SNS SMS throughput"):
            self.assertIn(quota, raised)


class Template(unittest.TestCase):
    def setUp(self):
        self.params = template_defaults(INFRA / "template.yaml")

    def test_the_template_takes_every_parameter_the_model_prints(self):
        for name in template_parameters(size(300)):
            self.assertIn(name, self.params, f"infra/template.yaml has no parameter {name}")

    def test_the_defaults_are_the_model_at_1x(self):
        for name, value in template_parameters(size(300)).items():
            self.assertEqual(self.params[name], str(value),
                             f"{name}: template default {self.params[name]}, model at 300/s {value}")

    def test_the_api_function_outlasts_the_sdk_timeouts(self):
        # The SDK's operation timeout is 5 s (the Rust side): the function's Timeout stays >= 10 s,
        # so a slow DynamoDB answers 503 rather than the invocation timing out.
        text = (INFRA / "template.yaml").read_text()
        api = text[text.index("  ApiFunction:\n"):text.index("  # ------", text.index("  ApiFunction:\n"))]
        timeout = int(re.search(r"^      Timeout: (\d+)$", api, re.M).group(1))
        self.assertGreaterEqual(timeout, 10)

    def test_the_reader_sees_a_known_parameter(self):
        # The parameter reader itself: a name and default that exist, and one that does not.
        self.assertEqual(self.params["LogRetentionDays"], "90")
        self.assertNotIn("NoSuchParameter", self.params)


class Printed(unittest.TestCase):
    def test_the_table_names_the_parameters_and_the_prices(self):
        text = load_model.render(size(300))
        for needle in ("ApiThrottleRateLimit", "ApiReservedConcurrency", "ProvisionedConcurrencyPeak",
                       "TableWarmWriteUnitsPerSecond", "SMS/s", "eu-west-1", "total"):
            self.assertIn(needle, text)
        self.assertIn("| figure | value |", load_model.render(size(300), markdown=True))


if __name__ == "__main__":
    unittest.main(verbosity=1)
