//! placeholder until the mapping lands
use super::{MappingError, ShopCommand};
pub fn map(_topic: &str, _host: &str, _body: &[u8]) -> Result<Vec<ShopCommand>, MappingError> {
    Err(MappingError::new("x"))
}
pub fn dedupe_key(_body: &[u8]) -> Option<String> {
    None
}
pub fn source_host(_s: &str) -> Option<String> {
    None
}
