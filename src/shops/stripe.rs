//! placeholder until the mapping lands
use super::{MappingError, ShopCommand};
pub fn map(_body: &[u8]) -> Result<ShopCommand, MappingError> {
    Err(MappingError::new("x"))
}
pub fn event_id(_body: &[u8]) -> Option<String> {
    None
}
pub fn event_type(_body: &[u8]) -> Option<String> {
    None
}
