//! One module per page.

pub mod brand;
pub mod codes;
pub mod deal;
pub mod deal_forms;
pub mod deals;
pub mod invitations;
pub mod join;
pub mod landing;
pub mod login;
pub mod notice;
pub mod order;
pub mod orders;
pub mod overview;
pub mod password;
pub mod profile;
pub mod rewards;
pub mod signup;
