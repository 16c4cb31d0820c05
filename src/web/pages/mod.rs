//! One module per page.

pub mod codes;
pub mod invitations;
pub mod landing;
pub mod login;
pub mod overview;
pub mod password;
pub mod profile;
pub mod signup;
