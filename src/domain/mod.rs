//! Pure rules with no I/O: parsing input into domain types, money and currencies.
//! Nothing here knows about HTTP or the database.

pub mod adjustment;
pub mod cart;
pub mod codes;
pub mod commission;
pub mod conversion;
pub mod csv;
pub mod currency;
pub mod decimal;
pub mod discount;
pub mod display;
pub mod email;
pub mod fraud;
pub mod fx;
pub mod invitation;
pub mod landing;
pub mod money;
pub mod names;
pub mod order_commission;
pub mod password;
pub mod period;
pub mod refund;
pub mod rewards;
pub mod shipping;
pub mod shop_id;
pub mod signing_secret;
pub mod slug;
pub mod status;
pub mod terms;
pub mod text;
pub mod url;

pub use currency::Currency;
pub use email::Email;
pub use names::{BrandName, DisplayName, KeyName};
pub use password::Password;
pub use slug::Slug;
pub use url::LandingUrl;
