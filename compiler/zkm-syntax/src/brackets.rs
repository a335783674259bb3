//! Bracket bookkeeping on the token stream, done before and after parsing.
//!
//! Before parsing, [`check_nesting`] rejects token streams whose brackets (or runs of unary
//! `-`) nest deeper than [`MAX_NESTING`], so that no stage ever builds or walks a tree deep
//! enough to overflow the stack. After parsing, [`Brackets`] tells the error conversion which
//! opening brackets are never closed (E0203), which closers match nothing, and where statement
//! boundaries lie.
//!
//! Matching follows one rule everywhere: a closer pops the innermost opener of its kind,
//! treating any openers above it as unclosed; a closer with no opener of its kind is ignored.

use zkm_diagnostics::{codes, Diagnostic, FileId, Span};

use crate::lexer::{SpannedToken, Token};

/// The deepest allowed bracket nesting, and the longest allowed run of `-` tokens.
pub const MAX_NESTING: usize = 64;

/// An opening bracket: its token and byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Opener {
    /// `(`, `[` or `{`.
    pub(crate) open: char,
    /// Byte offset of the opener.
    pub(crate) start: usize,
}

impl Opener {
    /// The closing bracket that matches this opener.
    pub(crate) fn closer(self) -> char {
        match self.open {
            '(' => ')',
            '[' => ']',
            _ => '}',
        }
    }
}

fn opener_char(tok: &Token<'_>) -> Option<char> {
    match tok {
        Token::LParen => Some('('),
        Token::LBracket => Some('['),
        Token::LBrace => Some('{'),
        _ => None,
    }
}

fn closer_match(tok: &Token<'_>) -> Option<char> {
    match tok {
        Token::RParen => Some('('),
        Token::RBracket => Some('['),
        Token::RBrace => Some('{'),
        _ => None,
    }
}

/// Applies one token to the open-bracket stack; openers left behind by a mismatched closer are
/// passed to `unclosed`.
fn step(stack: &mut Vec<Opener>, tok: &SpannedToken<'_>, unclosed: &mut impl FnMut(Opener)) {
    if let Some(open) = opener_char(&tok.1) {
        stack.push(Opener { open, start: tok.0 });
    } else if let Some(open) = closer_match(&tok.1) {
        if let Some(pos) = stack.iter().rposition(|o| o.open == open) {
            stack.drain(pos + 1..).for_each(&mut *unclosed);
            stack.pop();
        }
    }
}

/// Returns an E0204 diagnostic if brackets nest deeper than [`MAX_NESTING`] or more than
/// [`MAX_NESTING`] `-` tokens follow each other; the parser must then not run.
pub fn check_nesting(file: FileId, tokens: &[SpannedToken<'_>]) -> Option<Diagnostic> {
    let mut stack = Vec::new();
    let mut minus_run = 0;
    for tok in tokens {
        step(&mut stack, tok, &mut |_| {});
        minus_run = if tok.1 == Token::Minus {
            minus_run + 1
        } else {
            0
        };
        let span = Span::new(file, tok.0, tok.2);
        if stack.len() > MAX_NESTING && opener_char(&tok.1).is_some() {
            return Some(too_deep(
                span,
                "brackets nested deeper than 64",
                "this bracket",
            ));
        }
        if minus_run > MAX_NESTING {
            return Some(too_deep(
                span,
                "more than 64 `-` signs in a row",
                "this `-`",
            ));
        }
    }
    None
}

fn too_deep(span: Span, message: &str, what: &str) -> Diagnostic {
    Diagnostic::error(codes::NESTING_TOO_DEEP, message)
        .with_primary(
            span,
            format!("{what} exceeds the nesting limit of {MAX_NESTING}"),
        )
        .with_help("split the expression into several `let` statements")
}

/// The bracket structure of a file's token stream.
#[derive(Debug)]
pub(crate) struct Brackets<'t, 's> {
    tokens: &'t [SpannedToken<'s>],
    /// For each token, the innermost opener still open just before it.
    open_before: Vec<Option<Opener>>,
    /// The innermost opener still open at the end of the file.
    open_at_eof: Option<Opener>,
    /// Byte offsets of the openers that are never closed, in source order.
    unclosed: Vec<usize>,
    /// Byte offsets of the closers that match no opener, in source order.
    stray: Vec<usize>,
}

impl<'t, 's> Brackets<'t, 's> {
    /// Matches all brackets of `tokens`.
    pub(crate) fn new(tokens: &'t [SpannedToken<'s>]) -> Self {
        let mut stack: Vec<Opener> = Vec::new();
        let (mut unclosed, mut stray) = (Vec::new(), Vec::new());
        let mut open_before = Vec::with_capacity(tokens.len());
        for tok in tokens {
            open_before.push(stack.last().copied());
            let closes = closer_match(&tok.1);
            if closes.is_some_and(|open| !stack.iter().any(|o| o.open == open)) {
                stray.push(tok.0);
            }
            step(&mut stack, tok, &mut |o: Opener| unclosed.push(o.start));
        }
        let open_at_eof = stack.last().copied();
        unclosed.extend(stack.iter().map(|o| o.start));
        unclosed.sort_unstable();
        Brackets {
            tokens,
            open_before,
            open_at_eof,
            unclosed,
            stray,
        }
    }

    /// The innermost opener still open just before byte offset `at` (end of file: `usize::MAX`).
    pub(crate) fn innermost_open_at(&self, at: usize) -> Option<Opener> {
        let idx = self.tokens.partition_point(|t| t.0 < at);
        self.open_before
            .get(idx)
            .copied()
            .unwrap_or(self.open_at_eof)
    }

    /// True if the token at byte offset `at` is a closer that matches no opener.
    pub(crate) fn is_stray(&self, at: usize) -> bool {
        self.stray.binary_search(&at).is_ok()
    }

    /// True if a `;`, `{` or `}` token starts strictly between byte offsets `from` and `to`.
    pub(crate) fn boundary_between(&self, from: usize, to: usize) -> bool {
        let first = self.tokens.partition_point(|t| t.0 <= from);
        self.tokens[first..]
            .iter()
            .take_while(|t| t.0 < to)
            .any(|t| matches!(t.1, Token::Semi | Token::LBrace | Token::RBrace))
    }

    /// True if the opener is never closed.
    pub(crate) fn is_unclosed(&self, opener: Opener) -> bool {
        self.unclosed.binary_search(&opener.start).is_ok()
    }

    /// The last token that ends at or before byte offset `at`.
    pub(crate) fn token_before(&self, at: usize) -> Option<SpannedToken<'s>> {
        let idx = self.tokens.partition_point(|t| t.2 <= at);
        idx.checked_sub(1).map(|i| self.tokens[i])
    }
}
