//! Rebuilds when a migration is added, so `embed_migrations!` never misses one.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
