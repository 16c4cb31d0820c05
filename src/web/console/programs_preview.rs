//! The program page's preview, "what an ambassador earns on this cart": an example cart
//! (a few lines of SKU, category, quantity and unit price in major units, and the
//! ambassador's sales this month for the volume tiers) priced under the program's
//! current terms by `service::programs::preview`, the use case of
//! `POST /v1/brand/programs/preview`, which prices a cart as a checkout would. It
//! writes nothing, so it is a GET form and needs no CSRF token.

use super::programs_view::Cell;
use crate::domain::Currency;
use crate::domain::cart::{Cart, CartField, CartLine};
use crate::domain::display;
use crate::domain::money::parse_major;
use crate::domain::terms::{Terms, percent};
use crate::service::programs::{self, PreviewProgram, ProgramError};
use crate::store::Db;
use crate::store::ids::BrandId;
use crate::web::form::FieldErrors;
use crate::web::session::PageError;

/// Cart lines the form offers.
pub const CART_ROWS: usize = 3;
const MONTH_NET: &str = "month_net";

/// One cart line as typed.
#[derive(Debug, Clone, Default)]
struct LineRow {
    sku: String,
    category: String,
    quantity: String,
    unit_price: String,
}

/// The preview's form as typed; the example cart when nothing was asked.
#[derive(Debug, Clone)]
pub struct PreviewForm {
    rows: Vec<LineRow>,
    month_net: String,
}

fn line_id(row: usize, field: &str) -> String {
    format!("cart[{row}].{field}")
}

impl PreviewForm {
    /// The form from the page's query string: fields `cart[i].sku|category|quantity|
    /// unit_price` and `month_net`; the example cart (one line of 50) when none is given.
    pub fn from_query(query: &str) -> Self {
        let mut rows = vec![LineRow::default(); CART_ROWS];
        let mut month_net = String::new();
        let mut asked = false;
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if name == MONTH_NET {
                month_net = value.into_owned();
                asked = true;
                continue;
            }
            let Some((row, field)) = name
                .strip_prefix("cart[")
                .and_then(|rest| rest.split_once("]."))
                .and_then(|(i, field)| Some((i.parse::<usize>().ok().filter(|i| *i < CART_ROWS)?, field)))
            else {
                continue;
            };
            let line = &mut rows[row];
            let slot = match field {
                "sku" => &mut line.sku,
                "category" => &mut line.category,
                "quantity" => &mut line.quantity,
                "unit_price" => &mut line.unit_price,
                _ => continue,
            };
            *slot = value.into_owned();
            asked = true;
        }
        if !asked {
            rows[0] = LineRow {
                sku: "EXAMPLE".into(),
                category: String::new(),
                quantity: "1".into(),
                unit_price: "50".into(),
            };
            month_net = "0".into();
        }
        Self { rows, month_net }
    }

    /// The cart, the sales this month in minor units, and the form row of each cart
    /// line; what cannot be read is kept in `errors` under its input.
    fn read(&self, currency: Currency, errors: &mut FieldErrors) -> Option<(Cart, i64, Vec<usize>)> {
        let mut lines = Vec::new();
        let mut rows = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            if [&row.sku, &row.category, &row.quantity, &row.unit_price]
                .iter()
                .all(|t| t.trim().is_empty())
            {
                continue;
            }
            let quantity = errors.check(
                &line_id(i, "quantity"),
                row.quantity
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| "must be a whole number".to_owned()),
            );
            let unit_price = errors.check(&line_id(i, "unit_price"), parse_major(&row.unit_price, currency));
            if let (Some(quantity), Some(unit_price)) = (quantity, unit_price) {
                rows.push(i);
                lines.push(CartLine {
                    sku: row.sku.clone(),
                    category: Some(row.category.clone()),
                    quantity,
                    unit_price,
                });
            }
        }
        let month_net = match self.month_net.trim() {
            "" => Some(0),
            text => errors.check(MONTH_NET, parse_major(text, currency)),
        };
        // A line refused above is left out of the cart: the cart is checked whole only
        // when every line was read, so that its own messages are about what was typed.
        let cart = match Cart::parse(lines) {
            _ if !errors.is_empty() => None,
            Ok(cart) => Some(cart),
            Err(problems) => {
                for problem in problems {
                    let (index, field) = match problem.field {
                        CartField::Lines => {
                            errors.add("cart", problem.message);
                            continue;
                        }
                        CartField::Sku(i) => (i, "sku"),
                        CartField::Category(i) => (i, "category"),
                        CartField::Quantity(i) => (i, "quantity"),
                        CartField::UnitPrice(i) => (i, "unit_price"),
                    };
                    let id = rows
                        .get(index)
                        .map_or_else(|| "cart".to_owned(), |row| line_id(*row, field));
                    errors.add(&id, problem.message);
                }
                None
            }
        };
        match (cart, month_net) {
            (Some(cart), Some(month_net)) if errors.is_empty() => Some((cart, month_net, rows)),
            _ => None,
        }
    }
}

pub struct LineView {
    pub sku: Cell,
    pub category: Cell,
    pub quantity: Cell,
    pub unit_price: Cell,
}

/// One priced line: its SKU, its rate and its share of the commission.
pub struct PricedLine {
    pub sku: String,
    pub rate: String,
    pub commission: String,
}

/// What the cart earns, as people read money.
pub struct Outcome {
    pub subtotal: String,
    pub discount: String,
    pub net: String,
    pub commission: String,
    /// The commission before the cap, when the cap took some.
    pub uncapped: Option<String>,
    /// The volume tier the order starts in.
    pub tier: Option<String>,
    pub lines: Vec<PricedLine>,
}

pub struct PreviewView {
    pub lines: Vec<LineView>,
    pub month_net: Cell,
    /// A problem of the cart as a whole.
    pub error: Option<String>,
    pub outcome: Option<Outcome>,
    /// The program's currency, which the amounts are typed in.
    pub currency: String,
}

impl PreviewView {
    fn new(form: &PreviewForm, currency: Currency, errors: &FieldErrors, outcome: Option<Outcome>) -> Self {
        let cell = |id: String, value: &str| Cell {
            error: errors.get(&id).map(str::to_owned),
            value: value.to_owned(),
            id,
        };
        Self {
            lines: form
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| LineView {
                    sku: cell(line_id(i, "sku"), &row.sku),
                    category: cell(line_id(i, "category"), &row.category),
                    quantity: cell(line_id(i, "quantity"), &row.quantity),
                    unit_price: cell(line_id(i, "unit_price"), &row.unit_price),
                })
                .collect(),
            month_net: cell(MONTH_NET.to_owned(), &form.month_net),
            error: errors.get("cart").map(str::to_owned),
            outcome,
            currency: currency.code().to_owned(),
        }
    }
}

/// Prices the form's cart under `terms`; the view, and whether the form was refused.
pub async fn run(
    db: &Db,
    brand: BrandId,
    currency: Currency,
    terms: Option<Terms>,
    form: &PreviewForm,
) -> Result<(PreviewView, bool), PageError> {
    let mut errors = FieldErrors::default();
    let read = form.read(currency, &mut errors);
    let (Some((cart, month_to_date_net, _)), Some(terms)) = (read, terms) else {
        let refused = !errors.is_empty();
        return Ok((PreviewView::new(form, currency, &errors, None), refused));
    };
    let command = PreviewProgram {
        brand_id: brand,
        currency: Some(currency),
        terms,
        cart,
        shipping_total: 0,
        month_to_date_net,
    };
    let money = |minor: i64| display::money(minor, currency);
    match programs::preview(db, command).await {
        Ok(priced) => {
            let outcome = Outcome {
                subtotal: money(priced.subtotal),
                discount: money(priced.discount_total),
                net: money(priced.net_amount),
                commission: money(priced.commission),
                uncapped: priced.capped.then(|| money(priced.commission_uncapped)),
                tier: priced
                    .tier
                    .map(|t| format!("{} from {} this month", percent(t.rate), money(t.from_amount))),
                lines: priced
                    .lines
                    .into_iter()
                    .map(|l| PricedLine {
                        sku: l.sku,
                        rate: l.rate.map_or_else(|| "per order".to_owned(), percent),
                        commission: l.commission.map_or_else(|| "–".to_owned(), money),
                    })
                    .collect(),
            };
            Ok((PreviewView::new(form, currency, &errors, Some(outcome)), false))
        }
        Err(ProgramError::Invalid(found)) => {
            // The cart as a whole (a commission beyond what can be computed) or terms
            // the currency no longer allows: said above the cart.
            let text: Vec<String> = found
                .into_iter()
                .map(|(field, message)| format!("{field}: {message}"))
                .collect();
            errors.add("cart", text.join("; "));
            Ok((PreviewView::new(form, currency, &errors, None), true))
        }
        Err(err) => Err(PageError::internal(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn without_a_question_the_example_cart_is_priced() {
        let form = PreviewForm::from_query("done=created");
        let mut errors = FieldErrors::default();
        let (cart, month, rows) = form.read(usd(), &mut errors).unwrap_or_else(|| panic!("{errors:?}"));
        assert_eq!((cart.subtotal(), month, rows), (5000, 0, vec![0]));
    }

    #[test]
    fn each_refused_value_is_kept_beside_its_input() {
        let form = PreviewForm::from_query(
            "cart%5B1%5D.sku=KIT&cart%5B1%5D.quantity=0&cart%5B1%5D.unit_price=5.001&cart%5B2%5D.sku=&cart%5B2%5D.quantity=2&cart%5B2%5D.unit_price=3&month_net=x",
        );
        let mut errors = FieldErrors::default();
        assert!(form.read(usd(), &mut errors).is_none());
        assert_eq!(
            errors.get("cart[1].unit_price"),
            Some("must have at most 2 decimal places in USD")
        );
        assert_eq!(errors.get("month_net"), Some("must be an amount such as 5.00"));
        let mut errors = FieldErrors::default();
        let fixed = PreviewForm::from_query(
            "cart%5B1%5D.sku=KIT&cart%5B1%5D.quantity=0&cart%5B1%5D.unit_price=5&cart%5B2%5D.sku=&cart%5B2%5D.quantity=2&cart%5B2%5D.unit_price=3",
        );
        assert!(fixed.read(usd(), &mut errors).is_none());
        assert_eq!(errors.get("cart[1].quantity"), Some("must be 1 to 1000000"));
        assert_eq!(errors.get("cart[2].sku"), Some("must be 1 to 128 characters"));
    }
}
