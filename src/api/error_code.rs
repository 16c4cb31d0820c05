//! Every machine-readable `code` an answer can carry, in one list: a handler names a
//! variant, never a string, and a test checks each one is documented in openapi.yaml.

macro_rules! error_codes {
    ($($variant:ident = $text:literal,)*) => {
        /// The stable `code` of a problem+json answer (`urn:reftrack:problem:<code>`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// Every code, for the documentation check.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                }
            }
        }
    };
}

error_codes! {
    AccountNotFound = "account_not_found",
    AlreadyMember = "already_member",
    AlreadyRefunded = "already_refunded",
    AmbassadorNotFound = "ambassador_not_found",
    AmbiguousFraming = "ambiguous_framing",
    ApiKeyNotFound = "api_key_not_found",
    BrandNotFound = "brand_not_found",
    CodeNotFound = "code_not_found",
    CodeTaken = "code_taken",
    CommissionNotPending = "commission_not_pending",
    CommissionHeld = "commission_held",
    CommissionNotHeld = "commission_not_held",
    CommissionRejected = "commission_rejected",
    CommissionPaid = "commission_paid",
    CommissionInPayout = "commission_in_payout",
    CommissionReversed = "commission_reversed",
    Conflict = "conflict",
    CurrencyLocked = "currency_locked",
    CurrencyMismatch = "currency_mismatch",
    DeliveryNotFound = "delivery_not_found",
    DatabaseUnavailable = "database_unavailable",
    EmailTaken = "email_taken",
    EventBodyPruned = "event_body_pruned",
    EventNotFound = "event_not_found",
    ForbiddenRole = "forbidden_role",
    IdempotencyKeyReused = "idempotency_key_reused",
    IntegrationNotFound = "integration_not_found",
    InternalError = "internal_error",
    InvalidApiKey = "invalid_api_key",
    InvalidCredentials = "invalid_credentials",
    InvalidRefreshToken = "invalid_refresh_token",
    InvalidResetToken = "invalid_reset_token",
    InvalidSignature = "invalid_signature",
    InvalidToken = "invalid_token",
    InvalidUnsubscribeToken = "invalid_unsubscribe_token",
    InvitationAlreadyAccepted = "invitation_already_accepted",
    InvitationAlreadyExpired = "invitation_already_expired",
    InvitationDeclined = "invitation_declined",
    InvitationEmailMismatch = "invitation_email_mismatch",
    InvitationExpired = "invitation_expired",
    InvitationNotFound = "invitation_not_found",
    InvitationPending = "invitation_pending",
    InvitationRevoked = "invitation_revoked",
    InvitationUsed = "invitation_used",
    LastOwner = "last_owner",
    MailNotConfigured = "mail_not_configured",
    MalformedJson = "malformed_json",
    MembershipEnded = "membership_ended",
    MethodNotAllowed = "method_not_allowed",
    NoCommission = "no_commission",
    NotFound = "not_found",
    NothingToPay = "nothing_to_pay",
    NothingToRefund = "nothing_to_refund",
    OrderExists = "order_exists",
    OrderNotFound = "order_not_found",
    PayloadTooLarge = "payload_too_large",
    PayoutCancelled = "payout_cancelled",
    PayoutNotFound = "payout_not_found",
    PayoutNotPending = "payout_not_pending",
    PaypalPartsRequired = "paypal_parts_required",
    PreviouslyAttributed = "previously_attributed",
    ProgramNotFound = "program_not_found",
    RateLimited = "rate_limited",
    RecruitLinkNotFound = "recruit_link_not_found",
    RefreshTokenReused = "refresh_token_reused",
    RefundExceedsNet = "refund_exceeds_net",
    RequestTimeout = "request_timeout",
    RewardNotClaimable = "reward_not_claimable",
    RewardNotFound = "reward_not_found",
    RewardNotFulfillable = "reward_not_fulfillable",
    RouteNotFound = "route_not_found",
    SameAmbassador = "same_ambassador",
    SlugTaken = "slug_taken",
    TeamMemberNotFound = "team_member_not_found",
    TokenExpired = "token_expired",
    TooManyApiKeys = "too_many_api_keys",
    TooManyCodes = "too_many_codes",
    TooManyIntegrations = "too_many_integrations",
    TooManyTeamMembers = "too_many_team_members",
    TooManyWebhookEndpoints = "too_many_webhook_endpoints",
    Unauthenticated = "unauthenticated",
    UnsupportedMediaType = "unsupported_media_type",
    ValidationFailed = "validation_failed",
    WebhookEndpointNotFound = "webhook_endpoint_not_found",
    WriteConflict = "write_conflict",
    WrongCredential = "wrong_credential",
    DealNotFound = "deal_not_found",
    DeliverableNotFound = "deliverable_not_found",
    ProofNotFound = "proof_not_found",
    GiftNotFound = "gift_not_found",
    OfferExpired = "offer_expired",
    DealNotOpen = "deal_not_open",
    AwaitingBrand = "awaiting_brand",
    NoCounterOffer = "no_counter_offer",
    AmbassadorNotJoined = "ambassador_not_joined",
    InvitationClosed = "invitation_closed",
    DealNotAccepted = "deal_not_accepted",
    DeliverableComplete = "deliverable_complete",
    ProofDecided = "proof_decided",
    ProofNotApproved = "proof_not_approved",
    KeepUpPassed = "keep_up_passed",
    FeePaid = "fee_paid",
    FeeInPayout = "fee_in_payout",
    ProofsWaiting = "proofs_waiting",
    ShipmentBackwards = "shipment_backwards",
    SameFee = "same_fee",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    /// openapi.yaml is the contract: a code the server can answer must be in it.
    #[test]
    fn every_code_is_documented_in_openapi() {
        let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
            .unwrap_or_else(|e| panic!("openapi.yaml: {e}"));
        let missing: Vec<&str> = ErrorCode::ALL
            .iter()
            .map(|code| code.as_str())
            .filter(|code| !spec.contains(code))
            .collect();
        assert!(missing.is_empty(), "codes not in openapi.yaml: {missing:?}");
    }
}
