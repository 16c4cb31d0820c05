//! The tables of what crosses the boundary: shop integrations and their inbound
//! deliveries, the outbox of events, webhook endpoints with their deliveries, and
//! e-mail. Re-exported by [`super`], where their joins are declared.

diesel::table! {
    integrations (id) {
        id -> Text,
        brand_id -> Text,
        platform -> Text,
        name -> Text,
        secret_sealed -> Nullable<Text>,
        previous_secret_sealed -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    shop_events (id) {
        id -> Text,
        integration_id -> Text,
        brand_id -> Text,
        topic -> Text,
        dedupe_key -> Text,
        body -> Nullable<Text>,
        source -> Nullable<Text>,
        received_at -> Timestamp,
        status -> Text,
        detail -> Nullable<Text>,
        order_id -> Nullable<Text>,
        waiting_for -> Nullable<Text>,
        gross_refunded -> BigInt,
        attempts -> Integer,
        locked_until -> Nullable<Timestamp>,
        processed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    shop_order_aliases (brand_id, alias) {
        brand_id -> Text,
        alias -> Text,
        order_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox_events (id) {
        id -> Text,
        brand_id -> Text,
        event_type -> Text,
        data -> Text,
        created_at -> Timestamp,
        dispatched_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        brand_id -> Text,
        url -> Text,
        description -> Text,
        event_types -> Text,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        secret_sealed -> Text,
        previous_secret_sealed -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        failing_since -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        endpoint_id -> Text,
        brand_id -> Text,
        event_id -> Text,
        event_type -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        locked_until -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_latency_ms -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    mail_messages (id) {
        id -> Text,
        kind -> Text,
        brand_id -> Nullable<Text>,
        dedupe_key -> Nullable<Text>,
        message_sealed -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
