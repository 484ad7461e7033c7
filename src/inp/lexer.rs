//! Splitting `.inp` text into sections, lines and tokens, the way EPANET's tokenizer does.
//!
//! A line is cut at its first `;` (the rest is its comment), then split on
//! blanks, tabs and line ends; a double quote starts a token that runs to
//! the next double quote, so quoted ids may contain blanks. Section headers
//! and keywords are matched case-insensitively by prefix: the file's token
//! must begin with EPANET's keyword (`TRIALS` begins with `TRIAL`).

use std::borrow::Cow;

use super::diagnostic::Section;

/// One meaningful line of the file (blank and comment-only lines are dropped).
#[derive(Debug, Clone)]
pub(crate) struct Line<'a> {
    /// 1-based line number.
    pub number: usize,
    /// The section the line belongs to.
    pub section: Section,
    /// The tokens before any `;`.
    pub tokens: Vec<&'a str>,
    /// The text after the first `;`, trimmed, if not empty.
    pub comment: Option<&'a str>,
    /// The line before any `;`, trimmed (for sections kept verbatim).
    pub text: &'a str,
}

impl Line<'_> {
    /// A line with nothing in it yet, to be filled by [`RawLine::cut_into`].
    pub fn blank() -> Self {
        Line {
            number: 0,
            section: Section::Title,
            tokens: Vec::new(),
            comment: None,
            text: "",
        }
    }
}

/// A meaningful line as the lexer keeps it, cut into tokens only when read
/// ([`RawLine::line`]), so that a large file's tokens are never all held at once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawLine<'a> {
    /// 1-based line number.
    pub number: usize,
    /// The section the line belongs to.
    pub section: Section,
    /// The whole line, without its line end.
    raw: &'a str,
    /// Where its first `;` is (its length if it has none).
    comment_at: usize,
}

impl<'a> RawLine<'a> {
    /// The line cut at its first `;` and split into tokens.
    pub fn line(&self) -> Line<'a> {
        let mut line = Line::blank();
        self.cut_into(&mut line);
        line
    }

    /// As [`RawLine::line`], into `line`, whose token list is reused.
    pub fn cut_into(&self, line: &mut Line<'a>) {
        let data = &self.raw[..self.comment_at];
        line.number = self.number;
        line.section = self.section;
        line.tokens.clear();
        tokenize_into(data, &mut line.tokens);
        line.comment = self
            .raw
            .get(self.comment_at + 1..)
            .and_then(|c| non_empty(c.trim()));
        line.text = data.trim();
    }
}

/// What the lexer found: the lines of known sections and the headers it did not know.
#[derive(Debug, Default)]
pub(crate) struct Lexed<'a> {
    /// Lines of known sections, in file order.
    pub lines: Vec<RawLine<'a>>,
    /// Unknown section headers: (line number, header token).
    pub bad_headers: Vec<(usize, &'a str)>,
    /// Lines that EPANET would split because they are too long: (line number, length).
    pub long_lines: Vec<(usize, usize)>,
}

/// EPANET reads at most this many characters of a line (`MAXLINE` − 1).
pub(crate) const MAX_LINE: usize = 1023;

/// Decodes a file's bytes: UTF-8 if valid (a byte-order mark is dropped),
/// else Latin-1, where every byte is the character of the same number.
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// Splits the text into lines of known sections. Lines before the first
/// header belong to `[TITLE]`... EPANET ignores them, and so do we; lines
/// after `[END]` are ignored too.
pub(crate) fn lex(text: &str) -> Lexed<'_> {
    let mut lexed = Lexed::default();
    let mut section: Option<Section> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let number = i + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.len() > MAX_LINE {
            lexed.long_lines.push((number, raw.chars().count()));
        }
        let comment_at = raw.find(';').unwrap_or(raw.len());
        let Some(first) = first_token(&raw[..comment_at]) else {
            continue;
        };
        if first.starts_with('[') {
            section = find_section(first);
            match section {
                Some(Section::End) => break,
                Some(_) => {}
                None => lexed.bad_headers.push((number, first)),
            }
            continue;
        }
        if let Some(section) = section {
            lexed.lines.push(RawLine {
                number,
                section,
                raw,
                comment_at,
            });
        }
    }
    lexed
}

/// The first token of a line (already cut at `;`), as [`tokenize_into`] would give it.
fn first_token(data: &str) -> Option<&str> {
    let start = data.bytes().position(|b| !is_separator(b))?;
    let rest = &data[start..];
    if let Some(quoted) = rest.strip_prefix('"') {
        return Some(quoted.find('"').map_or(quoted, |end| &quoted[..end]));
    }
    let end = rest.bytes().position(is_separator).unwrap_or(rest.len());
    Some(&rest[..end])
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// The section whose `[NAME]` begins the token, case-insensitively.
fn find_section(token: &str) -> Option<Section> {
    Section::ALL.into_iter().find(|s| {
        let name = s.name();
        token.len() >= name.len() + 2
            && token.as_bytes()[0] == b'['
            && token.as_bytes()[1..=name.len()].eq_ignore_ascii_case(name.as_bytes())
            && token.as_bytes()[name.len() + 1] == b']'
    })
}

fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Splits a line (already cut at `;`) into tokens.
#[cfg(test)]
fn tokenize(data: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    tokenize_into(data, &mut tokens);
    tokens
}

/// Splits a line (already cut at `;`) into tokens, added to `tokens`.
fn tokenize_into<'a>(data: &'a str, tokens: &mut Vec<&'a str>) {
    let bytes = data.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if is_separator(bytes[i]) {
            i += 1;
            continue;
        }
        if bytes[i] == b'"' {
            let start = i + 1;
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'"')
                .map_or(bytes.len(), |p| start + p);
            tokens.push(&data[start..end]);
            i = end + 1;
        } else {
            let start = i;
            while i < bytes.len() && !is_separator(bytes[i]) {
                i += 1;
            }
            tokens.push(&data[start..i]);
        }
    }
}

/// Whether `token` begins with `keyword`, ignoring ASCII case (EPANET's `match`).
pub(crate) fn matches(token: &str, keyword: &str) -> bool {
    token.len() >= keyword.len()
        && token.as_bytes()[..keyword.len()].eq_ignore_ascii_case(keyword.as_bytes())
}

/// Parses a number as EPANET does (the whole token must be a number); rejects
/// infinities and NaN.
pub(crate) fn number(token: &str) -> Option<f64> {
    plain_decimal(token).or_else(|| token.parse::<f64>().ok().filter(|v| v.is_finite()))
}

/// 10⁰ to 10²², the powers of ten an `f64` holds exactly.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The value of a plain decimal token, `[+-]digits[.digits]` without an
/// exponent, when it can be had in one division; `None` for any other
/// token, which the standard library's parser then reads.
///
/// With its digits read as an integer `m < 2⁵³` and `k ≤ 22` digits after
/// the point, both `m` and `10ᵏ` are exact in an `f64`, so the correctly
/// rounded quotient `m / 10ᵏ` is the correctly rounded value of the
/// decimal (Clinger's fast path, "How to read floating point numbers
/// accurately", 1990): the very number `str::parse` gives, at a fraction
/// of its cost on the short numbers of `.inp` files.
fn plain_decimal(token: &str) -> Option<f64> {
    let bytes = token.as_bytes();
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        b'+' => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let mut mantissa: u64 = 0;
    let mut decimals = 0;
    let mut any_digit = false;
    let mut after_point = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
                any_digit = true;
                decimals += usize::from(after_point);
            }
            b'.' if !after_point => after_point = true,
            _ => return None,
        }
    }
    if !any_digit || mantissa >= 1 << 53 || decimals >= EXACT_POWERS_OF_TEN.len() {
        return None;
    }
    let value = mantissa as f64 / EXACT_POWERS_OF_TEN[decimals];
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_group_a_token_and_semicolon_starts_a_comment() {
        assert_eq!(tokenize(" \"a b\"\tc  d"), vec!["a b", "c", "d"]);
        let lexed = lex("[JUNCTIONS]\nJ1 10 ; first\r\n");
        assert_eq!(lexed.lines[0].line().tokens, vec!["J1", "10"]);
        assert_eq!(lexed.lines[0].line().comment, Some("first"));
    }

    #[test]
    fn sections_are_case_insensitive_and_unknown_ones_are_reported() {
        let lexed = lex("[junctions]\nJ1 1\n[COORDS]\nJ1 1 2\n[END]\nJUNK\n");
        assert_eq!(lexed.lines.len(), 1);
        assert_eq!(lexed.lines[0].section, Section::Junctions);
        assert_eq!(lexed.bad_headers, vec![(3, "[COORDS]")]);
    }

    #[test]
    fn first_token_is_the_first_of_tokenize() {
        for data in ["  a b", "\"x y\" z", "\"open", "\t[JUNCTIONS]  ", "\"\" a"] {
            assert_eq!(
                first_token(data),
                tokenize(data).first().copied(),
                "{data:?}"
            );
        }
        assert_eq!(first_token(" \t "), None);
    }

    #[test]
    fn keywords_match_by_prefix() {
        assert!(matches("Trials", "TRIAL"));
        assert!(!matches("TRI", "TRIAL"));
        assert_eq!(number("1e1"), Some(10.0));
        assert_eq!(number("inf"), None);
        assert_eq!(number("1,5"), None);
    }

    /// The fast path gives the standard library's value, bit for bit,
    /// wherever it applies, and leaves every other token to it.
    #[test]
    fn plain_decimals_read_as_the_standard_parser_reads_them() {
        let same = |token: &str| {
            let ours = number(token).map(f64::to_bits);
            let std = token.parse::<f64>().ok().filter(|v| v.is_finite());
            assert_eq!(ours, std.map(f64::to_bits), "{token:?}");
        };
        let tokens = "0 -0 +0 -0.0 0.1 -.5 5. +.5 . - + 1e3 1E-3 inf NaN 1.2.3 12a 0x10 1,5 --1 \
                      130 -2.0 4.35 99.99 9007199254740991 9007199254740992 9007199254740993 \
                      0.3000000000000000444 1.0000000000000000000000 0.0000000000000000000001 \
                      123456789012345678901234567890 007.50 -000.000 00000000000000000000000001";
        for token in tokens.split_whitespace() {
            same(token);
        }
        // 20 000 pseudo-random digit strings of 1 to 17 digits (below and
        // above 2^53), each with a point at a pseudo-random place, signed or not.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let digits = format!("{}", state % 10u64.pow(1 + (state % 17) as u32));
            let point = (state >> 40) as usize % (digits.len() + 1);
            let sign = ["", "-", "+"][(state >> 50) as usize % 3];
            same(&format!("{sign}{}.{}", &digits[..point], &digits[point..]));
            same(&format!("{sign}{digits}"));
        }
    }

    #[test]
    fn latin1_bytes_become_characters() {
        assert_eq!(decode(b"caf\xe9"), "café");
        assert_eq!(decode("café".as_bytes()), "café");
    }
}
