//! One module per page.

pub mod landing;
pub mod login;
pub mod overview;
