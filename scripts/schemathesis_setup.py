#!/usr/bin/env python3
"""Fuzz the served API against openapi.yaml with schemathesis.

Starts `reftrack serve` on a fresh SQLite database in a temporary directory, sets it up
through the API (`seed`: a brand and its owner, an API key, a program, an influencer
who is an ambassador, approved orders, rewards and a payout batch), then runs
`schemathesis run` once with every check and every phase. Credentials follow each
operation's security scheme (see `schemathesis_hooks.py`). Exits with schemathesis'
exit code.

Run it through `scripts/schemathesis.sh`, which provides the pinned schemathesis.
Arguments are passed on to `schemathesis run` (for example `--seed 42`);
`REFTRACK_FUZZ_MAX_EXAMPLES` (default 100) bounds the cases per operation. Why
anything is left out is written in the README section "API fuzzing (schemathesis)".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import REPO_ROOT, Api, run_cli, setup, start_server  # noqa: E402

SPEC = os.path.join(REPO_ROOT, "openapi.yaml")
HOOKS = os.path.join(REPO_ROOT, "scripts", "schemathesis_hooks.py")

CONFIG = """\
# Written by scripts/schemathesis_setup.py for one run.
color = false
# One worker: CPython 3.11's ast.parse is not thread-safe (gh-106905), and hypothesis
# calls it while describing strategies, which fails runs with several workers.
workers = 1
continue-on-failure = true
# Credentials per security scheme come from `Credentials` in the hooks (an
# [auth.openapi] table here would switch the hooks' auth off).
hooks = "{hooks}"

[generation]
max-examples = {max_examples}
database = "none"

# A schema-violating body can also be too large: the server refuses a body over its
# limit with 413 before reading it, a rejection like the others listed (schemathesis's
# defaults plus 413).
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
"""


def seed(base_url: str, db_url: str) -> tuple[dict, dict[str, list[str]]]:
    """The fixture's brand, API key, program and ambassador, plus three orders whose
    commissions are approved, the rewards they earned (one claimed) and a payout batch.

    Returns the fixture's data and, per kind of parameter, real values for the run to
    use half of the time (the other half stays generated)."""
    data = setup(base_url, hold_days=0,
                 rewards=[{"every_orders": 1, "sku": "FREE-BAG", "description": "A free bag"}])
    api = Api(base_url)
    brand, influencer = data["brand_token"], data["influencer_token"]
    shop_order_ids = [f"fuzz-{n}" for n in (1, 2, 3)]
    for order_id in shop_order_ids:
        api.expect(201, "POST", "/v1/checkout/orders", {
            "order_id": order_id, "code": data["code"], "currency": data["currency"],
            "discount_total": 0, "lines": [{"sku": "BEANS", "quantity": 2, "unit_price": 2500}],
        }, token=data["api_key"])
    matured = run_cli(db_url, "jobs", "run-once")
    if matured.returncode != 0:
        raise RuntimeError(f"reftrack jobs run-once failed: {matured.stderr}")
    payout = api.expect(201, "POST", "/v1/brand/payouts", {"currency": data["currency"]}, token=brand)
    rewards = api.expect(200, "GET", "/v1/me/rewards", token=influencer)["items"]
    api.expect(200, "POST", f"/v1/me/rewards/{rewards[0]['id']}/claim",
               {"shipping_name": "Ana Brews", "shipping_address": "1 Main Street\nSpringfield"},
               token=influencer)
    orders = api.expect(200, "GET", "/v1/brand/orders", token=brand)["items"]
    real = {
        "payout": [payout["id"]],
        "reward": [r["id"] for r in rewards],
        "shop_order": shop_order_ids,
        "order": [o["id"] for o in orders],
        "program": [data["program_id"]],
        "membership": [data["membership_id"]],
        "code_id": [data["code_id"]],
        "code": [data["code"]],
        "slug": [data["brand_slug"]],
        "email": [data["owner_email"], data["influencer_email"]],
        "password": [data["owner_password"], data["influencer_password"]],
        "refresh_token": [data["brand_refresh_token"], data["influencer_refresh_token"]],
    }
    return data, real


# Which parameters of which operations draw from which list of real values.
REAL_VALUES = [
    (["get_payout", "mark_payout_paid", "cancel_payout"], "path.id", "payout"),
    (["claim_reward", "fulfil_reward"], "path.id", "reward"),
    (["refund_order", "cancel_order"], "path.order_id", "shop_order"),
    (["get_brand_order", "get_my_order"], "path.id", "order"),
    (["get_program", "update_program", "list_program_versions"], "path.id", "program"),
    (["get_ambassador", "update_ambassador", "create_code", "list_codes"], "path.id", "membership"),
    (["update_code"], "path.id", "code_id"),
    (["check_code", "follow_link"], "path.code", "code"),
    (["follow_link"], "path.brand_slug", "slug"),
    (["login"], "body.email", "email"),
    (["login"], "body.password", "password"),
    (["refresh", "logout"], "body.refresh_token", "refresh_token"),
]


def real_values_config(real: dict[str, list[str]]) -> str:
    """TOML: a dictionary per kind of value, bound to the parameters that take it."""
    out = []
    for name, values in real.items():
        out.append(f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n")
    by_operation: dict[str, dict[str, str]] = {}
    for operations, parameter, name in REAL_VALUES:
        for operation in operations:
            by_operation.setdefault(operation, {})[parameter] = name
    for operation, parameters in by_operation.items():
        bindings = ", ".join(f'"{p}" = {{ dictionary = "{n}", probability = 0.5 }}'
                             for p, n in parameters.items())
        out.append(f'[[operations]]\ninclude-operation-id = "{operation}"\n'
                   f"parameters = {{ {bindings} }}\n")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    schemathesis = shutil.which("schemathesis")
    if schemathesis is None:
        print("schemathesis is not on PATH; run scripts/schemathesis.sh", file=sys.stderr)
        return 2
    max_examples = os.environ.get("REFTRACK_FUZZ_MAX_EXAMPLES", "100")
    with tempfile.TemporaryDirectory(prefix="reftrack-fuzz-") as tmp:
        db_url = os.path.join(tmp, "fuzz.db")
        server = start_server(db_url, log_path=os.path.join(tmp, "server.log"))
        try:
            data, real = seed(server.base_url, db_url)
            config = os.path.join(tmp, "schemathesis.toml")
            with open(config, "w", encoding="utf-8") as f:
                f.write(CONFIG.format(hooks=HOOKS, max_examples=max_examples))
                f.write("\n" + real_values_config(real))
            env = dict(os.environ)
            env["REFTRACK_FUZZ_BRAND_TOKEN"] = data["brand_token"]
            env["REFTRACK_FUZZ_INFLUENCER_TOKEN"] = data["influencer_token"]
            env["REFTRACK_FUZZ_API_KEY"] = data["api_key"]
            env["REFTRACK_FUZZ_API_KEY_ID"] = data["api_key_id"]
            cmd = [schemathesis, "--config-file", config, "run", SPEC,
                   "--url", server.base_url, "--checks", "all",
                   *argv]
            started = time.monotonic()
            code = subprocess.run(cmd, env=env, cwd=tmp).returncode
            print(f"schemathesis finished in {time.monotonic() - started:.0f}s with exit code {code}")
            if not server.alive():
                print("reftrack serve died during the run; its log:\n" + server.log_tail(),
                      file=sys.stderr)
                return code or 1
            return code
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
