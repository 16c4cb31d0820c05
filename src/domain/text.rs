//! The one rule for text that people type and others read: no control characters and no
//! invisible or text-direction formatting characters.
//!
//! Names, e-mails, codes, SKUs and ids are shown at checkout ("supporting …"), in brand
//! lists, CSV exports and PayPal files. A right-to-left override (U+202E) shows
//! "Ana\u{202E}moc.evil" as something else than it is, and a zero-width space makes a
//! payout e-mail that looks right but goes elsewhere. Every parser of such input calls
//! [`refuse_invisible`]; stored rows are never checked again on reading, so values
//! written before the rule still load.

use std::borrow::Cow;

/// Whether a text may hold line breaks (`\n` only): a shipping address may, a name not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// ZERO WIDTH JOINER, the one invisible character with an exception (see
/// [`refuse_invisible`]).
const ZWJ: char = '\u{200D}';

/// The characters that change how text around them is ordered, or that render as
/// nothing: the Unicode bidirectional controls, the zero-width and invisible formatting
/// characters, the line and paragraph separators, and characters that render blank.
pub fn is_invisible_or_bidi(c: char) -> bool {
    matches!(
        c,
        // Soft hyphen: invisible unless a line breaks there, so it splits words that
        // a reader (or a filter) would otherwise recognise.
        '\u{00AD}'
        // Combining grapheme joiner.
        | '\u{034F}'
        // Arabic letter mark (a bidi control).
        | '\u{061C}'
        // Hangul fillers: render blank, a classic "invisible name".
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
        // Khmer inherent vowels, which the standard says not to use.
        | '\u{17B4}' | '\u{17B5}'
        // Mongolian vowel separator.
        | '\u{180E}'
        // Zero width space, non-joiner and joiner; left-to-right and right-to-left marks.
        | '\u{200B}'..='\u{200F}'
        // Line and paragraph separators; bidi embeddings and overrides (U+202A–U+202E).
        | '\u{2028}'..='\u{202E}'
        // Word joiner, invisible maths operators; bidi isolates (U+2066–U+2069); the
        // deprecated shaping controls (U+206A–U+206F).
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        // Byte order mark / zero width no-break space.
        | '\u{FEFF}'
        // Interlinear annotation controls.
        | '\u{FFF9}'..='\u{FFFB}'
        // Shorthand format controls, musical formatting.
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        // Tag characters: they carry hidden ASCII text.
        | '\u{E0000}'..='\u{E007F}'
    )
}

/// Characters an emoji ZWJ sequence is built from (woman + ZWJ + laptop, the rainbow
/// flag): pictographs, skin tones (inside U+1F000–U+1FAFF) and the emoji presentation
/// selector.
fn is_emoji_part(c: char) -> bool {
    matches!(
        c,
        '\u{2300}'..='\u{23FF}'
            | '\u{2600}'..='\u{27BF}'
            | '\u{2B00}'..='\u{2BFF}'
            | '\u{1F000}'..='\u{1FAFF}'
            | '\u{FE0F}'
    )
}

/// Ok when `value` holds no control character (but `\n` where `lines` allows it) and no
/// [invisible or bidi character](is_invisible_or_bidi). The one exception is a zero
/// width joiner between two emoji, which draws one glyph (woman + ZWJ + laptop) and
/// hides nothing; anywhere else it is refused like its neighbours.
pub fn refuse_invisible(value: &str, lines: Lines) -> Result<(), String> {
    let mut previous: Option<char> = None;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_control() && !(c == '\n' && lines == Lines::Many) {
            return Err(match lines {
                Lines::One => "must not contain control characters or line breaks".into(),
                Lines::Many => "must not contain control characters other than line breaks".into(),
            });
        }
        let joins_emoji =
            c == ZWJ && previous.is_some_and(is_emoji_part) && chars.peek().copied().is_some_and(is_emoji_part);
        if is_invisible_or_bidi(c) && !joins_emoji {
            return Err(format!(
                "must not contain invisible or text-direction characters (found U+{:04X})",
                u32::from(c)
            ));
        }
        previous = Some(c);
    }
    Ok(())
}

/// `value` without control, invisible and bidi characters: for text that is looked up
/// or shown but not refused, such as the code a customer typed at checkout (refusing
/// it would lose the order; codes themselves are plain ASCII).
pub fn without_invisible(value: &str) -> Cow<'_, str> {
    let hidden = |c: char| c.is_control() || is_invisible_or_bidi(c);
    if value.contains(hidden) {
        Cow::Owned(value.chars().filter(|&c| !hidden(c)).collect())
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every character the rule exists for (the hardening issue's list).
    const LISTED: &[char] = &[
        '\u{061C}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}',
        '\u{202D}', '\u{202E}', '\u{2028}', '\u{2029}', '\u{2060}', '\u{2061}', '\u{2062}', '\u{2063}', '\u{2064}',
        '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{FEFF}', '\u{180E}', '\u{00AD}',
    ];

    #[test]
    fn refuses_every_listed_character_and_names_it() {
        for &c in LISTED {
            assert!(is_invisible_or_bidi(c), "U+{:04X}", u32::from(c));
            let message = refuse_invisible(&format!("Ana{c}Park"), Lines::One)
                .err()
                .unwrap_or_default();
            assert!(message.contains(&format!("U+{:04X}", u32::from(c))), "{message}");
        }
    }

    #[test]
    fn accepts_ordinary_text_in_any_script() {
        for ok in [
            "Zoë Park",
            "Ana's Coffee & Co.",
            "محمد",
            "שלום",
            "山田太郎",
            "Łódź — café",
            "TV-1/SKU_2",
            "☕ lover 🇫🇷",
        ] {
            assert_eq!(refuse_invisible(ok, Lines::One), Ok(()), "{ok}");
        }
    }

    #[test]
    fn line_breaks_only_where_allowed() {
        assert!(refuse_invisible("1 Main St\nSpringfield", Lines::Many).is_ok());
        assert!(refuse_invisible("1 Main St\nSpringfield", Lines::One).is_err());
        assert!(refuse_invisible("1 Main St\r\nSpringfield", Lines::Many).is_err());
        assert!(refuse_invisible("1 Main St\u{2028}Springfield", Lines::Many).is_err());
        assert!(refuse_invisible("nul\u{0}byte", Lines::Many).is_err());
    }

    #[test]
    fn a_joiner_is_allowed_only_inside_an_emoji_sequence() {
        for ok in ["👩\u{200D}💻", "🏳\u{FE0F}\u{200D}🌈", "Ana 👨\u{200D}👩\u{200D}👧"] {
            assert_eq!(refuse_invisible(ok, Lines::One), Ok(()), "{ok}");
        }
        for bad in ["A\u{200D}na", "\u{200D}👩", "👩\u{200D}", "👩\u{200D}a", "a\u{200D}👩"] {
            assert!(refuse_invisible(bad, Lines::One).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn without_invisible_drops_what_the_rule_refuses() {
        assert_eq!(without_invisible("ANA10\u{200E}"), "ANA10");
        assert_eq!(without_invisible("\u{202E}01ANA\u{0}"), "01ANA");
        assert!(matches!(without_invisible("ANA10"), Cow::Borrowed("ANA10")));
    }

    proptest! {
        #[test]
        fn any_invisible_character_anywhere_is_refused(
            before in "[a-zA-Z0-9 .@_-]{0,20}",
            after in "[a-zA-Z0-9 .@_-]{0,20}",
            pick in 0..LISTED.len(),
        ) {
            let value = format!("{before}{}{after}", LISTED[pick]);
            prop_assert!(refuse_invisible(&value, Lines::One).is_err());
            prop_assert!(refuse_invisible(&value, Lines::Many).is_err());
            prop_assert_eq!(without_invisible(&value), format!("{before}{after}"));
        }

        #[test]
        fn printable_text_without_formatting_characters_passes(value in "\\PC{0,40}") {
            let expected = !value.chars().any(|c| c.is_control() || is_invisible_or_bidi(c));
            prop_assert_eq!(refuse_invisible(&value, Lines::One).is_ok(), expected);
        }
    }
}
