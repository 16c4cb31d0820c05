//! The tables of deals: offers with their fee versions, deliverables with the proof
//! submitted for them, and gifted products. Re-exported by [`super`], where their joins
//! are declared.

diesel::table! {
    deals (id) {
        id -> Text,
        brand_id -> Text,
        program_id -> Text,
        membership_id -> Nullable<Text>,
        invitation_id -> Nullable<Text>,
        title -> Text,
        terms -> Text,
        currency -> Text,
        status -> Text,
        version -> Integer,
        awaiting -> Text,
        accepted_version -> Nullable<Integer>,
        expires_at -> Timestamp,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    deal_versions (id) {
        id -> Text,
        deal_id -> Text,
        version -> Integer,
        fee -> BigInt,
        proposed_by -> Text,
        note -> Nullable<Text>,
        declined_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    deal_deliverables (id) {
        id -> Text,
        deal_id -> Text,
        position -> Integer,
        platform -> Text,
        kind -> Text,
        count -> Integer,
        due_on -> Text,
        keep_up_days -> Integer,
        requirements -> Text,
    }
}

diesel::table! {
    deal_gifts (id) {
        id -> Text,
        deal_id -> Text,
        position -> Integer,
        sku -> Text,
        description -> Text,
        quantity -> BigInt,
        unit_value -> BigInt,
        shipment -> Text,
        carrier -> Nullable<Text>,
        tracking -> Nullable<Text>,
        shipped_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    deliverable_proofs (id) {
        id -> Text,
        brand_id -> Text,
        deal_id -> Text,
        deliverable_id -> Text,
        url -> Text,
        published_at -> Timestamp,
        views -> Nullable<BigInt>,
        likes -> Nullable<BigInt>,
        comments -> Nullable<BigInt>,
        state -> Text,
        reason -> Nullable<Text>,
        submitted_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        fee_entry_id -> Nullable<Text>,
        removed_at -> Nullable<Timestamp>,
        removal_reason -> Nullable<Text>,
        reversal_entry_id -> Nullable<Text>,
    }
}
