//! The diesel schema, kept by hand with portable types only so one file serves both
//! backends: ids as text, money as BIGINT minor units, timestamps set by the app.
//! The tables of shops, events, webhooks and e-mail are in [`messaging`]; those of
//! deals in [`deal_tables`].

mod deal_tables;
mod messaging;

pub use deal_tables::*;
pub use messaging::*;

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    brands (id) {
        id -> Text,
        name -> Text,
        slug -> Text,
        landing_url -> Text,
        currency -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    brand_users (id) {
        id -> Text,
        brand_id -> Text,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    influencers (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        payout_email -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        notify_sales -> Bool,
        notify_payouts -> Bool,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        family_id -> Text,
        account -> Text,
        subject_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        brand_id -> Text,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    brand_user_invitations (id) {
        id -> Text,
        brand_id -> Text,
        email -> Text,
        role -> Text,
        token_hash -> Text,
        invited_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(brand_users -> brands (brand_id));
diesel::joinable!(brand_user_invitations -> brands (brand_id));
diesel::joinable!(api_keys -> brands (brand_id));

diesel::table! {
    programs (id) {
        id -> Text,
        brand_id -> Text,
        name -> Text,
        currency -> Text,
        terms -> Text,
        terms_version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    program_versions (program_id, version) {
        program_id -> Text,
        version -> Integer,
        currency -> Text,
        terms -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    memberships (id) {
        id -> Text,
        brand_id -> Text,
        program_id -> Text,
        influencer_id -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        recruited_by -> Nullable<Text>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        brand_id -> Text,
        program_id -> Text,
        email -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        membership_id -> Nullable<Text>,
        declined_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    codes (id) {
        id -> Text,
        brand_id -> Text,
        membership_id -> Text,
        code -> Text,
        active -> Bool,
        max_uses -> Nullable<BigInt>,
        uses -> BigInt,
        expires_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        stripe_promotion_code -> Nullable<Text>,
    }
}

diesel::table! {
    clicks (id) {
        id -> Text,
        brand_id -> Text,
        code_id -> Text,
        membership_id -> Text,
        ip_hash -> Text,
        ua_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(programs -> brands (brand_id));
diesel::joinable!(program_versions -> programs (program_id));
diesel::joinable!(memberships -> programs (program_id));
diesel::joinable!(memberships -> influencers (influencer_id));
diesel::joinable!(codes -> memberships (membership_id));
diesel::joinable!(clicks -> codes (code_id));

diesel::table! {
    orders (id) {
        id -> Text,
        brand_id -> Text,
        order_id -> Text,
        currency -> Text,
        subtotal -> BigInt,
        discount_total -> BigInt,
        shipping_total -> BigInt,
        tax_total -> BigInt,
        net_amount -> BigInt,
        placed_at -> Timestamp,
        created_at -> Timestamp,
        membership_id -> Nullable<Text>,
        program_id -> Nullable<Text>,
        terms_version -> Nullable<Integer>,
        code_id -> Nullable<Text>,
        click_id -> Nullable<Text>,
        commission -> BigInt,
        commission_rate -> Nullable<Text>,
        attribution_method -> Text,
        attribution_reason -> Text,
        attribution_candidates -> Text,
        flags -> Text,
        customer_email_hash -> Nullable<Text>,
        signals -> Text,
        review -> Nullable<Text>,
        used_code_id -> Nullable<Text>,
        fx_rate -> Nullable<Text>,
        fx_source -> Nullable<Text>,
        fx_at -> Nullable<Timestamp>,
        fx_currency -> Nullable<Text>,
        fx_net -> Nullable<BigInt>,
    }
}

diesel::table! {
    order_lines (order_id, line_no) {
        order_id -> Text,
        line_no -> Integer,
        sku -> Text,
        category -> Nullable<Text>,
        quantity -> BigInt,
        unit_price -> BigInt,
        rate -> Nullable<Text>,
    }
}

diesel::table! {
    refunds (id) {
        id -> Text,
        order_id -> Text,
        refund_id -> Text,
        amount -> BigInt,
        line_value -> BigInt,
        lines -> Nullable<Text>,
        reversal -> BigInt,
        request_hash -> Text,
        created_at -> Timestamp,
        fx_amount -> Nullable<BigInt>,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> Text,
        brand_id -> Text,
        membership_id -> Text,
        order_id -> Nullable<Text>,
        refund_id -> Nullable<Text>,
        kind -> Text,
        amount -> BigInt,
        currency -> Text,
        available_at -> Timestamp,
        approved_at -> Nullable<Timestamp>,
        paid_out_in -> Nullable<Text>,
        created_at -> Timestamp,
        reason -> Nullable<Text>,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    commission_reviews (id) {
        id -> Text,
        brand_id -> Text,
        order_id -> Text,
        action -> Text,
        reason -> Nullable<Text>,
        acted_by -> Nullable<Text>,
        from_membership_id -> Nullable<Text>,
        to_membership_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rewards (id) {
        id -> Text,
        brand_id -> Text,
        membership_id -> Text,
        rule_key -> Text,
        sequence -> Integer,
        sku -> Text,
        description -> Text,
        status -> Text,
        earned_at -> Timestamp,
        claimed_at -> Nullable<Timestamp>,
        shipping_name -> Nullable<Text>,
        shipping_address -> Nullable<Text>,
        fulfilled_at -> Nullable<Timestamp>,
        tracking -> Nullable<Text>,
        carrier -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (brand_id, key) {
        brand_id -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(order_lines -> orders (order_id));
diesel::joinable!(refunds -> orders (order_id));
diesel::joinable!(ledger_entries -> memberships (membership_id));
diesel::joinable!(rewards -> memberships (membership_id));

diesel::table! {
    payouts (id) {
        id -> Text,
        brand_id -> Text,
        currency -> Text,
        status -> Text,
        total -> BigInt,
        created_at -> Timestamp,
        paid_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    payout_items (payout_id, membership_id) {
        payout_id -> Text,
        membership_id -> Text,
        amount -> BigInt,
        entries -> Integer,
        payout_email -> Text,
        display_name -> Text,
        period_start -> Timestamp,
        period_end -> Timestamp,
        commissions -> BigInt,
        reversals -> BigInt,
        adjustments -> BigInt,
        bonuses -> BigInt,
        flat_fees -> BigInt,
        overrides -> BigInt,
    }
}

diesel::table! {
    payout_entries (payout_id, entry_id) {
        payout_id -> Text,
        entry_id -> Text,
        released_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reward_backlog (membership_id) {
        membership_id -> Text,
        since -> Timestamp,
    }
}

diesel::joinable!(payout_items -> payouts (payout_id));
diesel::joinable!(payout_entries -> payouts (payout_id));
diesel::joinable!(payout_entries -> ledger_entries (entry_id));

diesel::table! {
    password_resets (id) {
        id -> Text,
        account -> Text,
        subject_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    web_sessions (id) {
        id -> Text,
        token_hash -> Text,
        account -> Text,
        subject_id -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(shop_events -> integrations (integration_id));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    brands,
    brand_users,
    brand_user_invitations,
    influencers,
    refresh_tokens,
    api_keys,
    programs,
    program_versions,
    memberships,
    invitations,
    codes,
    clicks,
    orders,
    order_lines,
    refunds,
    ledger_entries,
    commission_reviews,
    rewards,
    idempotency_keys,
    payouts,
    payout_items,
    payout_entries,
    reward_backlog,
    integrations,
    shop_events,
    shop_order_aliases,
    outbox_events,
    webhook_endpoints,
    webhook_deliveries,
    mail_messages,
    password_resets,
    web_sessions,
    deals,
    deal_versions,
    deal_deliverables,
    deal_gifts,
    deliverable_proofs,
    customer_bindings,
    fx_rates
);

diesel::table! {
    code_uses (code_id, shard) {
        code_id -> Text,
        shard -> Text,
        uses -> BigInt,
    }
}

diesel::table! {
    customer_bindings (program_id, customer_hash) {
        program_id -> Text,
        customer_hash -> Text,
        brand_id -> Text,
        membership_id -> Text,
        code_id -> Text,
        order_id -> Text,
        bound_at -> Timestamp,
    }
}

diesel::table! {
    fx_rates (brand_id, from_currency, to_currency) {
        brand_id -> Text,
        from_currency -> Text,
        to_currency -> Text,
        rate -> Text,
        updated_at -> Timestamp,
    }
}
