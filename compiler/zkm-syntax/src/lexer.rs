//! The `.zkm` lexer: a logos token enum and the adapter that feeds lalrpop.
//!
//! [`Lexer`] yields `Result<(start, Token, end), LexError>` items with byte offsets. Lexing never
//! stops: a run of unknown characters becomes one [`LexError`] and is skipped; a malformed number
//! or an over-long identifier yields a [`LexError`] *followed by* its token, so the parser still
//! sees a well-formed token stream. [`tokenize`] collects the tokens and the errors;
//! [`LexError::to_diagnostic`] words the errors (E0101–E0103). Lines end at `\n`, `\r\n` or a
//! lone `\r` (line comments stop at either), and a leading byte order mark is skipped.

use std::{fmt, ops::Range};

use logos::Logos;
use zkm_diagnostics::{codes, Diagnostic, FileId, Span};

/// Identifiers longer than this many bytes are reported (E0103).
pub const MAX_IDENT_LEN: usize = 255;

/// How many characters of an unknown run or a long token are quoted in messages.
const QUOTE_LIMIT: usize = 24;

/// A token of the `.zkm` language. Payloads borrow the source text.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip r"//([^/!\n\r][^\n\r]*)?")]
#[logos(skip(r"////[^\n\r]*", allow_greedy = true))]
pub enum Token<'s> {
    /// `use`
    #[token("use")]
    Use,
    /// `fn`
    #[token("fn")]
    Fn,
    /// `model`
    #[token("model")]
    Model,
    /// `input`
    #[token("input")]
    Input,
    /// `param`
    #[token("param")]
    Param,
    /// `output`
    #[token("output")]
    Output,
    /// `let`
    #[token("let")]
    Let,
    /// `public`
    #[token("public")]
    Public,
    /// `private`
    #[token("private")]
    Private,
    /// `committed`
    #[token("committed")]
    Committed,
    /// `int`
    #[token("int")]
    Int,
    /// `fixed`
    #[token("fixed")]
    Fixed,
    /// An identifier such as `relu` or `w1`.
    #[regex("[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice())]
    Ident(&'s str),
    /// A decimal number: `3` or `0.25`.
    #[regex(r"[0-9]+(\.[0-9]+)?", |lex| lex.slice(), priority = 10)]
    Number(&'s str),
    /// Something that starts like a number but is not one: `12abc`, `1.2.3`, `3.`.
    #[regex(r"[0-9][0-9A-Za-z_.]*", |lex| lex.slice(), priority = 1)]
    BadNumber(&'s str),
    /// A `///` doc comment line, including the slashes.
    #[regex(r"///([^/\n\r][^\n\r]*)?", |lex| lex.slice())]
    OuterDoc(&'s str),
    /// A `//!` doc comment line, including the slashes.
    #[regex(r"//![^\n\r]*", |lex| lex.slice(), allow_greedy = true)]
    InnerDoc(&'s str),
    /// A `/* ... */` comment; `false` when it runs to the end of the file. Never reaches the
    /// parser.
    #[token("/*", block_comment)]
    BlockComment(bool),
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `[`
    #[token("[")]
    LBracket,
    /// `]`
    #[token("]")]
    RBracket,
    /// `{`
    #[token("{")]
    LBrace,
    /// `}`
    #[token("}")]
    RBrace,
    /// `<`
    #[token("<")]
    Lt,
    /// `>`
    #[token(">")]
    Gt,
    /// `,`
    #[token(",")]
    Comma,
    /// `;`
    #[token(";")]
    Semi,
    /// `:`
    #[token(":")]
    Colon,
    /// `::`
    #[token("::")]
    PathSep,
    /// `=`
    #[token("=")]
    Eq,
    /// `+`
    #[token("+")]
    Plus,
    /// `-`
    #[token("-")]
    Minus,
    /// `*`
    #[token("*")]
    Star,
    /// `@`
    #[token("@")]
    At,
}

/// Skips to the end of a block comment; reports whether it was terminated.
fn block_comment<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> bool {
    match lex.remainder().find("*/") {
        Some(i) => {
            lex.bump(i + 2);
            true
        }
        None => {
            lex.bump(lex.remainder().len());
            false
        }
    }
}

impl Token<'_> {
    /// The fixed spelling of keywords and punctuation; `None` for tokens with a payload.
    pub fn spelling(&self) -> Option<&'static str> {
        use Token::*;
        Some(match self {
            Use => "use",
            Fn => "fn",
            Model => "model",
            Input => "input",
            Param => "param",
            Output => "output",
            Let => "let",
            Public => "public",
            Private => "private",
            Committed => "committed",
            Int => "int",
            Fixed => "fixed",
            LParen => "(",
            RParen => ")",
            LBracket => "[",
            RBracket => "]",
            LBrace => "{",
            RBrace => "}",
            Lt => "<",
            Gt => ">",
            Comma => ",",
            Semi => ";",
            Colon => ":",
            PathSep => "::",
            Eq => "=",
            Plus => "+",
            Minus => "-",
            Star => "*",
            At => "@",
            Ident(_) | Number(_) | BadNumber(_) | OuterDoc(_) | InnerDoc(_) | BlockComment(_) => {
                return None
            }
        })
    }
}

/// How a token is named in messages: `` `let` ``, `` `w1` ``, `` `0.25` ``, `` `///` doc comment ``.
impl fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Ident(s) | Token::Number(s) | Token::BadNumber(s) => {
                write!(f, "`{}`", quote(s))
            }
            Token::OuterDoc(_) => f.write_str("`///` doc comment"),
            Token::InnerDoc(_) => f.write_str("`//!` doc comment"),
            Token::BlockComment(_) => f.write_str("block comment"),
            other => write!(f, "`{}`", other.spelling().unwrap_or("?")),
        }
    }
}

/// Shortens `s` to [`QUOTE_LIMIT`] characters (plus `…`) and escapes invisible characters.
pub(crate) fn quote(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(QUOTE_LIMIT)
        .flat_map(char::escape_debug)
        .collect();
    if s.chars().nth(QUOTE_LIMIT).is_some() {
        out.push('…');
    }
    out
}

/// What went wrong while lexing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LexErrorKind {
    /// One or more consecutive characters that start no token.
    UnknownChars,
    /// A `/*` without `*/`.
    UnterminatedComment,
    /// A number-like word that is not a number (`12abc`).
    BadNumber,
    /// An identifier longer than [`MAX_IDENT_LEN`] bytes.
    IdentTooLong,
}

/// A lexing error with the byte range it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    /// What went wrong.
    pub kind: LexErrorKind,
    /// Where (byte offsets into the source).
    pub span: Range<usize>,
}

impl LexError {
    /// The user-facing diagnostic for this error; `text` is the lexed source.
    pub fn to_diagnostic(&self, file: FileId, text: &str) -> Diagnostic {
        let span = Span::new(file, self.span.start, self.span.end);
        let slice = text.get(self.span.clone()).unwrap_or("");
        match self.kind {
            LexErrorKind::UnknownChars => unknown_chars(span, slice),
            LexErrorKind::UnterminatedComment => {
                let opener = Span::new(file, self.span.start, self.span.start + 2);
                Diagnostic::error(codes::UNKNOWN_CHARACTER, "unterminated block comment")
                    .with_primary(opener, "this `/*` has no matching `*/`")
                    .with_help("close the comment with `*/`")
            }
            LexErrorKind::BadNumber => Diagnostic::error(
                codes::BAD_NUMBER,
                format!("malformed number `{}`", quote(slice)),
            )
            .with_primary(span, "not a valid number")
            .with_help("numbers are written in decimal, like `42` or `0.25`"),
            LexErrorKind::IdentTooLong => Diagnostic::error(
                codes::IDENT_TOO_LONG,
                format!(
                    "identifier is {} bytes long; the limit is {MAX_IDENT_LEN}",
                    slice.len()
                ),
            )
            .with_primary(span, "identifier too long"),
        }
    }
}

fn unknown_chars(span: Span, slice: &str) -> Diagnostic {
    let (what, label) = if slice.chars().nth(1).is_some() {
        (
            "unknown characters",
            "these characters do not start any token",
        )
    } else {
        (
            "unknown character",
            "this character does not start any token",
        )
    };
    let d = Diagnostic::error(
        codes::UNKNOWN_CHARACTER,
        format!("{what} `{}`", quote(slice)),
    )
    .with_primary(span, label);
    if slice.chars().any(|c| c.is_alphabetic()) {
        d.with_help("identifiers may only contain ASCII letters, digits and `_`")
    } else {
        d
    }
}

/// One raw logos result with its span.
type Raw<'s> = (Result<Token<'s>, ()>, Range<usize>);

/// The token adapter handed to the parser: see the module documentation.
pub struct Lexer<'s> {
    inner: logos::SpannedIter<'s, Token<'s>>,
    text: &'s str,
    peeked: Option<Raw<'s>>,
    pending: Option<(usize, Token<'s>, usize)>,
}

impl fmt::Debug for Lexer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lexer")
            .field("at", &self.inner.span())
            .finish_non_exhaustive()
    }
}

impl<'s> Lexer<'s> {
    /// A lexer over `text`. A leading UTF-8 byte order mark is skipped (spans still count its
    /// bytes, so they stay offsets into `text`).
    pub fn new(text: &'s str) -> Self {
        let mut inner = Token::lexer(text);
        if text.starts_with(zkm_diagnostics::BOM) {
            inner.bump(zkm_diagnostics::BOM.len());
        }
        Lexer {
            inner: inner.spanned(),
            text,
            peeked: None,
            pending: None,
        }
    }

    fn next_raw(&mut self) -> Option<Raw<'s>> {
        self.peeked.take().or_else(|| self.inner.next())
    }

    /// Extends an unknown-character error over all directly following unknown characters.
    fn unknown_run(&mut self, span: Range<usize>) -> LexError {
        let mut end = self.char_end(span.end);
        loop {
            match self.next_raw() {
                Some((Err(()), next)) if next.start <= end => end = self.char_end(next.end),
                other => {
                    self.peeked = other;
                    break;
                }
            }
        }
        LexError {
            kind: LexErrorKind::UnknownChars,
            span: span.start..end,
        }
    }

    /// Rounds a byte offset up to the next character boundary.
    fn char_end(&self, mut at: usize) -> usize {
        while at < self.text.len() && !self.text.is_char_boundary(at) {
            at += 1;
        }
        at.min(self.text.len())
    }

    /// Classifies one successfully lexed token; `None` means "skip it".
    fn classify(&mut self, tok: Token<'s>, span: Range<usize>) -> Option<<Self as Iterator>::Item> {
        let triple = (span.start, tok, span.end);
        let kind = match tok {
            Token::BlockComment(true) => return None,
            Token::BlockComment(false) => LexErrorKind::UnterminatedComment,
            Token::BadNumber(_) => LexErrorKind::BadNumber,
            Token::Ident(s) if s.len() > MAX_IDENT_LEN => LexErrorKind::IdentTooLong,
            _ => return Some(Ok(triple)),
        };
        if kind != LexErrorKind::UnterminatedComment {
            self.pending = Some(triple);
        }
        Some(Err(LexError { kind, span }))
    }
}

impl<'s> Iterator for Lexer<'s> {
    type Item = Result<(usize, Token<'s>, usize), LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(t) = self.pending.take() {
            return Some(Ok(t));
        }
        loop {
            let (res, span) = self.next_raw()?;
            let item = match res {
                Err(()) => Some(Err(self.unknown_run(span))),
                Ok(tok) => self.classify(tok, span),
            };
            if item.is_some() {
                return item;
            }
        }
    }
}

/// A token with its byte range, as the parser consumes it.
pub type SpannedToken<'s> = (usize, Token<'s>, usize);

/// A lexed file: the tokens for the parser and the lexing errors, both in source order.
#[derive(Debug, Default)]
pub struct Lexed<'s> {
    /// Tokens, without comments and without unknown characters.
    pub tokens: Vec<SpannedToken<'s>>,
    /// Lexing errors.
    pub errors: Vec<LexError>,
}

impl Lexed<'_> {
    /// True if the file ends inside an unterminated block comment.
    pub fn ends_in_comment(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.kind == LexErrorKind::UnterminatedComment)
    }
}

/// Lexes a whole file.
pub fn tokenize(text: &str) -> Lexed<'_> {
    let mut lexed = Lexed::default();
    for item in Lexer::new(text) {
        match item {
            Ok(t) => lexed.tokens.push(t),
            Err(e) => lexed.errors.push(e),
        }
    }
    lexed
}
