//! Shared by the benchmark binaries: writing their section of BENCHMARKS.md.

/// Replaces the text between `marker` lines in BENCHMARKS.md (or appends it).
pub fn write_section(marker: &str, section: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/BENCHMARKS.md");
    let current = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n\n".into());
    let block = format!("{marker}\n{section}{marker}\n");
    let updated = match (current.find(marker), current.rfind(marker)) {
        (Some(a), Some(b)) if b > a => format!("{}{block}{}", &current[..a], &current[b + marker.len() + 1..]),
        _ => format!("{current}\n{block}"),
    };
    let _ = std::fs::write(path, updated);
}
