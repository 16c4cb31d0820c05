//! What each message says. Every message is one [`Body`] rendered twice, as plain text
//! and as HTML, by the templates in `templates/mail/` (the HTML one escapes every value),
//! so the two parts never say different things.

use askama::Template;
use chrono::{DateTime, Utc};

use super::Letter;

/// The parts of a message, in the order they are shown.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// Label and value pairs, shown as a small table.
    pub facts: Vec<(String, String)>,
    /// A secret to copy (an invitation or reset token): label and value.
    pub code: Option<(String, String)>,
    /// A link to follow: label and address.
    pub link: Option<(String, String)>,
    pub footer: Vec<String>,
}

#[derive(Template)]
#[template(path = "mail/letter.txt")]
struct TextPart<'a> {
    body: &'a Body,
}

#[derive(Template)]
#[template(path = "mail/letter.html")]
struct HtmlPart<'a> {
    subject: &'a str,
    body: &'a Body,
}

impl Body {
    /// The message to `to`, both parts rendered.
    pub fn letter(&self, to: &str, subject: String, unsubscribe: Option<String>) -> Letter {
        // Rendering writes into a String and the templates call no fallible filter.
        let text = TextPart { body: self }.render().unwrap_or_default();
        let html = HtmlPart {
            subject: &subject,
            body: self,
        }
        .render()
        .unwrap_or_default();
        Letter {
            to: to.to_owned(),
            subject,
            text,
            html,
            unsubscribe,
        }
    }
}

fn date(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y, %H:%M UTC").to_string()
}

/// The invitation to join a brand's program.
pub struct Invitation<'a> {
    pub brand: &'a str,
    pub program: &'a str,
    pub offer: Vec<(String, String)>,
    pub token: &'a str,
    pub expires_at: DateTime<Utc>,
    pub public_url: &'a str,
}

impl Invitation<'_> {
    pub fn letter(self, to: &str) -> Letter {
        let body = Body {
            heading: format!("{} invites you to become an ambassador", self.brand),
            paragraphs: vec![
                format!(
                    "{} would like you to join its program \"{}\": share your code and link, your followers get a discount, and you earn on every sale they make.",
                    self.brand, self.program
                ),
                format!(
                    "To accept, sign up at {url}/signup with this e-mail address, or sign in at {url}/login if you already have an account; the invitation waits in your invitations ({url}/app/invitations) until {}.",
                    date(self.expires_at),
                    url = self.public_url,
                ),
                "Using the API? Accept with the code below (POST /v1/me/invitations/accept).".to_owned(),
            ],
            facts: self.offer,
            code: Some(("Your invitation code".to_owned(), self.token.to_owned())),
            link: Some((
                "See your invitations".to_owned(),
                format!("{}/app/invitations", self.public_url),
            )),
            footer: vec![format!(
                "You receive this e-mail because {} invited this address. If you do not want to join, ignore it: nothing happens.",
                self.brand
            )],
        };
        body.letter(
            to,
            format!("{} invites you to its ambassador program", self.brand),
            None,
        )
    }
}

/// The invitation to join a brand's team: the console's page that sets the password, and
/// the bare code for API clients.
pub struct TeamInvitation<'a> {
    pub brand: &'a str,
    /// The e-mail of the owner who sent it.
    pub inviter: &'a str,
    /// `owner` or `staff`.
    pub role: &'a str,
    pub token: &'a str,
    pub expires_at: DateTime<Utc>,
    pub public_url: &'a str,
}

impl TeamInvitation<'_> {
    pub fn letter(self, to: &str) -> Letter {
        let can = if self.role == "owner" {
            "As an owner you can do everything in the brand's account, API keys, shop integrations, webhooks and the team included."
        } else {
            "As staff you can run the programs, ambassadors, codes, orders, rewards and payout batches; API keys, shop integrations, webhooks, the team and marking payouts paid stay with the owners."
        };
        let body = Body {
            heading: format!("Join {} on reftrack", self.brand),
            paragraphs: vec![
                format!(
                    "{} invited you to the team of {} on reftrack, as {}. {can}",
                    self.inviter, self.brand, self.role
                ),
                format!(
                    "Choose your password with the link below to join; it works once, until {}. You then sign in with this e-mail address.",
                    date(self.expires_at)
                ),
                "Using the API? Send the code below with your password to POST /v1/brand/users/accept.".to_owned(),
            ],
            facts: Vec::new(),
            code: Some(("Your invitation code".to_owned(), self.token.to_owned())),
            // The code is URL-safe base64: nothing in it needs escaping.
            link: Some((
                format!("Join {}", self.brand),
                format!("{}/console/join?token={}", self.public_url, self.token),
            )),
            footer: vec![format!(
                "You receive this e-mail because {} invited this address to {}. If you do not want to join, ignore it: nothing happens.",
                self.inviter, self.brand
            )],
        };
        body.letter(to, format!("{} invites you to its team on reftrack", self.brand), None)
    }
}

/// A password-reset link for a brand user or an influencer: the portal's page that sets
/// the new password, and the bare code for API clients.
pub fn password_reset(to: &str, token: &str, expires_at: DateTime<Utc>, public_url: &str) -> Letter {
    let body = Body {
        heading: "Reset your reftrack password".to_owned(),
        paragraphs: vec![
            "Someone (we hope you) asked to reset the password of your reftrack account. Set a new password with the link below; it works once, until ".to_owned()
                + &date(expires_at)
                + ".",
            "Signing in again is needed everywhere after the reset: every session of the account ends.".to_owned(),
            "Using the API? Send the code below to POST /v1/auth/password-reset/confirm.".to_owned(),
        ],
        facts: Vec::new(),
        code: Some(("Your reset code".to_owned(), token.to_owned())),
        // The code is URL-safe base64: nothing in it needs escaping.
        link: Some((
            "Set a new password".to_owned(),
            format!("{public_url}/password/reset?token={token}"),
        )),
        footer: vec!["If you did not ask for this, ignore this e-mail: your password stays as it is.".to_owned()],
    };
    body.letter(to, "Reset your reftrack password".to_owned(), None)
}

/// A deal a brand offers: what it pays and gives, and where to answer it.
pub struct DealOffer<'a> {
    /// The influencer's display name; `None` for an invitee who has no account yet.
    pub name: Option<&'a str>,
    pub brand: &'a str,
    pub title: &'a str,
    pub fee: String,
    pub items: i64,
    pub fee_total: String,
    pub gift_value: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub deal_path: String,
    pub public_url: &'a str,
}

impl DealOffer<'_> {
    pub fn letter(self, to: &str) -> Letter {
        let greeting = match self.name {
            Some(name) => format!("Hello {name}, {} offers you a deal: \"{}\".", self.brand, self.title),
            None => format!(
                "{} offers you a deal with its invitation: \"{}\". Join the brand first, then answer the deal.",
                self.brand, self.title
            ),
        };
        let mut facts = vec![
            ("Fee per item".to_owned(), self.fee),
            ("Items to publish".to_owned(), self.items.to_string()),
            ("The deal pays".to_owned(), self.fee_total),
        ];
        if let Some(gifts) = self.gift_value {
            facts.push(("Gifted products (declared value)".to_owned(), gifts));
        }
        facts.push(("Answer by".to_owned(), date(self.expires_at)));
        let body = Body {
            heading: format!("{} offers you a deal", self.brand),
            paragraphs: vec![
                greeting,
                "Read the deliverables, due dates and terms, then accept, decline or propose another fee.".to_owned(),
            ],
            facts,
            code: None,
            link: Some((
                "See the deal".to_owned(),
                format!("{}{}", self.public_url, self.deal_path),
            )),
            footer: vec![format!(
                "You receive this e-mail because {} offered this address a deal on reftrack. If you do not want it, decline it or let it expire.",
                self.brand
            )],
        };
        body.letter(to, format!("{} offers you a deal: {}", self.brand, self.title), None)
    }
}

/// A sale an influencer referred.
pub struct Sale<'a> {
    pub name: &'a str,
    pub brand: &'a str,
    /// The shop's order number.
    pub order_number: &'a str,
    pub order_total: String,
    pub commission: Option<String>,
    pub payable_at: Option<DateTime<Utc>>,
    pub code: Option<&'a str>,
    pub unsubscribe: String,
    pub public_url: &'a str,
}

impl Sale<'_> {
    pub fn letter(self, to: &str) -> Letter {
        let headline = match &self.commission {
            Some(commission) => format!("You earned {commission} with {}", self.brand),
            None => format!("A new sale for {} came through you", self.brand),
        };
        let mut facts = vec![
            ("Order".to_owned(), self.order_number.to_owned()),
            ("Order total".to_owned(), self.order_total),
        ];
        if let Some(code) = self.code {
            facts.push(("Code".to_owned(), code.to_owned()));
        }
        if let Some(commission) = &self.commission {
            facts.push(("Your commission".to_owned(), commission.clone()));
        }
        if let Some(at) = self.payable_at {
            facts.push(("Payable from".to_owned(), date(at)));
        }
        let body = Body {
            heading: headline.clone(),
            paragraphs: vec![format!(
                "Hi {}, someone just ordered from {} through you. The commission counts as pending until the return window ends; a refund in that time takes it back.",
                self.name, self.brand
            )],
            facts,
            code: None,
            link: Some(("See your earnings".to_owned(), self.public_url.to_owned())),
            footer: vec![format!(
                "You get this e-mail for each sale. To stop them, use your mail app's unsubscribe button or open {}",
                self.unsubscribe
            )],
        };
        body.letter(to, headline, Some(self.unsubscribe))
    }
}

/// A payout a brand marked paid.
pub struct PayoutPaid<'a> {
    pub name: &'a str,
    pub brand: &'a str,
    pub amount: String,
    pub payout_email: &'a str,
    pub paid_at: DateTime<Utc>,
    pub unsubscribe: String,
    pub public_url: &'a str,
}

impl PayoutPaid<'_> {
    pub fn letter(self, to: &str) -> Letter {
        let headline = format!("{} paid you {}", self.brand, self.amount);
        let body = Body {
            heading: headline.clone(),
            paragraphs: vec![format!(
                "Hi {}, {} has marked your commission paid. The money goes to your payout address; how soon it shows depends on the payment service.",
                self.name, self.brand
            )],
            facts: vec![
                ("Amount".to_owned(), self.amount),
                ("Paid to".to_owned(), self.payout_email.to_owned()),
                ("Paid on".to_owned(), date(self.paid_at)),
            ],
            code: None,
            link: Some(("See your earnings".to_owned(), self.public_url.to_owned())),
            footer: vec![format!(
                "You get this e-mail for each payout. To stop them, use your mail app's unsubscribe button or open {}",
                self.unsubscribe
            )],
        };
        body.letter(to, headline, Some(self.unsubscribe))
    }
}

/// A webhook endpoint reftrack disabled.
pub fn endpoint_disabled(to: &str, brand: &str, url: &str, reason: &str, public_url: &str) -> Letter {
    let body = Body {
        heading: "A webhook endpoint was disabled".to_owned(),
        paragraphs: vec![
            format!("reftrack stopped sending events of {brand} to one of its webhook endpoints: {reason}."),
            "Events that happen while it is disabled are not sent to it. When the receiver works again, enable the endpoint (PATCH /v1/brand/webhooks/{id} with \"enabled\": true) and retry the deliveries it missed from its delivery log.".to_owned(),
        ],
        facts: vec![("Endpoint".to_owned(), url.to_owned())],
        code: None,
        link: Some(("Open reftrack".to_owned(), public_url.to_owned())),
        footer: vec![format!("You get this e-mail as the owner of {brand} on reftrack.")],
    };
    body.letter(to, format!("{brand}: a webhook endpoint was disabled"), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_part_escapes_every_value_and_text_part_keeps_it() {
        let body = Body {
            heading: "<b>Brand & Co</b>".to_owned(),
            paragraphs: vec!["<script>alert(1)</script>".to_owned()],
            facts: vec![("a\"b".to_owned(), "<i>".to_owned())],
            code: Some(("Code".to_owned(), "tok<en>".to_owned())),
            link: Some(("Open".to_owned(), "https://x.test/?a=1&b=\"2\"".to_owned())),
            footer: vec!["bye".to_owned()],
        };
        let letter = body.letter("a@example.com", "Subject <x>".to_owned(), None);
        for raw in ["<b>Brand", "<script>", "<i>", "tok<en>", "b=\"2\"", "Subject <x>"] {
            assert!(!letter.html.contains(raw), "{raw} unescaped in {}", letter.html);
        }
        assert!(letter.html.contains("script&#62;alert(1)"), "{}", letter.html);
        assert!(letter.text.contains("<script>alert(1)</script>"));
        assert!(letter.text.contains("Code:\n\n    tok<en>"));
        assert!(letter.text.contains("Open: https://x.test/?a=1&b=\"2\""));
    }
}
