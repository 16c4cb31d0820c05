//! The rules of every CSV file we write (RFC 4180 via the `csv` crate, CRLF, UTF-8):
//! text cells escaped against spreadsheet formula injection, numbers we format
//! ourselves written as they are. The service layer builds rows of [`Cell`]s, so every
//! door that offers a file (the API, the portal) writes the same bytes.

/// One CSV cell. Text that a spreadsheet would read as a formula (`= + - @`, tab, CR)
/// gets a leading `'` (OWASP "CSV Injection"); numbers we format ourselves are written
/// as they are, so `-13.75` stays a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(String),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Self {
        Self::Text(value.into())
    }

    pub fn number(value: impl ToString) -> Self {
        Self::Number(value.to_string())
    }

    fn render(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::Number(n) => n.into(),
            Self::Text(t) if t.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{t}").into(),
            Self::Text(t) => t.into(),
        }
    }
}

/// Encodes rows (optionally after a header) as CSV bytes.
pub fn encode(header: Option<&[&str]>, rows: &[Vec<Cell>]) -> Result<Vec<u8>, ::csv::Error> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    if let Some(header) = header {
        writer.write_record(header)?;
    }
    for row in rows {
        writer.write_record(row.iter().map(|c| c.render().into_owned()))?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        let rows = vec![vec![
            Cell::text("=HYPERLINK(\"http://x\")"),
            Cell::text("+1"),
            Cell::text("@SUM(A1)"),
            Cell::text("-2"),
            Cell::text("\tx"),
            Cell::number("-13.75"),
            Cell::text("Ana, \"the\" best"),
        ]];
        let out = String::from_utf8(encode(Some(&["a", "b", "c", "d", "e", "f", "g"]), &rows).unwrap_or_default())
            .unwrap_or_default();
        assert_eq!(
            out,
            "a,b,c,d,e,f,g\r\n\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'@SUM(A1),'-2,'\tx,-13.75,\"Ana, \"\"the\"\" best\"\r\n"
        );
    }
}
