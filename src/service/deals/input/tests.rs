use chrono::TimeZone;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap()
}

fn valid() -> DealInput {
    DealInput {
        ambassador_id: Some(MembershipId::generate()),
        title: "Winter launch".into(),
        fee: 2500,
        deliverables: vec![DeliverableInput {
            platform: "instagram".into(),
            kind: "reel".into(),
            count: 2,
            due_on: "2026-12-20".into(),
            keep_up_days: Some(30),
            requirements: Some("Tag @brand".into()),
        }],
        gifts: vec![GiftInput {
            sku: "KIT-1".into(),
            description: "Whitening kit".into(),
            quantity: 1,
            unit_value: 4900,
        }],
        ..DealInput::default()
    }
}

fn paths(result: Result<NewDeal, FieldErrors>) -> Vec<String> {
    result.err().unwrap_or_default().into_iter().map(|(p, _)| p).collect()
}

#[test]
fn a_whole_offer_is_accepted_with_the_default_expiry() {
    let deal = valid().validate(now()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(deal.fee, 2500);
    assert_eq!(deal.deliverables[0].count, 2);
    assert_eq!(deal.deliverables[0].due_on.to_string(), "2026-12-20");
    assert_eq!(deal.expires_at, now() + Duration::days(DEFAULT_OFFER_DAYS));
    assert_eq!(deal.gifts[0].unit_value, 4900);
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let mut input = valid();
    input.ambassador_id = None;
    input.title = " ".into();
    input.fee = -1;
    input.deliverables[0].platform = "myspace".into();
    input.deliverables[0].count = 0;
    input.deliverables[0].due_on = "2026-12-02".into();
    input.deliverables[0].keep_up_days = Some(366);
    input.gifts[0].quantity = 0;
    input.expires_at = Some(now() + Duration::days(MAX_OFFER_DAYS + 1));
    assert_eq!(
        paths(input.validate(now())),
        [
            "ambassador_id",
            "title",
            "fee",
            "deliverables[0].platform",
            "deliverables[0].count",
            "deliverables[0].due_on",
            "deliverables[0].keep_up_days",
            "gifts[0].quantity",
            "expires_at"
        ]
    );
}

#[test]
fn an_offer_names_one_offeree_and_some_deliverables() {
    let mut both = valid();
    both.invitation_id = Some(InvitationId::generate());
    assert_eq!(paths(both.validate(now())), ["ambassador_id"]);
    let mut none = valid();
    none.deliverables.clear();
    assert_eq!(paths(none.validate(now())), ["deliverables"]);
    let mut bad_date = valid();
    bad_date.deliverables[0].due_on = "20/12/2026".into();
    assert_eq!(paths(bad_date.validate(now())), ["deliverables[0].due_on"]);
}

#[test]
fn a_zero_fee_is_an_offer_of_gifts_only() {
    let mut input = valid();
    input.fee = 0;
    assert_eq!(input.validate(now()).map(|d| d.fee), Ok(0));
}

#[test]
fn proof_needs_a_web_address_and_a_time_not_ahead() {
    let ok = Proof::parse(
        "https://instagram.com/p/abc",
        Some(now()),
        [Some(10), None, Some(0)],
        now(),
    );
    assert_eq!(ok.map(|p| p.views), Ok(Some(10)));
    let bad = Proof::parse(
        "ftp://x",
        Some(now() + Duration::hours(1)),
        [Some(-1), None, None],
        now(),
    );
    let paths: Vec<_> = bad.err().unwrap_or_default().into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["url", "published_at", "views"]);
    assert!(Proof::parse("https://x.example", None, [None; 3], now()).is_err());
}

#[test]
fn a_counter_is_a_fee_and_an_optional_note() {
    assert_eq!(Counter::parse(3000, Some("  ")), Ok(Counter { fee: 3000, note: None }));
    assert!(Counter::parse(-5, None).is_err());
    assert!(Counter::parse(5, Some(&"x".repeat(MAX_NOTE_CHARS + 1))).is_err());
}

#[test]
fn shipping_needs_carrier_and_tracking() {
    assert!(ShipmentUpdate::parse("shipped", Some("DHL"), Some("123")).is_ok());
    assert!(ShipmentUpdate::parse("shipped", Some("DHL"), None).is_err());
    assert_eq!(
        ShipmentUpdate::parse("delivered", None, None),
        Ok(ShipmentUpdate::Delivered)
    );
    assert!(ShipmentUpdate::parse("lost", None, None).is_err());
}
