//! The diesel schema, kept by hand with portable types only so one file serves both
//! backends: ids as text, money as BIGINT minor units, timestamps set by the app.

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

diesel::joinable!(brand_users -> brands (brand_id));
diesel::joinable!(api_keys -> brands (brand_id));

diesel::allow_tables_to_appear_in_same_query!(settings, brands, brand_users, influencers, refresh_tokens, api_keys);
