//! placeholder until the mapping lands
