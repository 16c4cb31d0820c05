"""schemathesis hooks for scripts/schemathesis_setup.py (loaded through its config).

Two things the run needs that openapi.yaml cannot say:

1. **Credentials per security scheme, and a checkout API key that survives the run.**
   `Credentials` gives `brandBearer` operations the brand JWT, `influencerBearer` ones
   the influencer JWT and `apiKeyBearer` ones the API key. `before_call` keeps the run
   from revoking that key (it learns real key ids from `GET /v1/brand/api-keys`).

2. **Rejections of schema-valid input that depend on state, time or several fields at
   once.** `positive_data_acceptance` expects a schema-valid request to succeed, but
   some rules cannot be written in JSON Schema: a payout batch needs someone to pay, a
   refund cannot exceed what is left of the order, a date range has a maximum length,
   an expiry must be in the future. `ACCEPTED_REJECTIONS` lists each such answer by
   operation, problem `code` and (for `validation_failed`) field and message, and only
   a failure whose every error is listed there is dropped. Any other rejection of
   schema-valid input still fails the run. The README section "API fuzzing
   (schemathesis)" gives the same list with the reasons.
"""

from __future__ import annotations

import json
import os
import re
import uuid

import schemathesis
from schemathesis.core.failures import Failure
from schemathesis.openapi.checks import RejectedPositiveData

API_KEY_ID = os.environ["REFTRACK_FUZZ_API_KEY_ID"]

# (operationId or "*", problem code, field regex or None, message regex or None): a 4xx
# answer to a schema-valid request that is correct behaviour. Keep in step with the
# README.
ACCEPTED_REJECTIONS: list[tuple[str, str, str | None, str | None]] = [
    # Secrets: a reset code and an unsubscribe token are random or signed by the
    # server; generated ones do not exist.
    ("confirm_password_reset", "invalid_reset_token", None, None),
    # A secret: the current password is the account's; a generated one is wrong.
    ("change_my_password", "validation_failed", "current_password", "^is wrong$"),
    ("unsubscribe", "invalid_unsubscribe_token", None, None),
    ("unsubscribe_page", "invalid_unsubscribe_token", None, None),
    # State: a batch needs an approved balance at or above `min_payout`.
    ("create_payout", "nothing_to_pay", None, None),
    # State: a brand holds at most 50 live API keys (the run creates many).
    ("create_api_key", "too_many_api_keys", None, None),
    # State: a brand holds at most 20 integrations (the run creates many).
    ("create_integration", "too_many_integrations", None, None),
    # State: a brand holds at most 20 webhook endpoints (the run creates many).
    ("create_webhook", "too_many_webhook_endpoints", None, None),
    # State: refunds are bounded by what is left of the order and name its lines.
    ("refund_order", "refund_exceeds_net", None, None),
    ("refund_order", "nothing_to_refund", None, None),
    ("refund_order", "validation_failed", r"lines\[\d+\]\.sku", "^the order has no line with this sku$"),
    ("refund_order", "validation_failed", r"lines\[\d+\]\.quantity", r"^only \d+ units are left to refund$"),
    # State: a quote's currency must be the attributed program's (an order in another
    # is converted or recorded unattributed, never refused).
    ("quote", "currency_mismatch", None, None),
    # State: an invitation link names an active ambassador of a program that pays
    # recruiters; who is an ambassador of the brand already cannot join again.
    ("join_recruiter", "recruit_link_not_found", None, None),
    ("join_recruiter", "already_member", None, None),
    # Several items: a rate table names each pair once, from one currency to another.
    ("replace_fx_rates", "validation_failed", r"rates\[\d+\]\.to",
     r"^(must differ from `from`|the pair [A-Z]{3} → [A-Z]{3} is already in the table)$"),
    # State: the same Idempotency-Key with another body (generated keys repeat).
    ("record_order", "idempotency_key_reused", None, None),
    ("refund_order", "idempotency_key_reused", None, None),
    # State: a batch of at most 5,000 items has one PayPal file (`part` 1).
    ("get_payout", "validation_failed", "part", r"^must be between 1 and \d+$"),
    # Time: an expiry must be in the future, an order cannot be placed in the future.
    ("create_code", "validation_failed", "expires_at", "^must be in the future$"),
    ("update_code", "validation_failed", "expires_at", "^must be in the future$"),
    ("record_order", "validation_failed", "placed_at", "^must not be in the future$"),
    # Several parameters: `from` <= `to`, at most 366 days (`to` defaults to today).
    ("get_brand_stats", "validation_failed", "from", "^must not be after `to`$"),
    ("get_brand_stats", "validation_failed", "to", "^the range must not be longer than 366 days$"),
    ("get_dashboard", "validation_failed", "from", "^must not be after `to`$"),
    ("get_dashboard", "validation_failed", "to", "^the range must not be longer than 366 days$"),
    # Several fields: the discount is at most the subtotal; totals must fit in 64 bits.
    ("record_order", "validation_failed", "discount_total", "^must not exceed the lines' subtotal$"),
    ("record_order", "validation_failed", "lines", "^the order total is too large to represent$"),
    ("record_order", "validation_failed", "lines",
     "^the order's amounts are too large to compute a commission for$"),
    ("quote", "validation_failed", "lines", "^the order total is too large to represent$"),
    ("quote", "validation_failed", "shipping_total", "^the total is too large to represent$"),
    # Several fields: quantity × unit_price and the lines' subtotal are bounded like
    # every amount (10^12 minor units); each factor alone may be within its maximum.
    *[(op, "validation_failed", field, message) for op in ("record_order", "quote")
      for field, message in [
          (r"lines\[\d+\]\.unit_price", r"^quantity × unit_price must be at most \d+ minor units$"),
          ("lines", r"^the lines' subtotal must be at most \d+ minor units$"),
      ]],
    # Several fields: a reward's `every_amount` is at least one major unit of the
    # program's currency (1000 for a three-digit currency such as KWD).
    *[(op, "validation_failed", r"rewards\[\d+\]\.every_amount",
       r"^must be at least \d+ minor units of [A-Z]{3}$")
      for op in ("create_program", "update_program")],
    # Any text field: invisible characters above U+FFFF (the tag characters
    # U+E0000–U+E007F, …) are refused, but a pattern cannot name them: ECMA-262 matches
    # them as two UTF-16 units, Python as one code point (openapi.yaml, *Text*).
    ("*", "validation_failed", None,
     r"^must not contain invisible or text-direction characters \(found U\+[0-9A-F]{5,6}\)$"),
    # Configuration and state: team invitations go out by e-mail only (the run has no
    # mail, so none is made), one e-mail is one brand account, one pending invitation
    # per address, at most 100 seats; a brand keeps one owner (the run's only one).
    ("invite_team_member", "mail_not_configured", None, None),
    ("invite_team_member", "email_taken", None, None),
    ("invite_team_member", "invitation_pending", None, None),
    ("invite_team_member", "too_many_team_members", None, None),
    ("update_team_member", "last_owner", None, None),
    ("remove_team_member", "last_owner", None, None),
    ("revoke_team_invitation", "invitation_already_accepted", None, None),
    # Several fields: a bonus is at least 1 minor unit, an adjustment not zero; the
    # same Idempotency-Key with another body (generated keys repeat).
    ("create_adjustment", "validation_failed", "amount", r"^must be 1 to \d+ minor units$"),
    ("create_adjustment", "validation_failed", "amount",
     r"^must be a non-zero amount of minor units from -\d+ to \d+$"),
    ("create_adjustment", "idempotency_key_reused", None, None),
    # State: a review action depends on where the commission stands, and a reason is
    # required to hold and reject (optional to release: one schema for the three).
    *[(op, code, None, None)
      for op in ("hold_commission", "release_commission", "reject_commission")
      for code in ("no_commission", "commission_held", "commission_not_held", "commission_not_pending",
                   "commission_rejected", "commission_paid", "commission_in_payout", "commission_reversed",
                   "idempotency_key_reused")],
    *[(op, "validation_failed", "reason", "^is required$") for op in ("hold_commission", "reject_commission")],
    # State: a reassignment goes to another active ambassador of the order's currency,
    # and not while a pending batch holds the first commission.
    *[("reassign_order", code, None, None)
      for code in ("same_ambassador", "previously_attributed", "membership_ended", "currency_mismatch",
                   "commission_in_payout",
                   "idempotency_key_reused")],
    # Deals. State: each step depends on where the deal, its proof or its gift stands
    # (one answer per refusal), and an offer goes to an ambassador who has not left or
    # an invitation still open.
    *[(op, code, None, None)
      for op in ("create_deal", "withdraw_deal", "accept_counter", "decline_counter", "cancel_deal",
                 "ship_gift", "approve_proof", "reject_proof", "report_removed", "accept_deal",
                 "decline_deal", "counter_deal", "submit_proof")
      for code in ("offer_expired", "deal_not_open", "awaiting_brand", "no_counter_offer",
                   "ambassador_not_joined", "invitation_closed", "membership_ended", "deal_not_accepted",
                   "deliverable_complete", "proof_decided", "proof_not_approved", "keep_up_passed",
                   "fee_paid", "fee_in_payout", "proofs_waiting", "shipment_backwards", "same_fee",
                   "idempotency_key_reused")],
    # Deals. Several fields and time: exactly one of ambassador_id and invitation_id; due
    # dates from today, an offer expiry within 90 days, a proof published and a post
    # removed not in the future; text fields are measured after trimming (the spec
    # gives their lengths; a blank one is refused) and hold no control or invisible
    # characters; a post's address has no user name or password.
    ("create_deal", "validation_failed", "ambassador_id", "^name either an ambassador or an open invitation"),
    ("create_deal", "validation_failed", r"deliverables\[\d+\]\.due_on", "^must be today or later"),
    ("create_deal", "validation_failed", "expires_at", "^must be in the future and at most 90 days ahead$"),
    ("submit_proof", "validation_failed", "published_at", "^must not be in the future$"),
    ("submit_proof", "validation_failed", "url", "^must not contain a user name or password$"),
    ("report_removed", "validation_failed", "removed_at",
     "^must be after the post was published and not in the future$"),
    *[(op, "validation_failed", None, message)
      for op in ("create_deal", "ship_gift", "counter_deal")
      for message in (r"^must be \d+ to \d+ characters$", r"^must be at most \d+ characters$",
                      "^must not contain control characters",
                      r"^must not contain invisible or text-direction characters \(found U\+[0-9A-F]{4,6}\)$")],
    # A secret: the token of a team invitation is only in its e-mail.
    ("accept_team_invitation", "invitation_not_found", None, None),
    # Several items: one rule per target or SKU, tiers ascending.
    *[(op, "validation_failed", field, message) for op in ("create_program", "update_program")
      for field, message in [
          (r"rewards\[\d+\]\.sku", "^another reward rule already gives this sku$"),
          (r"commission\.overrides\[\d+\]\.(sku|category)", r"^duplicates overrides\[\d+\]$"),
          (r"commission\.tiers\[\d+\]\.from_amount",
           r"^must be greater than tiers\[\d+\]\.from_amount$"),
      ]],
    # A program preview holds the terms of create_program under `terms.` (the same
    # rules) and an example cart under `cart.` (the checkout's bounds).
    *[("preview_program", "validation_failed", field, message) for field, message in [
        (r"terms\.rewards\[\d+\]\.every_amount", r"^must be at least \d+ minor units of [A-Z]{3}$"),
        (r"terms\.rewards\[\d+\]\.sku", "^another reward rule already gives this sku$"),
        (r"terms\.commission\.overrides\[\d+\]\.(sku|category)", r"^duplicates overrides\[\d+\]$"),
        (r"terms\.commission\.tiers\[\d+\]\.from_amount",
         r"^must be greater than tiers\[\d+\]\.from_amount$"),
        (r"cart\.lines\[\d+\]\.unit_price", r"^quantity × unit_price must be at most \d+ minor units$"),
        (r"cart\.lines", r"^the lines' subtotal must be at most \d+ minor units$"),
    ]],
]


def _problem(response) -> dict | None:
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return None
    return body if isinstance(body, dict) else None


def _accepted(operation_id: str, problem: dict) -> bool:
    code = problem.get("code")
    rules = [r for r in ACCEPTED_REJECTIONS if r[0] in (operation_id, "*") and r[1] == code]
    if not rules:
        return False
    if code != "validation_failed":
        return True
    errors = problem.get("errors") or []
    return bool(errors) and all(
        any((field is None or re.fullmatch(field, str(e.get("field", ""))))
            and (message is None or re.search(message, str(e.get("message", ""))))
            for _, _, field, message in rules)
        for e in errors)


@schemathesis.hook
def filter_failure(ctx, failure: Failure, case, response) -> bool:
    """Keep every failure except a listed rejection of schema-valid input."""
    if not isinstance(failure, RejectedPositiveData):
        return True
    problem = _problem(response)
    operation_id = case.operation.definition.raw.get("operationId", "")
    return not (problem and _accepted(operation_id, problem))


class Credentials:
    """The credential each operation's security scheme asks for; none for public ones."""

    tokens = {
        "brandBearer": os.environ["REFTRACK_FUZZ_BRAND_TOKEN"],
        "influencerBearer": os.environ["REFTRACK_FUZZ_INFLUENCER_TOKEN"],
        "apiKeyBearer": os.environ["REFTRACK_FUZZ_API_KEY"],
    }

    def get(self, case, ctx):
        requirements = case.operation.definition.raw.get("security") or []
        schemes = [name for requirement in requirements for name in requirement]
        return self.tokens[schemes[0]] if schemes else None

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


# No caching layer (refresh_interval=None): the tokens are fixed, and the caching
# provider's refetch-and-retry on 401 would interfere with the `ignored_auth` check.
schemathesis.auth(refresh_interval=None)(Credentials)


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """Never revoke the API key the run authenticates the checkout with: the run learns
    real key ids from `GET /v1/brand/api-keys`, and revoking this one would turn every
    later checkout call into a 401. Its id becomes an unknown one (a 404)."""
    if (case.operation.definition.raw.get("operationId") == "revoke_api_key"
            and (case.path_parameters or {}).get("id") == API_KEY_ID):
        case.path_parameters["id"] = str(uuid.uuid4())
