//! Typed-in functions of x and y: parse a formula such as `x^2/20 + y^2`, evaluate it fast, and
//! give its exact gradient.
//!
//! The gradient comes from forward-mode automatic differentiation: every intermediate result is a
//! *dual number* carrying its value and its derivatives with respect to x and y, and each operation
//! applies the matching rule of calculus (product rule, chain rule, ...). The result is exact up to
//! floating-point rounding, unlike a finite difference, whose error depends on a step size.
//!
//! # Grammar
//!
//! ```text
//! expr    := term (('+' | '-') term)*
//! term    := unary (('*' | '/') unary)*
//! unary   := ('-' | '+')* primary (('^' | '**') unary)?
//! primary := number | 'x' | 'y' | 'pi' | 'e' | '(' expr ')' | function '(' expr ')'
//! function: sin cos tan exp ln log sqrt abs tanh     (log is the natural log, like ln)
//! number  : 1  2.5  .5  3.  1e-3  1E+4
//! ```
//!
//! So `-x^2` is `-(x^2)`, `2^3^2` is `2^(3^2)` and `2^-1` is 0.5. There is no implicit
//! multiplication: `2x` is an error that suggests `2*x`.
//!
//! # Evaluation
//!
//! Parsing produces a flat list of nodes in which every node refers only to earlier nodes, so
//! evaluating is a single loop that fills one slot per node; nothing is recursive, however long
//! the formula. The slots live in a thread-local scratch vector that is reused from call to call,
//! so after the first call [`Expr::value`] and [`Expr::value_and_gradient`] never allocate: a
//! 1280x800 heatmap costs one million loops over a few nodes each, and nothing else.

use std::cell::RefCell;
use std::f64::consts::{E, PI};
use std::fmt;

use crate::math;
use crate::message::{Message, ToMessage};

/// The longest formula accepted, in characters.
pub const MAX_LEN: usize = 10_000;

/// The deepest nesting accepted: parentheses, function calls, unary signs and `^` chains each
/// count one level. This bounds the parser's recursion, so no input can overflow the stack.
pub const MAX_DEPTH: usize = 256;

/// What is wrong with a formula and where, as data: each front end words the message and the
/// hint (see [`crate::message`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// What is wrong, e.g. `unexpected ')'` (the kind `expr.unexpected`).
    pub message: Message,
    /// Where, 1-based, counted in characters (not bytes); one past the end for a missing token.
    pub column: usize,
    /// How to fix it, when there is an obvious fix, e.g. `write 2*x`.
    pub hint: Option<Message>,
}

impl ParseError {
    fn new(message: Message, column: usize) -> Self {
        ParseError {
            message,
            column,
            hint: None,
        }
    }

    fn hint(mut self, hint: Message) -> Self {
        self.hint = Some(hint);
        self
    }
}

/// The whole line, `message at column N` and then `: hint` if there is one, as one message, so
/// that a language may put the column elsewhere.
impl ToMessage for ParseError {
    fn to_message(&self) -> Message {
        let line = match &self.hint {
            Some(hint) => Message::new("expr.at-column-hint").with("hint", hint.clone()),
            None => Message::new("expr.at-column"),
        };
        line.with("message", self.message.clone())
            .with("column", self.column)
    }
}

/// The English of [`ParseError::to_message`].
impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_message().english())
    }
}

impl std::error::Error for ParseError {}

/// A function of one argument. `log` parses to [`Func::Ln`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    Sin,
    Cos,
    Tan,
    Exp,
    Ln,
    Sqrt,
    Abs,
    Tanh,
}

/// Every function name the parser knows.
const FUNCTIONS: [(&str, Func); 9] = [
    ("sin", Func::Sin),
    ("cos", Func::Cos),
    ("tan", Func::Tan),
    ("exp", Func::Exp),
    ("ln", Func::Ln),
    ("log", Func::Ln),
    ("sqrt", Func::Sqrt),
    ("abs", Func::Abs),
    ("tanh", Func::Tanh),
];

impl Func {
    fn lookup(name: &str) -> Option<Func> {
        FUNCTIONS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
    }

    pub(crate) fn name(self) -> &'static str {
        FUNCTIONS
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |&(n, _)| n)
    }

    pub(crate) fn value(self, a: f64) -> f64 {
        match self {
            Func::Sin => math::sin(a),
            Func::Cos => math::cos(a),
            Func::Tan => math::tan(a),
            Func::Exp => math::exp(a),
            Func::Ln => math::ln(a),
            Func::Sqrt => a.sqrt(),
            Func::Abs => a.abs(),
            Func::Tanh => math::tanh(a),
        }
    }

    /// The chain rule: f(a) and f'(a) * da. The value is computed exactly as in [`Func::value`].
    fn dual(self, a: Dual) -> Dual {
        let v = self.value(a.v);
        match self {
            Func::Sin => a.chain(v, |d| math::cos(a.v) * d),
            Func::Cos => a.chain(v, |d| -math::sin(a.v) * d),
            Func::Tan => a.chain(v, |d| d * (1.0 + v * v)),
            Func::Exp => a.chain(v, |d| v * d),
            Func::Ln => a.chain(v, |d| d / a.v),
            // √a has no finite slope at 0; 0 is taken there, as for |a| (so √(x² + y²), a cone,
            // leaves an optimizer at its tip, and Ackley's named surface agrees to the bit).
            Func::Sqrt => a.chain(v, |d| if v == 0.0 { 0.0 } else { d / (2.0 * v) }),
            Func::Tanh => a.chain(v, |d| d * (1.0 - v * v)),
            Func::Abs => {
                // |a| has no derivative at 0; 0 is the usual choice (a subgradient).
                let sign = if a.v > 0.0 {
                    1.0
                } else if a.v < 0.0 {
                    -1.0
                } else {
                    0.0
                };
                a.chain(v, |d| sign * d)
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

impl BinOp {
    pub(crate) fn value(self, a: f64, b: f64) -> f64 {
        match self {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div => a / b,
            BinOp::Pow => math::pow(a, b),
        }
    }

    /// Sum, product, quotient and power rules. Values are computed exactly as in [`BinOp::value`].
    fn dual(self, a: Dual, b: Dual) -> Dual {
        let v = self.value(a.v, b.v);
        let (dx, dy) = match self {
            BinOp::Add => (a.dx + b.dx, a.dy + b.dy),
            BinOp::Sub => (a.dx - b.dx, a.dy - b.dy),
            BinOp::Mul => (a.dx * b.v + a.v * b.dx, a.dy * b.v + a.v * b.dy),
            BinOp::Div => {
                // (a/b)' = (a' − (a/b)·b') / b: no b² to overflow, and for a constant divisor it
                // is exactly a'/b, so x^2/20 has the gradient 2x/20 = x/10 to the last bit.
                ((a.dx - v * b.dx) / b.v, (a.dy - v * b.dy) / b.v)
            }
            BinOp::Pow => {
                // Each derivative on its own, so that ∂/∂x does not depend on whether the
                // exponent varies with y (and the graph view, which differentiates with respect
                // to one value at a time, gets the same bits).
                let constant = (b.dx == 0.0, b.dy == 0.0);
                let slope = if constant.0 || constant.1 {
                    b.v * math::pow(a.v, b.v - 1.0)
                } else {
                    0.0
                };
                let ln_a = if constant.0 && constant.1 {
                    0.0
                } else {
                    math::ln(a.v)
                };
                let rule = |da: f64, db: f64| {
                    if db == 0.0 {
                        // A constant exponent, as in x^2: the power rule b * a^(b-1) works for
                        // negative a too (the general rule below takes ln(a)), and gives
                        // exactly 2*x for x^2.
                        if b.v == 0.0 {
                            0.0
                        } else {
                            slope * da
                        }
                    } else {
                        // d(a^b) = a^b * (db * ln(a) + b * da / a)
                        v * (db * ln_a + b.v * da / a.v)
                    }
                };
                (rule(a.dx, b.dx), rule(a.dy, b.dy))
            }
        };
        Dual::new(v, dx, dy)
    }

    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => " + ",
            BinOp::Sub => " - ",
            BinOp::Mul => " * ",
            BinOp::Div => " / ",
            BinOp::Pow => " ^ ",
        }
    }
}

/// A value with its partial derivatives: v, dv/dx, dv/dy.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Dual {
    v: f64,
    dx: f64,
    dy: f64,
}

impl Dual {
    const fn new(v: f64, dx: f64, dy: f64) -> Dual {
        Dual { v, dx, dy }
    }

    const fn constant(v: f64) -> Dual {
        Dual::new(v, 0.0, 0.0)
    }

    /// The result `value` of a one-argument function of `self`, whose derivatives are
    /// `derivative(d)` for each derivative `d` of the argument.
    fn chain(self, value: f64, derivative: impl Fn(f64) -> f64) -> Dual {
        Dual::new(value, derivative(self.dx), derivative(self.dy))
    }
}

/// One step of the compiled formula. Operands are indices of earlier nodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Node {
    Num(f64),
    X,
    Y,
    Pi,
    E,
    /// A named input of a graph formula (`apple*apple_num*tax`): `Expr::inputs()[k]`.
    Input(usize),
    Neg(usize),
    Call(Func, usize),
    Bin(BinOp, usize, usize),
}

/// A parsed formula, compiled for fast evaluation. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct Expr {
    source: String,
    /// In evaluation order: each node's operands come before it, and the last node is the result.
    nodes: Vec<Node>,
    /// `varies[i]` says whether node i depends on x and on y. A derivative with respect to a
    /// variable a node does not depend on is then exactly zero, which keeps `sqrt(0) + x` from
    /// getting a NaN gradient out of 0 * inf, and `x + sqrt(y)` from getting a NaN ∂/∂x at y = 0.
    varies: Vec<[bool; 2]>,
    /// The named inputs of a graph formula, in order of first use; empty for a surface.
    inputs: Vec<String>,
}

thread_local! {
    // Reused scratch space for evaluation, so that evaluating does not allocate.
    static VALUE_SLOTS: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    static DUAL_SLOTS: RefCell<Vec<Dual>> = const { RefCell::new(Vec::new()) };
}

impl Expr {
    /// Parses and compiles a formula in x and y (see the grammar in the module documentation).
    pub fn parse(src: &str) -> Result<Expr, ParseError> {
        Self::parse_inner(src, false)
    }

    fn parse_inner(src: &str, allow_inputs: bool) -> Result<Expr, ParseError> {
        let len = src.chars().count();
        if len > MAX_LEN {
            let message = Message::new("expr.too-long")
                .with("length", len)
                .with("limit", MAX_LEN);
            return Err(ParseError::new(message, MAX_LEN + 1));
        }
        if src.trim().is_empty() {
            return Err(ParseError::new(Message::new("expr.empty"), 1)
                .hint(Message::new("expr.hint.type-formula")));
        }
        let (nodes, inputs) = Parser::new(src, allow_inputs)
            .parse_all()
            .map_err(|boxed| *boxed)?;
        let mut varies: Vec<[bool; 2]> = Vec::with_capacity(nodes.len());
        for node in &nodes {
            let v = match *node {
                Node::X => [true, false],
                Node::Y => [false, true],
                Node::Num(_) | Node::Pi | Node::E | Node::Input(_) => [false, false],
                Node::Neg(a) | Node::Call(_, a) => varies[a],
                Node::Bin(_, a, b) => [varies[a][0] || varies[b][0], varies[a][1] || varies[b][1]],
            };
            varies.push(v);
        }
        Ok(Expr {
            source: src.to_string(),
            nodes,
            varies,
            inputs,
        })
    }

    /// Parses a formula that may also use named inputs besides x and y, as the graph view's
    /// examples do: `apple*apple_num*tax`. Any name that is not x, y, pi, e or a function
    /// becomes an input; [`Expr::inputs`] lists them, and their values are given at evaluation.
    pub fn parse_with_inputs(src: &str) -> Result<Expr, ParseError> {
        Self::parse_inner(src, true)
    }

    /// The named inputs, in order of first use (none for a formula read by [`Expr::parse`]).
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    pub(crate) fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The formula exactly as typed.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The value at (x, y), without derivatives. Does not allocate (after a thread's first call).
    pub fn value(&self, x: f64, y: f64) -> f64 {
        VALUE_SLOTS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut slots) => self.run_values(&mut slots, x, y, &[], None),
            // Only if this thread's scratch is already in use, which cannot happen today.
            Err(_) => self.run_values(&mut Vec::new(), x, y, &[], None),
        })
    }

    /// The value at (x, y) and the exact gradient [df/dx, df/dy]. Does not allocate (after a
    /// thread's first call). The value is bit-identical to [`Expr::value`].
    pub fn value_and_gradient(&self, x: f64, y: f64) -> (f64, [f64; 2]) {
        let result = DUAL_SLOTS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut slots) => self.run_duals(&mut slots, x, y, &[]),
            Err(_) => self.run_duals(&mut Vec::new(), x, y, &[]),
        });
        (result.v, [result.dx, result.dy])
    }

    /// Every node's value at (x, y) with the named inputs' values in `inputs` (in the order of
    /// [`Expr::inputs`]); `set`, if given, replaces the values of the nodes it picks (the
    /// graph view's numerical check moves one node's value and recomputes what depends on it).
    pub(crate) fn node_values(
        &self,
        x: f64,
        y: f64,
        inputs: &[f64],
        set: Option<(&dyn Fn(usize) -> bool, f64)>,
    ) -> Vec<f64> {
        let mut slots = Vec::with_capacity(self.nodes.len());
        self.run_values(&mut slots, x, y, inputs, set);
        slots
    }

    /// ∂f/∂s, where s is the value the nodes picked by `seed` hold (all of them at once: every
    /// use of an input), by forward mode with the same rules as [`Expr::value_and_gradient`]:
    /// seeding the uses of x gives the same bits as its ∂f/∂x.
    pub(crate) fn seeded_derivative(
        &self,
        x: f64,
        y: f64,
        inputs: &[f64],
        seed: &dyn Fn(usize) -> bool,
    ) -> f64 {
        let mut slots: Vec<Dual> = Vec::with_capacity(self.nodes.len());
        let mut depends: Vec<bool> = Vec::with_capacity(self.nodes.len());
        for (i, node) in self.nodes.iter().enumerate() {
            let (mut d, dep) = match *node {
                Node::Neg(a) => (
                    Dual::new(-slots[a].v, -slots[a].dx, -slots[a].dy),
                    depends[a],
                ),
                Node::Call(f, a) => (f.dual(slots[a]), depends[a]),
                Node::Bin(op, a, b) => (op.dual(slots[a], slots[b]), depends[a] || depends[b]),
                leaf => (Dual::constant(leaf_value(leaf, x, y, inputs)), false),
            };
            let dep = if seed(i) {
                d = Dual::new(d.v, 1.0, 0.0);
                true
            } else {
                if !dep {
                    d = Dual::constant(d.v);
                }
                dep
            };
            slots.push(d);
            depends.push(dep);
        }
        slots.last().map_or(f64::NAN, |d| d.dx)
    }

    fn run_values(
        &self,
        slots: &mut Vec<f64>,
        x: f64,
        y: f64,
        inputs: &[f64],
        set: Option<(&dyn Fn(usize) -> bool, f64)>,
    ) -> f64 {
        slots.clear();
        for (i, node) in self.nodes.iter().enumerate() {
            let v = match *node {
                Node::Neg(a) => -slots[a],
                Node::Call(f, a) => f.value(slots[a]),
                Node::Bin(op, a, b) => op.value(slots[a], slots[b]),
                leaf => leaf_value(leaf, x, y, inputs),
            };
            let v = match set {
                Some((picked, value)) if picked(i) => value,
                _ => v,
            };
            slots.push(v);
        }
        slots.last().copied().unwrap_or(f64::NAN)
    }

    fn run_duals(&self, slots: &mut Vec<Dual>, x: f64, y: f64, inputs: &[f64]) -> Dual {
        slots.clear();
        for (node, &[vx, vy]) in self.nodes.iter().zip(&self.varies) {
            let d = match *node {
                Node::X => Dual::new(x, 1.0, 0.0),
                Node::Y => Dual::new(y, 0.0, 1.0),
                Node::Neg(a) => Dual::new(-slots[a].v, -slots[a].dx, -slots[a].dy),
                Node::Call(f, a) => f.dual(slots[a]),
                Node::Bin(op, a, b) => op.dual(slots[a], slots[b]),
                leaf => Dual::constant(leaf_value(leaf, x, y, inputs)),
            };
            let dx = if vx { d.dx } else { 0.0 };
            let dy = if vy { d.dy } else { 0.0 };
            slots.push(Dual::new(d.v, dx, dy));
        }
        slots.last().copied().unwrap_or(Dual::constant(f64::NAN))
    }
}

/// The value of a node that has no operands.
fn leaf_value(node: Node, x: f64, y: f64, inputs: &[f64]) -> f64 {
    match node {
        Node::Num(c) => c,
        Node::X => x,
        Node::Y => y,
        Node::Pi => PI,
        Node::E => E,
        Node::Input(k) => inputs.get(k).copied().unwrap_or(f64::NAN),
        Node::Neg(_) | Node::Call(..) | Node::Bin(..) => f64::NAN,
    }
}

/// A canonical, fully parenthesised form that parses back to the same tree, e.g. `-x^2` prints
/// as `(-(x ^ 2))` and `log(e)` as `ln(e)`. (The parentheses count towards [`MAX_DEPTH`], so a
/// formula that is already close to the limits may print to something too deep to parse back.)
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An explicit to-do stack instead of recursion: `1+1+1+...` is a chain thousands of nodes
        // deep, and recursing down it could overflow the stack.
        enum Piece {
            Node(usize),
            Text(&'static str),
        }
        let Some(root) = self.nodes.len().checked_sub(1) else {
            return Ok(());
        };
        let mut todo = vec![Piece::Node(root)];
        while let Some(piece) = todo.pop() {
            let i = match piece {
                Piece::Text(text) => {
                    f.write_str(text)?;
                    continue;
                }
                Piece::Node(i) => i,
            };
            match self.nodes[i] {
                Node::Num(v) => write_number(f, v)?,
                Node::X => f.write_str("x")?,
                Node::Y => f.write_str("y")?,
                Node::Pi => f.write_str("pi")?,
                Node::E => f.write_str("e")?,
                Node::Input(k) => f.write_str(self.inputs.get(k).map_or("?", String::as_str))?,
                Node::Neg(a) => {
                    f.write_str("(-")?;
                    todo.extend([Piece::Text(")"), Piece::Node(a)]);
                }
                Node::Call(func, a) => {
                    write!(f, "{}(", func.name())?;
                    todo.extend([Piece::Text(")"), Piece::Node(a)]);
                }
                Node::Bin(op, a, b) => {
                    f.write_str("(")?;
                    // Pushed in reverse: the left operand is printed first.
                    todo.extend([
                        Piece::Text(")"),
                        Piece::Node(b),
                        Piece::Text(op.symbol()),
                        Piece::Node(a),
                    ]);
                }
            }
        }
        Ok(())
    }
}

/// Prints a number so that it parses back to the same bits: the shortest digits that do, with an
/// exponent for very large or small numbers (1e300, not 301 characters).
fn write_number(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    f.write_str(&crate::number::general(v))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    Num(f64),
    Name,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    LParen,
    RParen,
    End,
}

/// A token and where it is: characters `start..end` of the input.
#[derive(Debug, Clone, Copy)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

impl Token {
    fn column(self) -> usize {
        self.start + 1
    }

    /// Whether this token can begin an operand, so that seeing it right after an operand means a
    /// missing operator (`2x`, `2(x+1)`, `x y`).
    fn starts_operand(self) -> bool {
        matches!(self.tok, Tok::Num(_) | Tok::Name | Tok::LParen)
    }
}

/// The parser's results. The error is boxed to keep results small: the recursive functions hold
/// several of them at once, and in a debug build that adds up (see [`Parser::parse_expr`]).
type Parsed<T> = Result<T, Box<ParseError>>;

/// A recursive-descent parser reading tokens on demand, so the first error in the text is the one
/// reported. It recurses only into parentheses and function calls; sign and `^` chains are loops.
struct Parser {
    chars: Vec<char>,
    /// The next character to read.
    pos: usize,
    peeked: Option<Token>,
    /// The last token consumed, to name it in "missing operator between ..." messages.
    prev: Option<Token>,
    depth: usize,
    nodes: Vec<Node>,
    /// Whether names other than x, y, pi, e and the functions are named inputs (the graph
    /// view's formulas) rather than errors (a surface's).
    allow_inputs: bool,
    inputs: Vec<String>,
}

impl Parser {
    fn new(src: &str, allow_inputs: bool) -> Parser {
        Parser {
            chars: src.chars().collect(),
            pos: 0,
            peeked: None,
            prev: None,
            depth: 0,
            nodes: Vec::new(),
            allow_inputs,
            inputs: Vec::new(),
        }
    }

    fn text(&self, t: Token) -> String {
        self.chars[t.start..t.end].iter().collect()
    }

    fn peek(&mut self) -> Parsed<Token> {
        match self.peeked {
            Some(t) => Ok(t),
            None => {
                let t = self.lex()?;
                self.peeked = Some(t);
                Ok(t)
            }
        }
    }

    fn next(&mut self) -> Parsed<Token> {
        let t = self.peek()?;
        self.peeked = None;
        self.prev = Some(t);
        Ok(t)
    }

    fn push(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// Goes one nesting level deeper; `column` is where, for the error message.
    fn enter(&mut self, column: usize) -> Parsed<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let message = Message::new("expr.too-deep").with("limit", MAX_DEPTH);
            return Err(ParseError::new(message, column).into());
        }
        Ok(())
    }

    // ---- Lexer ----

    fn lex(&mut self) -> Parsed<Token> {
        self.skip_while(char::is_whitespace);
        let start = self.pos;
        let Some(&c) = self.chars.get(start) else {
            return Ok(self.token(Tok::End, start));
        };
        let tok = match c {
            '0'..='9' | '.' => return self.lex_number(),
            'a'..='z' | 'A'..='Z' => {
                // Names: a letter, then letters, digits and '_' (`apple_num`, `w1`).
                self.skip_while(|c| c.is_ascii_alphanumeric() || c == '_');
                return Ok(self.token(Tok::Name, start));
            }
            '+' => Tok::Plus,
            '-' => Tok::Minus,
            '*' if self.chars.get(start + 1) == Some(&'*') => {
                self.pos += 1; // `**` is a synonym of `^`
                Tok::Caret
            }
            '*' => Tok::Star,
            '/' => Tok::Slash,
            '^' => Tok::Caret,
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            _ => return Err(unexpected_character(c, start + 1).into()),
        };
        self.pos += 1;
        Ok(self.token(tok, start))
    }

    /// A token from `start` to the current position.
    fn token(&self, tok: Tok, start: usize) -> Token {
        Token {
            tok,
            start,
            end: self.pos,
        }
    }

    fn skip_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.chars.get(self.pos).is_some_and(|&c| keep(c)) {
            self.pos += 1;
        }
    }

    fn lex_number(&mut self) -> Parsed<Token> {
        let start = self.pos;
        let text = |p: &Parser| -> String { p.chars[start..p.pos].iter().collect() };
        let bad = |message: Message, hint: Message| {
            Err(ParseError::new(message, start + 1).hint(hint).into())
        };
        let example = |text: &str| Message::new("expr.hint.example").with("example", text);
        self.skip_while(|c| c.is_ascii_digit() || c == '.');
        let mantissa = &self.chars[start..self.pos];
        if !mantissa.iter().any(char::is_ascii_digit) {
            return bad(Message::new("expr.lone-dot"), example("0.5"));
        }
        if mantissa.iter().filter(|&&c| c == '.').count() > 1 {
            let message = Message::new("expr.two-dots").with("number", text(self));
            return bad(message, example("1.25"));
        }
        if matches!(self.chars.get(self.pos), Some('e' | 'E')) {
            let after = self.chars.get(self.pos + 1).copied();
            let sign = usize::from(matches!(after, Some('+' | '-')));
            let digit = self
                .chars
                .get(self.pos + 1 + sign)
                .is_some_and(|c| c.is_ascii_digit());
            if digit {
                self.pos += 1 + sign;
                self.skip_while(|c| c.is_ascii_digit());
            } else if !after.is_some_and(|c| c.is_ascii_alphabetic()) {
                // `1e`, `1e+`, `1e)`: an exponent with no digits. (But `2exp(x)` is a number
                // followed by a name, reported later as a missing '*'.)
                self.pos += 1 + sign;
                let message = Message::new("expr.empty-exponent").with("number", text(self));
                return bad(message, Message::new("expr.hint.exponent-digits"));
            }
        }
        if self.chars.get(self.pos) == Some(&'.') {
            // `1e3.5`: take the rest so the message shows the whole thing.
            self.skip_while(|c| c == '.' || c.is_ascii_digit());
            let message = Message::new("expr.dot-in-exponent").with("number", text(self));
            return bad(message, Message::new("expr.hint.whole-exponent"));
        }
        let text = text(self);
        match crate::number::read(&text) {
            Some(v) if v.is_finite() => Ok(self.token(Tok::Num(v), start)),
            Some(_) => bad(
                Message::new("expr.out-of-range").with("number", text),
                Message::new("expr.hint.largest"),
            ),
            None => bad(
                Message::new("expr.bad-number").with("number", text),
                example("2.5"),
            ),
        }
    }

    // ---- Parser. Each parse_ function returns the index of the node it pushed last. ----
    //
    // Parentheses and function calls recurse through parse_expr, parse_term, parse_unary and
    // parse_primary, so these four are kept small (anything else lives in helper functions that
    // have returned before the recursion happens): a debug build must fit MAX_DEPTH levels of
    // them in a 2 MiB stack with room to spare.

    /// The whole input: an expression and then nothing else.
    fn parse_all(mut self) -> Parsed<(Vec<Node>, Vec<String>)> {
        self.parse_expr()?;
        let end = self.next()?;
        if end.tok != Tok::End {
            // Everything that could continue an expression was taken, so this is a stray ')'.
            let hint = Message::new("expr.hint.no-matching-open");
            return Err(self.unexpected(end).hint(hint).into());
        }
        Ok((self.nodes, self.inputs))
    }

    /// expr := term (('+' | '-') term)*
    fn parse_expr(&mut self) -> Parsed<usize> {
        let mut left = self.parse_term()?;
        while let Some(op) = self.eat_operator([BinOp::Add, BinOp::Sub])? {
            let right = self.parse_term()?;
            left = self.push(Node::Bin(op, left, right));
        }
        Ok(left)
    }

    /// term := unary (('*' | '/') unary)*
    fn parse_term(&mut self) -> Parsed<usize> {
        let mut left = self.parse_unary()?;
        while let Some(op) = self.eat_operator([BinOp::Mul, BinOp::Div])? {
            let right = self.parse_unary()?;
            left = self.push(Node::Bin(op, left, right));
        }
        Ok(left)
    }

    /// unary := ('-' | '+')* primary (('^' | '**') unary)?
    ///
    /// Read as a loop rather than by recursion, so that `------x` or `2^2^2^...` cannot overflow
    /// the stack: `-a ^ -b ^ c` is read as the links (1 minus, a), (1 minus, b), (0 minus, c).
    fn parse_unary(&mut self) -> Parsed<usize> {
        let outer_depth = self.depth;
        let mut links = Vec::new();
        let last = loop {
            let link = (self.parse_signs()?, self.parse_primary()?);
            if !self.eat_power()? {
                break link;
            }
            links.push(link);
        };
        self.depth = outer_depth;
        Ok(self.fold_power_chain(links, last))
    }

    /// primary := number | x | y | pi | e | '(' expr ')' | function '(' expr ')'
    fn parse_primary(&mut self) -> Parsed<usize> {
        let (open, func) = match self.primary_start()? {
            Primary::Leaf(node) => return Ok(self.push(node)),
            Primary::Group(open, func) => (open, func),
        };
        let inner = self.parse_expr()?;
        self.close_group(open)?;
        Ok(match func {
            Some(func) => self.push(Node::Call(func, inner)),
            None => inner,
        })
    }

    /// Consumes a `+`, `-`, `*` or `/` if it is one of `ops`. An operand here instead means a
    /// missing operator, as in `2x`.
    fn eat_operator(&mut self, ops: [BinOp; 2]) -> Parsed<Option<BinOp>> {
        let t = self.peek()?;
        let op = match t.tok {
            Tok::Plus => BinOp::Add,
            Tok::Minus => BinOp::Sub,
            Tok::Star => BinOp::Mul,
            Tok::Slash => BinOp::Div,
            _ if t.starts_operand() => return Err(self.missing_operator(t).into()),
            _ => return Ok(None),
        };
        if !ops.contains(&op) {
            return Ok(None);
        }
        self.next()?;
        Ok(Some(op))
    }

    /// Consumes any unary signs and returns how many were minus signs.
    fn parse_signs(&mut self) -> Parsed<usize> {
        let mut minuses = 0;
        loop {
            let t = self.peek()?;
            match t.tok {
                Tok::Minus => minuses += 1,
                Tok::Plus => {} // unary plus changes nothing
                _ => return Ok(minuses),
            }
            self.enter(t.column())?;
            self.next()?;
        }
    }

    /// Consumes a `^` (or `**`) if there is one.
    fn eat_power(&mut self) -> Parsed<bool> {
        let t = self.peek()?;
        if t.tok != Tok::Caret {
            return Ok(false);
        }
        self.enter(t.column())?;
        self.next()?;
        Ok(true)
    }

    /// Builds `-a ^ -(b ^ c)` from the links of a power chain, from the right: `^` groups to the
    /// right, and signs bind looser than `^`, so each link's signs apply to everything after them.
    fn fold_power_chain(&mut self, mut links: Vec<(usize, usize)>, last: (usize, usize)) -> usize {
        let (mut minuses, mut result) = last;
        loop {
            for _ in 0..minuses {
                result = self.push(Node::Neg(result));
            }
            let Some((m, base)) = links.pop() else {
                return result;
            };
            result = self.push(Node::Bin(BinOp::Pow, base, result));
            minuses = m;
        }
    }

    /// Reads the start of a primary: a whole leaf, or an opening `(` (of a group or of a function
    /// call), after which the caller parses an expression and a closing `)`.
    fn primary_start(&mut self) -> Parsed<Primary> {
        let t = self.next()?;
        let node = match t.tok {
            Tok::Num(v) => Node::Num(v),
            Tok::LParen => {
                self.enter(t.column())?;
                return Ok(Primary::Group(t, None));
            }
            Tok::Name => {
                let name = self.text(t);
                match name.as_str() {
                    "x" => Node::X,
                    "y" => Node::Y,
                    "pi" => Node::Pi,
                    "e" => Node::E,
                    _ => return self.call_start(t, &name),
                }
            }
            _ => {
                let hint = Message::new("expr.hint.expected-operand");
                return Err(self.unexpected(t).hint(hint).into());
            }
        };
        Ok(Primary::Leaf(node))
    }

    /// After a name that is not a variable or constant: a function and its `(`, or an error.
    fn call_start(&mut self, name_token: Token, name: &str) -> Parsed<Primary> {
        let open = self.peek()?;
        let Some(func) = Func::lookup(name) else {
            let is_call = open.tok == Tok::LParen;
            if self.allow_inputs && !is_call {
                let k = match self.inputs.iter().position(|n| n == name) {
                    Some(k) => k,
                    None => {
                        self.inputs.push(name.to_string());
                        self.inputs.len() - 1
                    }
                };
                return Ok(Primary::Leaf(Node::Input(k)));
            }
            return Err(unknown_name(name, name_token.column(), is_call).into());
        };
        if open.tok != Tok::LParen {
            let message = Message::new("expr.needs-parentheses").with("name", name);
            let hint = Message::new("expr.hint.example").with("example", format!("{name}(x)"));
            return Err(ParseError::new(message, name_token.column())
                .hint(hint)
                .into());
        }
        self.next()?;
        self.enter(open.column())?;
        Ok(Primary::Group(open, Some(func)))
    }

    /// Consumes the `)` that closes `open`.
    fn close_group(&mut self, open: Token) -> Parsed<()> {
        let close = self.next()?;
        match close.tok {
            Tok::RParen => {
                self.depth -= 1;
                Ok(())
            }
            Tok::End => {
                let error = ParseError::new(Message::new("expr.unclosed"), open.column());
                Err(error.hint(Message::new("expr.hint.close")).into())
            }
            _ => {
                let hint = Message::new("expr.hint.expected-close");
                Err(self.unexpected(close).hint(hint).into())
            }
        }
    }

    fn unexpected(&self, t: Token) -> ParseError {
        let message = match t.tok {
            Tok::End => Message::new("expr.unexpected-end"),
            _ => Message::new("expr.unexpected").with("token", self.text(t)),
        };
        ParseError::new(message, t.column())
    }

    fn missing_operator(&self, next: Token) -> ParseError {
        let before = self.prev.map(|p| self.text(p)).unwrap_or_default();
        let after = self.text(next);
        let message = Message::new("expr.missing-operator")
            .with("before", &before)
            .with("after", &after);
        let hint = Message::new("expr.hint.write-product")
            .with("before", before)
            .with("after", after);
        ParseError::new(message, next.column()).hint(hint)
    }
}

/// How a primary starts: see [`Parser::primary_start`].
enum Primary {
    Leaf(Node),
    /// An opening parenthesis, and the function it belongs to, if any.
    Group(Token, Option<Func>),
}

fn unknown_name(name: &str, column: usize, is_call: bool) -> ParseError {
    let lower = name.to_ascii_lowercase();
    let known = |n: &str| matches!(n, "x" | "y" | "pi" | "e") || Func::lookup(n).is_some();
    // Two kinds rather than one with the word as a value, so "function" and "name" are
    // translated too.
    let message = if is_call {
        Message::new("expr.unknown-function")
    } else {
        Message::new("expr.unknown-name")
    };
    let error = ParseError::new(message.with("name", name), column);
    if lower != name && known(&lower) {
        error.hint(Message::new("expr.hint.case").with("name", lower))
    } else if let Some((a, b)) = name
        .find(|c: char| c.is_ascii_digit())
        .and_then(|i| name.split_at_checked(i))
        .filter(|&(a, b)| !is_call && known(a) && b.bytes().all(|b| b.is_ascii_digit()))
    {
        let hint = Message::new("expr.hint.multiply-or-power")
            .with("name", a)
            .with("digits", b);
        error.hint(hint)
    } else if !is_call && name.len() > 1 && name.chars().all(|c| c == 'x' || c == 'y') {
        let product: Vec<String> = name.chars().map(String::from).collect();
        error.hint(Message::new("expr.hint.multiply").with("product", product.join("*")))
    } else if is_call {
        error.hint(Message::new("expr.hint.functions"))
    } else {
        error.hint(Message::new("expr.hint.names"))
    }
}

fn unexpected_character(c: char, column: usize) -> ParseError {
    let message = Message::new("expr.unexpected-character").with("character", c.to_string());
    let error = ParseError::new(message, column);
    let write = |text: &str| {
        error
            .clone()
            .hint(Message::new("expr.hint.write").with("text", text))
    };
    // Characters that arrive when a formula is pasted from a document.
    match c {
        'π' => write("pi"),
        '²' => write("^2"),
        '³' => write("^3"),
        '×' | '·' | '∙' => write("*"),
        '÷' => write("/"),
        '−' | '–' => error.hint(Message::new("expr.hint.ascii-minus")),
        ',' => error.hint(Message::new("expr.hint.one-argument")),
        _ => error,
    }
}

#[cfg(test)]
mod tests {
    //! Properties checked on many random inputs. Hand-worked examples are in `tests/expr.rs`.
    use super::*;
    use proptest::prelude::*;

    fn parse(src: &str) -> Expr {
        match Expr::parse(src) {
            Ok(e) => e,
            Err(err) => panic!("{src:?} should parse: {err}"),
        }
    }

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    const NAMES: [&str; 9] = [
        "sin", "cos", "tan", "exp", "ln", "log", "sqrt", "abs", "tanh",
    ];

    /// Random valid formulas: leaves joined by operators, signs and calls, with and without
    /// parentheses, so that precedence and associativity are exercised too.
    fn formula() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("x".to_string()),
            Just("y".to_string()),
            Just("pi".to_string()),
            Just("e".to_string()),
            (0u32..100).prop_map(|n| n.to_string()),
            (0.0f64..10.0).prop_map(|v| v.to_string()),
            (1e-300f64..1e300).prop_map(|v| format!("{v:e}")),
        ];
        leaf.prop_recursive(5, 48, 2, |inner| {
            prop_oneof![
                (inner.clone(), 0..6usize, inner.clone(), any::<bool>()).prop_map(
                    |(a, op, b, wrap)| {
                        let op = ["+", "-", "*", "/", "^", "**"][op];
                        if wrap {
                            format!("({a}){op}({b})")
                        } else {
                            format!("{a} {op} {b}")
                        }
                    }
                ),
                (prop_oneof![Just("-"), Just("+")], inner.clone())
                    .prop_map(|(sign, a)| format!("{sign}{a}")),
                (0..NAMES.len(), inner).prop_map(|(f, a)| format!("{}( {a} )", NAMES[f])),
            ]
        })
    }

    proptest! {
        #[test]
        fn display_round_trips(src in formula()) {
            let first = parse(&src);
            let printed = first.to_string();
            let second = parse(&printed);
            prop_assert_eq!(second.to_string(), printed.clone());
            prop_assert_eq!(&second.nodes, &first.nodes);
            for (x, y) in [(0.0, 0.0), (1.5, -0.5), (-2.0, 3.0), (0.1, 7.0)] {
                let v = first.value(x, y);
                prop_assert!(same(v, second.value(x, y)), "{} at ({}, {})", printed, x, y);
                // The dual path computes values with the same operations as the fast path.
                prop_assert!(same(v, first.value_and_gradient(x, y).0), "{} at ({}, {})", printed, x, y);
            }
        }

        #[test]
        fn gradient_matches_central_differences(x in -2.0f64..2.0, y in -2.0f64..2.0) {
            let formulas = [
                "x^2/20 + y^2", "x*y - 3*x", "sin(x)*cos(y)", "exp(x*y/4)", "tan(x/2) + y",
                "tanh(x - y)", "ln(x^2 + 1) * y", "log(1 + exp(y))", "sqrt(x^2 + y^2 + 1)",
                "abs(x - 5) * y", "(x^2 + 1)^y", "2^x / (y^2 + 1)", "-x^3 + x**2*y",
                "(1 - x)^2 + 100*(y - x^2)^2", "x^-2 + cos(x*y) / (2 + sin(y))",
            ];
            let h = 1e-6;
            for src in formulas {
                let f = parse(src);
                let (v, g) = f.value_and_gradient(x, y);
                if !v.is_finite() || v.abs() > 1e6 || !g.iter().all(|d| d.is_finite() && d.abs() < 1e6) {
                    continue;
                }
                let gx = (f.value(x + h, y) - f.value(x - h, y)) / (2.0 * h);
                let gy = (f.value(x, y + h) - f.value(x, y - h)) / (2.0 * h);
                prop_assert!((g[0] - gx).abs() <= 1e-5 * (1.0 + g[0].abs()), "{}: d/dx {} vs {}", src, g[0], gx);
                prop_assert!((g[1] - gy).abs() <= 1e-5 * (1.0 + g[1].abs()), "{}: d/dy {} vs {}", src, g[1], gy);
            }
        }

        #[test]
        fn parser_never_panics_on_any_text(src in any::<String>()) {
            let _ = Expr::parse(&src);
        }

        #[test]
        fn parser_never_panics_on_grammar_characters(
            src in "[xy0-9.e+*/^() sincotaexplqrbh-]{0,40}"
        ) {
            if let Ok(f) = Expr::parse(&src) {
                let _ = f.value_and_gradient(0.5, -0.5);
                let _ = f.to_string();
            }
        }
    }

    #[test]
    fn deep_but_legal_nesting_parses_without_overflow() {
        // MAX_DEPTH levels of each construct that recurses, on half the default 2 MiB stack of a
        // test thread, so that a debug build keeps a safety margin.
        let run = || {
            let nest = |open: &str| {
                let src = format!("{}x{}", open.repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
                parse(&src).value_and_gradient(-3.0, 0.0)
            };
            assert_eq!(nest("("), (-3.0, [1.0, 0.0]));
            assert_eq!(nest("abs("), (3.0, [-1.0, 0.0]));
            let signs = format!("{}x{}", "-(".repeat(128), ")".repeat(128));
            assert_eq!(parse(&signs).value(-3.0, 0.0), -3.0);
        };
        let thread = std::thread::Builder::new().stack_size(1 << 20).spawn(run);
        assert!(thread.map(|t| t.join().is_ok()).unwrap_or(false));
    }

    #[test]
    fn long_flat_sums_evaluate_and_print() {
        // 5000 terms: a tree 5000 levels deep, which nothing walks recursively.
        let sum = vec!["1"; 5000].join("+");
        let f = parse(&sum);
        assert_eq!(f.value(0.0, 0.0), 5000.0);
        assert!(f.to_string().starts_with(&"(".repeat(4999)));
    }
}
