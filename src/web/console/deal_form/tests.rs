//! The offer form against the rules' command: the same command, each message on its
//! input, money in the currency's digits.

use chrono::{TimeZone, Utc};

use super::*;

fn usd() -> Currency {
    Currency::parse("USD").unwrap_or_else(|e| panic!("{e}"))
}

fn read(fields: &[(&str, &str)]) -> DealForm {
    let pairs = fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    DealForm::from_pairs(pairs).unwrap_or_else(|e| panic!("{e}")).2
}

const AMBASSADOR: &str = "ambassador:0193a0f0-0000-7000-8000-000000000001";

#[test]
fn the_form_builds_the_command_the_api_takes_skipping_empty_rows() {
    let form = read(&[
        ("csrf", "t"),
        ("key", "k"),
        ("to", AMBASSADOR),
        ("title", "Autumn launch"),
        ("fee", "150.50"),
        ("terms", "Tag us.\r\nNo other coffee."),
        ("expires_on", "2026-11-20"),
        ("deliverables[0].platform", "tiktok"),
        ("deliverables[0].kind", "video"),
        ("deliverables[0].count", ""),
        ("deliverables[0].due_on", ""),
        ("deliverables[1].platform", "instagram"),
        ("deliverables[1].kind", "reel"),
        ("deliverables[1].count", "2"),
        ("deliverables[1].due_on", "2026-11-30"),
        ("deliverables[1].keep_up_days", "30"),
        ("gifts[0].sku", "BEANS-1KG"),
        ("gifts[0].description", "A kilo of beans"),
        ("gifts[0].quantity", "2"),
        ("gifts[0].unit_value", "24.00"),
        ("gifts[1].sku", ""),
    ]);
    let mut errors = FieldErrors::default();
    let (input, rows) = form.input(usd(), &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(input.ambassador_id.is_some() && input.invitation_id.is_none());
    assert_eq!(input.fee, 15_050);
    assert_eq!(input.terms.as_deref(), Some("Tag us.\nNo other coffee."));
    assert_eq!(
        input.expires_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 20, 23, 59, 59).unwrap())
    );
    assert_eq!(input.deliverables.len(), 1);
    assert_eq!(input.deliverables[0].count, 2);
    assert_eq!(input.deliverables[0].keep_up_days, Some(30));
    assert_eq!((input.gifts.len(), input.gifts[0].unit_value), (1, 2_400));
    // The command's first deliverable is the form's second row.
    assert_eq!(rows.input_of("deliverables[0].due_on"), "deliverables[1].due_on");
    assert_eq!(rows.input_of("gifts[0].sku"), "gifts[0].sku");
    assert_eq!(rows.input_of("ambassador_id"), "to");
    assert_eq!(rows.input_of("expires_at"), "expires_on");
    assert_eq!(rows.input_of("deliverables"), "deliverables");
    assert_eq!(rows.input_of("gifts[5].sku"), "gifts");
}

#[test]
fn what_the_form_cannot_read_is_said_beside_it_before_the_rules_speak() {
    let form = read(&[
        ("to", "ambassador:nope"),
        ("fee", "12,50"),
        ("expires_on", "soon"),
        ("deliverables[2].count", "two"),
        ("deliverables[2].keep_up_days", "x"),
        ("gifts[1].sku", "MUG"),
        ("gifts[1].quantity", ""),
        ("gifts[1].unit_value", "-3"),
    ]);
    let mut errors = FieldErrors::default();
    let (input, rows) = form.input(usd(), &mut errors);
    for id in [
        "to",
        "fee",
        "expires_on",
        "deliverables[2].count",
        "deliverables[2].keep_up_days",
        "gifts[1].quantity",
        "gifts[1].unit_value",
    ] {
        assert!(errors.get(id).is_some(), "{id}: {errors:?}");
    }
    assert_eq!(errors.get("deliverables[2].count"), Some("must be a whole number"));
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
    let found = input.validate(now).err().unwrap_or_default();
    rows.show(found, &mut errors);
    // The rules' own words for what the form read but they refuse; ours stay first.
    assert_eq!(errors.get("deliverables[2].count"), Some("must be a whole number"));
    assert!(errors.get("title").is_some(), "{errors:?}");
    assert!(errors.get("deliverables[2].due_on").is_some(), "{errors:?}");
    assert!(errors.get("gifts[1].description").is_some(), "{errors:?}");
    assert_eq!(label("gifts[1].unit_value"), "Gift 2: value of one");
    assert_eq!(label("deliverables[0].due_on"), "Deliverable 1: due date");
    assert_eq!(label("to"), "Offer to");
}

#[test]
fn offerees_and_keys_read_as_sent() {
    assert!(offeree("").is_err());
    assert!(offeree("someone").is_err());
    assert!(matches!(offeree(AMBASSADOR), Ok((Some(_), None))));
    let invitation = AMBASSADOR.replace("ambassador", "invitation");
    assert!(matches!(offeree(&invitation), Ok((None, Some(_)))));
    let a = read(&[("title", "A"), ("gifts[0].sku", "X")]);
    let b = read(&[("title", "A"), ("gifts[0].sku", "Y")]);
    assert_ne!(a.canonical(), b.canonical());
    assert_eq!(
        a.canonical(),
        read(&[("title", "A"), ("gifts[0].sku", "X")]).canonical()
    );
    assert!(DealForm::from_pairs(vec![("gifts[40].sku".into(), "X".into())]).is_err());
    let blank = DealForm::blank(String::new());
    assert_eq!((blank.deliverables.len(), blank.gifts.len()), (2, 2));
}
