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

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    brands,
    brand_users,
    influencers,
    refresh_tokens,
    api_keys,
    programs,
    program_versions,
    memberships,
    invitations,
    codes,
    clicks
);
