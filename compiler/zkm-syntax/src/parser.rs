//! Runs the generated LALRPOP parser and turns its errors into diagnostics.
//!
//! This is the one conversion of lalrpop's `ParseError` / `ErrorRecovery` into [`Diagnostic`]s:
//! E0201 (unexpected token), E0202 (unexpected end of file) and E0203 (unclosed delimiter, when
//! the parser wanted the closer of an opener that [`Brackets`] found is never closed; each opener
//! is reported once). Doc comments are left out of "expected" lists unless nothing else fits.

use lalrpop_util::ParseError;
use zkm_diagnostics::{codes, Diagnostic, FileId, Span};

use crate::{
    actions::Ctx,
    ast::Module,
    brackets::{Brackets, Opener},
    lexer::{LexError, Lexed, SpannedToken, Token},
};

lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        unused,
        unused_qualifications,
        rust_2018_idioms,
        missing_debug_implementations,
        unreachable_pub
    )]
    grammar
);

/// A syntax error as lalrpop reports it.
type Error<'s> = ParseError<usize, Token<'s>, LexError>;

/// Parses a lexed file; returns the module and the syntax diagnostics (at most `limit`
/// recovered errors are converted, the rest are dropped).
pub(crate) fn parse_tokens(
    file: FileId,
    text: &str,
    lexed: &Lexed<'_>,
    limit: usize,
) -> (Module, Vec<Diagnostic>) {
    let mut ctx = Ctx::new(file);
    let input = lexed.tokens.iter().map(|t| Ok::<_, LexError>(*t));
    let result = grammar::ModuleParser::new().parse(&mut ctx, input);
    let mut conv = Converter::new(file, text, lexed);
    let mut diags: Vec<Diagnostic> = ctx
        .errors
        .iter()
        .filter_map(|e| conv.convert(&e.error))
        .take(limit)
        .collect();
    let module = result.unwrap_or_else(|e| {
        diags.extend(conv.convert(&e));
        Module::default()
    });
    diags.extend(ctx.diags);
    (module, diags)
}

/// Converts parse errors in source order.
///
/// Besides wording, it drops *cascades*: an error on the same line as the previous (lexical or
/// syntax) error, with no `;`, `{` or `}` between them, is most likely a consequence of it. An
/// end-of-file error in a file that ends inside an unterminated block comment is dropped too.
struct Converter<'t, 's> {
    file: FileId,
    text: &'t str,
    brackets: Brackets<'t, 's>,
    lex_errors: &'t [LexError],
    ends_in_comment: bool,
    /// Openers already reported as unclosed.
    reported: Vec<usize>,
    /// Where the previous syntax error was found.
    last_error: Option<usize>,
}

impl<'t, 's> Converter<'t, 's> {
    fn new(file: FileId, text: &'t str, lexed: &'t Lexed<'s>) -> Self {
        Converter {
            file,
            text,
            brackets: Brackets::new(&lexed.tokens),
            lex_errors: &lexed.errors,
            ends_in_comment: lexed.ends_in_comment(),
            reported: Vec::new(),
            last_error: None,
        }
    }

    fn convert(&mut self, err: &Error<'s>) -> Option<Diagnostic> {
        match err {
            ParseError::UnrecognizedToken { token, expected } => self.unexpected(*token, expected),
            ParseError::ExtraToken { token } => self.unexpected(*token, &[]),
            ParseError::UnrecognizedEof { location, expected } => self.eof(*location, expected),
            ParseError::InvalidToken { location } => {
                let span = Span::new(self.file, *location, *location);
                Some(
                    Diagnostic::error(codes::UNEXPECTED_TOKEN, "invalid token")
                        .with_primary(span, "invalid token"),
                )
            }
            ParseError::User { error } => Some(error.to_diagnostic(self.file, self.text)),
        }
    }

    /// E0203 if the parser wanted the closer of a never-closed opener; otherwise E0201 unless
    /// the error is a cascade.
    fn unexpected(
        &mut self,
        (lo, tok, hi): SpannedToken<'s>,
        expected: &[String],
    ) -> Option<Diagnostic> {
        let expected = Expected::new(expected);
        let found = Span::new(self.file, lo, hi);
        let cascade = self.is_cascade(lo);
        self.last_error = Some(lo);
        if let Some(d) = self.unclosed(lo, &expected, Some((found, tok))) {
            return Some(d);
        }
        if cascade {
            return None;
        }
        if self.brackets.is_stray(lo) {
            return Some(stray_closer(found, tok));
        }
        Some(self.unexpected_token(found, tok, &expected))
    }

    fn unexpected_token(&self, found: Span, tok: Token<'s>, expected: &Expected) -> Diagnostic {
        let at = found.start as usize;
        let mut d = Diagnostic::error(codes::UNEXPECTED_TOKEN, expected.sentence(&tok.to_string()))
            .with_primary(found, format!("unexpected {tok}"));
        if let Some(prev) = self.semicolon_missing_after(at, expected) {
            d = d.with_secondary(prev, "`;` may be missing here");
        }
        let prev = self.brackets.token_before(at).map(|t| t.1);
        match doc_comment_hint(prev, tok) {
            Some(help) => d.with_help(help),
            None => d,
        }
    }

    /// True if the error at byte `at` follows the previous error on the same line, with no
    /// statement boundary between them.
    fn is_cascade(&self, at: usize) -> bool {
        let before = self.lex_errors.partition_point(|e| e.span.start < at);
        let prev_lex = before.checked_sub(1).map(|i| self.lex_errors[i].span.start);
        let Some(prev) = prev_lex.max(self.last_error) else {
            return false;
        };
        let same_line = self
            .text
            .get(prev..at)
            .is_some_and(|gap| !gap.contains('\n'));
        same_line && !self.brackets.boundary_between(prev, at)
    }

    /// E0203 at the innermost open bracket, or E0202; nothing inside an unterminated comment.
    fn eof(&mut self, location: usize, expected: &[String]) -> Option<Diagnostic> {
        if self.ends_in_comment {
            return None;
        }
        let expected = Expected::new(expected);
        if let Some(d) = self.unclosed(usize::MAX, &expected, None) {
            return Some(d);
        }
        let at = Span::new(self.file, location, location);
        let label = match expected.phrase() {
            Some(p) => format!("{p} after this"),
            None => "the file ends here".to_owned(),
        };
        Some(
            Diagnostic::error(codes::UNEXPECTED_EOF, "unexpected end of file")
                .with_primary(at, label),
        )
    }

    /// The E0203 diagnostic if the error at byte `at` is explained by an unclosed opener.
    fn unclosed(
        &mut self,
        at: usize,
        expected: &Expected,
        found: Option<(Span, Token<'s>)>,
    ) -> Option<Diagnostic> {
        let opener = self.brackets.innermost_open_at(at)?;
        let relevant = found.is_none() || expected.contains(opener.closer());
        if !relevant || !self.brackets.is_unclosed(opener) || self.reported.contains(&opener.start)
        {
            return None;
        }
        self.reported.push(opener.start);
        Some(unclosed_diagnostic(self.file, opener, found))
    }

    /// The previous token, if a `;` was acceptable and the unexpected token starts a new line.
    fn semicolon_missing_after(&self, at: usize, expected: &Expected) -> Option<Span> {
        if !expected.contains(';') {
            return None;
        }
        let (lo, _, hi) = self.brackets.token_before(at)?;
        let gap = self.text.get(hi..at)?;
        gap.contains('\n').then(|| Span::new(self.file, lo, hi))
    }
}

fn stray_closer(found: Span, tok: Token<'_>) -> Diagnostic {
    let open = match tok {
        Token::RParen => "(",
        Token::RBracket => "[",
        _ => "{",
    };
    Diagnostic::error(
        codes::UNEXPECTED_TOKEN,
        format!("unexpected closing delimiter {tok}"),
    )
    .with_primary(found, format!("this {tok} has no matching `{open}`"))
}

fn unclosed_diagnostic(
    file: FileId,
    opener: Opener,
    found: Option<(Span, Token<'_>)>,
) -> Diagnostic {
    let (open, close) = (opener.open, opener.closer());
    let span = Span::new(file, opener.start, opener.start + 1);
    let d = Diagnostic::error(
        codes::UNCLOSED_DELIMITER,
        format!("unclosed delimiter `{open}`"),
    )
    .with_primary(span, format!("this `{open}` is never closed"));
    match found {
        Some((at, tok)) => d.with_secondary(at, format!("expected `{close}` before {tok}")),
        None => d.with_help(format!(
            "add the missing `{close}` before the end of the file"
        )),
    }
}

/// A hint for doc comments in places where they are not allowed.
fn doc_comment_hint(prev: Option<Token<'_>>, found: Token<'_>) -> Option<&'static str> {
    match (prev, found) {
        (_, Token::InnerDoc(_)) => {
            Some("`//!` doc comments are only allowed at the top of the file")
        }
        (Some(Token::OuterDoc(_)), _) => {
            Some("a `///` doc comment must be followed by `fn`, `model` or a tensor declaration")
        }
        _ => None,
    }
}

/// The tokens lalrpop expected, named for humans.
struct Expected {
    names: Vec<String>,
}

impl Expected {
    fn new(raw: &[String]) -> Self {
        let mut names: Vec<String> = Vec::new();
        let mut words: Vec<String> = Vec::new();
        for r in raw {
            match r.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                Some(spelling) => names.push(format!("`{}`", spelling.replace("\\\"", "\""))),
                None => words.push(terminal_name(r).to_owned()),
            }
        }
        let docs_only = names.is_empty() && words.iter().all(|w| w.contains("doc comment"));
        for w in words {
            if !names.contains(&w) && (docs_only || !w.contains("doc comment")) {
                names.push(w);
            }
        }
        group(
            &mut names,
            &["`(`", "`-`", "an identifier", "a number"],
            "an expression",
        );
        group(&mut names, &["`+`", "`-`", "`*`", "`@`"], "an operator");
        Expected { names }
    }

    fn contains(&self, c: char) -> bool {
        self.names
            .iter()
            .any(|n| n.trim_matches('`').len() == 1 && n.contains(c))
    }

    /// "expected `;`" or "expected one of `;`, `)`"; `None` if nothing was expected.
    fn phrase(&self) -> Option<String> {
        match self.names.as_slice() {
            [] => None,
            [one] => Some(format!("expected {one}")),
            [many @ .., last] => Some(format!("expected one of {} or {last}", many.join(", "))),
        }
    }

    fn sentence(&self, found: &str) -> String {
        match self.phrase() {
            Some(p) => format!("{p} but found {found}"),
            None => format!("unexpected {found}"),
        }
    }
}

/// Replaces `members` by `name` (at the end) if all of them are present.
fn group(names: &mut Vec<String>, members: &[&str], name: &str) {
    if members.iter().all(|m| names.iter().any(|n| n == m)) {
        names.retain(|n| !members.contains(&n.as_str()));
        names.push(name.to_owned());
    }
}

/// Human names of the grammar's named terminals.
fn terminal_name(terminal: &str) -> &str {
    match terminal {
        "IDENT" => "an identifier",
        "NUMBER" | "BAD_NUMBER" => "a number",
        "OUTER_DOC" => "a `///` doc comment",
        "INNER_DOC" => "a `//!` doc comment",
        other => other,
    }
}
