//! placeholder until the mapping lands
use super::{MappingError, ShopCommand};
pub fn map(_topic: &str, _body: &[u8]) -> Result<ShopCommand, MappingError> {
    Err(MappingError::new("x"))
}
