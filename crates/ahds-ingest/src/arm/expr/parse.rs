//! Parsing the ARM template expression language into an [`Expr`] tree.

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expr {
    Str(String),
    Num(i64),
    Call(String, Vec<Expr>),
    Prop(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
}

/// Why an expression does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError(pub(crate) String);

struct Parser<'s> {
    s: &'s [u8],
    i: usize,
    depth: usize,
}

const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn err<T>(&self, what: &str) -> Result<T, ParseError> {
        Err(ParseError(format!("{what} at character {}", self.i + 1)))
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err("expression nested too deep");
        }
        self.ws();
        let mut e = match self.s.get(self.i) {
            Some(b'\'') => self.string()?,
            Some(c) if c.is_ascii_digit() || *c == b'-' => self.number()?,
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => self.call()?,
            _ => return self.err("expected a value"),
        };
        loop {
            self.ws();
            match self.s.get(self.i) {
                Some(b'.') => {
                    self.i += 1;
                    let name = self.ident();
                    if name.is_empty() {
                        return self.err("expected a property name");
                    }
                    e = Expr::Prop(Box::new(e), name);
                }
                Some(b'[') => {
                    self.i += 1;
                    let idx = self.expr()?;
                    self.ws();
                    if self.s.get(self.i) != Some(&b']') {
                        return self.err("expected `]`");
                    }
                    self.i += 1;
                    e = Expr::Index(Box::new(e), Box::new(idx));
                }
                _ => break,
            }
        }
        self.depth -= 1;
        Ok(e)
    }

    fn ident(&mut self) -> String {
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    fn string(&mut self) -> Result<Expr, ParseError> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.s.get(self.i) {
                None => return self.err("unterminated string"),
                Some(b'\'') if self.s.get(self.i + 1) == Some(&b'\'') => {
                    out.push(b'\'');
                    self.i += 2;
                }
                Some(b'\'') => {
                    self.i += 1;
                    break;
                }
                Some(c) => {
                    out.push(*c);
                    self.i += 1;
                }
            }
        }
        Ok(Expr::Str(String::from_utf8_lossy(&out).into_owned()))
    }

    fn number(&mut self) -> Result<Expr, ParseError> {
        let start = self.i;
        if self.s[self.i] == b'-' {
            self.i += 1;
        }
        while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()
            .and_then(|t| t.parse().ok())
            .map(Expr::Num)
            .map_or_else(|| self.err("bad number"), Ok)
    }

    fn call(&mut self) -> Result<Expr, ParseError> {
        let mut name = self.ident();
        // User-defined functions are `namespace.name(...)`.
        while self.s.get(self.i) == Some(&b'.')
            && self.s.get(self.i + 1).is_some_and(u8::is_ascii_alphabetic)
        {
            let save = self.i;
            self.i += 1;
            let more = self.ident();
            self.ws();
            if self.s.get(self.i) == Some(&b'(') {
                name = format!("{name}.{more}");
            } else {
                self.i = save;
                break;
            }
        }
        self.ws();
        if self.s.get(self.i) != Some(&b'(') {
            return self.err(&format!("expected `(` after `{name}`"));
        }
        self.i += 1;
        let mut args = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b')') {
            self.i += 1;
            return Ok(Expr::Call(name, args));
        }
        loop {
            args.push(self.expr()?);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b')') => {
                    self.i += 1;
                    break;
                }
                _ => return self.err("expected `,` or `)`"),
            }
        }
        Ok(Expr::Call(name, args))
    }
}

pub(super) fn parse(s: &str) -> Result<Expr, ParseError> {
    let inner = &s[1..s.len() - 1];
    let mut p = Parser {
        s: inner.as_bytes(),
        i: 0,
        depth: 0,
    };
    let e = p.expr()?;
    p.ws();
    if p.i != p.s.len() {
        return p.err("unexpected text after the expression");
    }
    Ok(e)
}
