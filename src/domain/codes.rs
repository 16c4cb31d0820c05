//! Referral codes: vanity codes chosen by people, generated codes, and the lenient form
//! used to look a code up at checkout or in a link.

use chrono::{DateTime, Utc};
use rand::Rng;

use super::text::without_invisible;

/// A referral code in its normalised form: 3–32 characters of `A–Z 0–9 - _`, upper
/// case, so "ana10" and "ANA10" are one code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeText(String);

impl CodeText {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CodeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub const MIN_CODE_CHARS: usize = 3;
pub const MAX_CODE_CHARS: usize = 32;

/// Codes nobody may choose. Generic words are the first thing a bargain hunter types
/// into a checkout box (FREE, SALE, WELCOME), read as the shop's own coupons rather than
/// an ambassador's (DISCOUNT, PROMO, GIFT), look official (ADMIN, STAFF, SUPPORT,
/// REFTRACK, EMPLOYEE), or are what broken clients send (NULL, NONE, UNDEFINED, TEST).
/// Only the exact word is reserved: "ANA-FREE" is fine. Stored upper case.
pub const RESERVED: &[&str] = &[
    "ADMIN",
    "API",
    "CODE",
    "COUPON",
    "DISCOUNT",
    "FREE",
    "FREESHIP",
    "GIFT",
    "NULL",
    "NONE",
    "PROMO",
    "REFTRACK",
    "ROOT",
    "SALE",
    "STAFF",
    "SUPPORT",
    "TEST",
    "UNDEFINED",
    "WELCOME",
    "EMPLOYEE",
];

fn is_code_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn is_reserved(upper: &str) -> bool {
    RESERVED.contains(&upper)
}

/// Trim, check length and charset, upper-case. `None` when it cannot be a code.
fn normalize(input: &str) -> Option<CodeText> {
    let value = input.trim();
    // All allowed characters are ASCII, so bytes are characters once the charset holds.
    let fits = (MIN_CODE_CHARS..=MAX_CODE_CHARS).contains(&value.len()) && value.bytes().all(is_code_byte);
    fits.then(|| CodeText(value.to_ascii_uppercase()))
}

/// A code someone chose ("ana10"): trimmed, 3–32 characters of `A–Z a–z 0–9 - _`, and
/// not a [`RESERVED`] word in any case.
pub fn parse_vanity(input: &str) -> Result<CodeText, String> {
    let value = input.trim();
    if !value.is_ascii() || !value.bytes().all(is_code_byte) {
        return Err("may contain only A-Z, a-z, 0-9, - and _".into());
    }
    let code = normalize(value).ok_or_else(|| format!("must be {MIN_CODE_CHARS} to {MAX_CODE_CHARS} characters"))?;
    if is_reserved(code.as_str()) {
        return Err(format!("`{code}` is reserved; choose another code"));
    }
    Ok(code)
}

/// A code's `max_uses`: at least 1 (no limit is the absence of one).
pub fn parse_max_uses(value: i64) -> Result<i64, String> {
    if value >= 1 {
        Ok(value)
    } else {
        Err("must be at least 1".into())
    }
}

/// A code's `expires_at`: a moment still ahead of `now`.
pub fn parse_expiry(value: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if value > now {
        Ok(value)
    } else {
        Err("must be in the future".into())
    }
}

/// A code as typed at checkout or found in a link, ready to look up. Reserved words
/// pass: they simply will not be found, and refusing them here would tell a caller
/// which words are special. Invisible and bidi characters are dropped first: a code
/// copied from a social post often carries one (U+200E, U+FEFF), and codes are ASCII,
/// so dropping them can never make one code look like another.
pub fn normalize_lookup(input: &str) -> Option<CodeText> {
    normalize(&without_invisible(input))
}

/// Characters of the random part of generated codes: no 0/O, 1/I/L, which are misread
/// when a code is said on a video or copied from a screenshot.
pub const SAFE_ALPHABET: &str = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

const NAME_LETTERS: usize = 6;
const SUFFIX_CHARS: usize = 4;
const FALLBACK_PREFIX: &str = "REF";

/// A fresh code for an ambassador: up to six letters of the display name ("Zoë Park" →
/// "ZOEPAR"), or "REF" when the name has fewer than two usable letters, then four
/// random characters from [`SAFE_ALPHABET`]. Always 6–10 characters and always a valid
/// [`parse_vanity`] code. Uniqueness is the store's job: retry on conflict.
pub fn generate(display_name: &str, rng: &mut impl Rng) -> CodeText {
    let letters: String = display_name
        .chars()
        .filter_map(ascii_letter)
        .take(NAME_LETTERS)
        .collect();
    let prefix = if letters.len() < 2 {
        FALLBACK_PREFIX
    } else {
        letters.as_str()
    };
    let alphabet = SAFE_ALPHABET.as_bytes();
    let suffix: [u8; SUFFIX_CHARS] = std::array::from_fn(|_| alphabet[rng.random_range(0..alphabet.len())]);
    with_suffix(prefix, suffix)
}

/// Joins prefix and suffix, steering clear of reserved words: a name prefix plus random
/// characters can spell one ("REFT" + "RACK"). Cycling the last character through the
/// alphabet gives `SAFE_ALPHABET.len()` distinct candidates, more than there are
/// reserved words, so one of them is free.
fn with_suffix(prefix: &str, suffix: [u8; SUFFIX_CHARS]) -> CodeText {
    let alphabet = SAFE_ALPHABET.as_bytes();
    let last = alphabet
        .iter()
        .position(|&c| c == suffix[SUFFIX_CHARS - 1])
        .unwrap_or(0);
    for step in 0..alphabet.len() {
        let mut candidate = String::with_capacity(prefix.len() + SUFFIX_CHARS);
        candidate.push_str(prefix);
        candidate.extend(suffix[..SUFFIX_CHARS - 1].iter().map(|&b| char::from(b)));
        candidate.push(char::from(alphabet[(last + step) % alphabet.len()]));
        if !is_reserved(&candidate) {
            return CodeText(candidate);
        }
    }
    // Unreachable (see above); "REF" + four characters is seven long, the length of no
    // reserved word starting with REF, so this is still a valid code.
    let mut fallback = FALLBACK_PREFIX.to_owned();
    fallback.extend(suffix.iter().map(|&b| char::from(b)));
    CodeText(fallback)
}

/// The upper-case ASCII letter a character stands for: ASCII letters themselves, and
/// Latin letters with a simple diacritic (é → E, ł → L). Anything else, including
/// digits and letters of other scripts, is skipped.
fn ascii_letter(c: char) -> Option<char> {
    if c.is_ascii_alphabetic() {
        return Some(c.to_ascii_uppercase());
    }
    let base = match c {
        'À'..='Å' | 'à'..='å' | 'Ā' | 'ā' | 'Ă' | 'ă' | 'Ą' | 'ą' => 'A',
        'Ç' | 'ç' | 'Ć' | 'ć' | 'Ĉ' | 'ĉ' | 'Ċ' | 'ċ' | 'Č' | 'č' => 'C',
        'Ď' | 'ď' | 'Đ' | 'đ' => 'D',
        'È'..='Ë' | 'è'..='ë' | 'Ē' | 'ē' | 'Ė' | 'ė' | 'Ę' | 'ę' | 'Ě' | 'ě' => 'E',
        'Ĝ' | 'ĝ' | 'Ğ' | 'ğ' | 'Ġ' | 'ġ' | 'Ģ' | 'ģ' => 'G',
        'Ì'..='Ï' | 'ì'..='ï' | 'Ī' | 'ī' | 'Į' | 'į' | 'İ' | 'ı' => 'I',
        'Ķ' | 'ķ' => 'K',
        'Ĺ' | 'ĺ' | 'Ļ' | 'ļ' | 'Ľ' | 'ľ' | 'Ł' | 'ł' => 'L',
        'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ņ' | 'ņ' | 'Ň' | 'ň' => 'N',
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō' | 'ō' | 'Ő' | 'ő' => 'O',
        'Ŕ' | 'ŕ' | 'Ř' | 'ř' => 'R',
        'Ś' | 'ś' | 'Ş' | 'ş' | 'Š' | 'š' | 'Ș' | 'ș' => 'S',
        'Ţ' | 'ţ' | 'Ť' | 'ť' | 'Ț' | 'ț' => 'T',
        'Ù'..='Ü' | 'ù'..='ü' | 'Ū' | 'ū' | 'Ů' | 'ů' | 'Ű' | 'ű' | 'Ų' | 'ų' => 'U',
        'Ý' | 'ý' | 'ÿ' | 'Ÿ' => 'Y',
        'Ź' | 'ź' | 'Ż' | 'ż' | 'Ž' | 'ž' => 'Z',
        _ => return None,
    };
    Some(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn vanity(s: &str) -> Result<String, String> {
        parse_vanity(s).map(|c| c.0)
    }

    #[test]
    fn vanity_codes_are_trimmed_and_upper_cased() {
        assert_eq!(vanity("  ana_10-x "), Ok("ANA_10-X".to_owned()));
        assert_eq!(vanity("abc"), Ok("ABC".to_owned()));
        assert!(vanity(&"a".repeat(32)).is_ok());
    }

    #[test]
    fn vanity_codes_refuse_bad_length_and_characters() {
        for bad in [
            "",
            "ab",
            "  ab  ",
            &"a".repeat(33),
            "ana 10",
            "ana.10",
            "zoë10",
            "ana10!",
            "ＡＮＡ10",
            "ana\u{200B}10",
            "\u{202E}01ana",
            "ana10\u{FEFF}",
        ] {
            assert!(parse_vanity(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn reserved_words_are_refused_in_any_case_but_only_exactly() {
        for word in RESERVED {
            assert!(parse_vanity(word).is_err(), "{word} accepted");
            assert!(parse_vanity(&word.to_ascii_lowercase()).is_err(), "{word} accepted");
        }
        assert_eq!(
            parse_vanity("Free").err().as_deref(),
            Some("`FREE` is reserved; choose another code")
        );
        assert!(parse_vanity("ANA-FREE").is_ok());
    }

    #[test]
    fn lookup_normalises_and_lets_reserved_words_through() {
        assert_eq!(
            normalize_lookup(" ana10 ").map(|c| c.to_string()),
            Some("ANA10".to_owned())
        );
        assert_eq!(normalize_lookup("free").map(|c| c.0), Some("FREE".to_owned()));
        for bad in ["", "ab", "ana 10", "ana%20", &"a".repeat(33)] {
            assert_eq!(normalize_lookup(bad), None, "{bad} looked up");
        }
    }

    #[test]
    fn lookup_drops_invisible_marks_pasted_with_a_code() {
        for pasted in [
            "ANA10\u{200E}",
            "\u{FEFF}ana10",
            "AN\u{200B}A10",
            "\u{2066}ANA10\u{2069}",
        ] {
            assert_eq!(
                normalize_lookup(pasted).map(|c| c.0),
                Some("ANA10".to_owned()),
                "{pasted:?}"
            );
        }
    }

    #[test]
    fn safe_alphabet_has_no_look_alikes() {
        for c in ['0', 'O', '1', 'I', 'L'] {
            assert!(!SAFE_ALPHABET.contains(c), "{c}");
        }
        assert!(SAFE_ALPHABET.bytes().all(is_code_byte));
        assert!(SAFE_ALPHABET.len() > RESERVED.len());
    }

    #[test]
    fn generated_codes_take_letters_from_the_name() {
        let mut rng = StdRng::seed_from_u64(7);
        let code = generate("Zoë Park-Łukasz 2", &mut rng);
        assert_eq!(code.as_str().get(..6), Some("ZOEPAR"));
        assert_eq!(code.as_str().len(), 10);

        let code = generate("Al", &mut rng);
        assert_eq!(code.as_str().get(..2), Some("AL"));
        assert_eq!(code.as_str().len(), 6);

        for name in ["", "X", "李小龍", "42", "  ", "A😀"] {
            let code = generate(name, &mut rng);
            assert_eq!(code.as_str().get(..3), Some("REF"), "{name}");
            assert_eq!(code.as_str().len(), 7);
        }
    }

    #[test]
    fn a_suffix_that_would_spell_a_reserved_word_is_changed() {
        let code = with_suffix("REFT", *b"RACK");
        assert_ne!(code.as_str(), "REFTRACK");
        assert_eq!(code.as_str().get(..7), Some("REFTRAC"));
        assert!(parse_vanity(code.as_str()).is_ok());
        assert_eq!(with_suffix("REFT", *b"RACE").as_str(), "REFTRACE");
    }

    /// Names that start with a reserved word, or with any prefix of one, in mixed case.
    fn risky_name() -> impl Strategy<Value = String> {
        (proptest::sample::select(RESERVED), 0usize..=9, any::<bool>()).prop_map(|(word, len, lower)| {
            let part = word.get(..len.min(word.len())).unwrap_or(word);
            if lower { part.to_lowercase() } else { part.to_owned() }
        })
    }

    proptest! {
        #[test]
        fn generated_codes_are_always_valid_vanity_codes(
            name in prop_oneof![any::<String>(), "\\PC{0,40}", risky_name()],
            seed: u64,
        ) {
            let mut rng = StdRng::seed_from_u64(seed);
            let code = generate(&name, &mut rng);
            prop_assert!((6..=10).contains(&code.as_str().len()), "{}", code);
            prop_assert_eq!(parse_vanity(code.as_str()), Ok(code.clone()));
            let suffix = code.as_str().get(code.as_str().len() - SUFFIX_CHARS..).unwrap_or_default();
            prop_assert!(suffix.chars().all(|c| SAFE_ALPHABET.contains(c)), "{}", code);
        }

        #[test]
        fn every_suffix_avoids_reserved_words(
            word in proptest::sample::select(RESERVED),
            len in 2usize..=NAME_LETTERS,
            suffix in proptest::array::uniform4(proptest::sample::select(SAFE_ALPHABET.as_bytes().to_vec())),
        ) {
            // Every prefix a name can give (2–6 letters) of every reserved word.
            let prefix = word.get(..len.min(word.len())).unwrap_or(word);
            let code = with_suffix(prefix, suffix);
            prop_assert!(parse_vanity(code.as_str()).is_ok(), "{}", code);
        }

        #[test]
        fn vanity_then_lookup_agree(s in "[A-Za-z0-9_-]{3,32}") {
            let vanity = parse_vanity(&s);
            let lookup = normalize_lookup(&s);
            prop_assert!(lookup.is_some());
            if let Ok(code) = vanity {
                prop_assert_eq!(Some(code), lookup);
            }
        }
    }
}
