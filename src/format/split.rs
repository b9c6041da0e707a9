//! Cutting a JSON document that arrives in chunks into pieces, each as soon as it is complete.
//!
//! A big JSON Feed is one object whose `items` array holds nearly all of its bytes. A
//! [`Splitter`] reads such a document chunk by chunk and reports every member of the
//! top-level object, and every element of one chosen array, as a byte range the moment its
//! last byte arrives; the caller parses the piece (with `serde_json::from_slice`) and lets
//! it go, so the whole document is never held.
//!
//! Only the structure is checked here: the top level is an object, commas and colons sit
//! where they belong in it and in the split array, brackets balance and match, strings
//! close. What a piece holds (numbers, literals, escapes, UTF-8) is left to the parser it
//! goes to.
//!
//! The scan is resumable: between chunks the state is a few flags and the stack of brackets
//! open inside the current piece, so each byte is looked at once however the document is
//! cut. String contents, most of a feed, are skipped with `memchr2`.

use memchr::memchr2;
use std::ops::Range;

/// Deepest nesting accepted, the top-level object counting as one level.
const MAX_DEPTH: usize = 128;

/// The UTF-8 byte order mark, skipped at the start.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One complete piece of the document: where it is in [`Splitter::buffer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// A member of the top-level object or an element of the split array.
    pub kind: Kind,
    /// The value's bytes in `buffer()` (the member's value or the array element, exactly,
    /// without surrounding whitespace or commas).
    pub range: Range<usize>,
}

/// What a [`Piece`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A member of the top-level object other than the split array: its key, decoded
    /// (JSON escapes resolved).
    Member(String),
    /// One element of the split array.
    Element,
}

/// Why a document could not be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// Not a JSON object at the top (after optional UTF-8 BOM and whitespace).
    #[error("not a JSON object")]
    NotAnObject,
    /// Broken structure; the message says what and the byte offset in the whole document.
    #[error("broken JSON at byte {at}: {what}")]
    Broken {
        /// Offset of the offending byte (or of the end) in the whole document.
        at: u64,
        /// What is wrong.
        what: &'static str,
    },
    /// Nested deeper than the limit.
    #[error("JSON nested deeper than {0} levels")]
    TooDeep(usize),
}

/// Where the scan is in the grammar of the top-level object and the split array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start, this many bytes of a byte order mark seen.
    Bom(usize),
    /// Before the top-level `{`.
    Open,
    /// After `{`: a key or `}`.
    FirstKey,
    /// After a comma between members: a key.
    Key,
    /// After a key: `:`.
    Colon,
    /// After a colon: a value.
    Value,
    /// After a member: `,` or `}`.
    AfterMember,
    /// After the `[` of the split array: an element or `]`.
    FirstElement,
    /// After a comma in the split array: an element.
    Element,
    /// After an element: `,` or `]`.
    AfterElement,
    /// After the closing `}`: whitespace only.
    End,
}

/// Splits a JSON object arriving in chunks into its members and the elements of one array.
///
/// Push the chunks with [`push`](Splitter::push), take the [`ready`](Splitter::ready)
/// pieces (their bytes are in [`buffer`](Splitter::buffer)), then
/// [`consume`](Splitter::consume) them to free their bytes; call
/// [`finish`](Splitter::finish) at the end of the document.
pub struct Splitter {
    array_key: &'static str,
    /// The bytes from the start of the earliest piece kept.
    buf: Vec<u8>,
    /// Offset of `buf[0]` in the whole document.
    base: u64,
    /// How much of `buf` has been scanned.
    scanned: usize,
    state: State,
    /// Start in `buf` of the key or value being scanned, if one is.
    start: Option<usize>,
    /// The closing brackets that value still needs, innermost last.
    closers: Vec<u8>,
    /// Inside a string of that value.
    in_string: bool,
    /// Just after a backslash in that string.
    escape: bool,
    /// That value is a number or literal (it ends at the first byte not part of it).
    scalar: bool,
    /// The decoded key of the member whose value comes next.
    key: String,
    ready: Vec<Piece>,
    error: Option<SplitError>,
    /// How many times the split array was opened.
    arrays: usize,
    /// Trailing commas and anything after the object are let pass (see [`Splitter::lenient`]).
    lenient: bool,
}

impl Splitter {
    /// `array_key`: the top-level member whose value, when it is an array, is delivered
    /// element by element (for JSON Feed: "items"). When its value is not an array it is
    /// delivered whole as an ordinary `Kind::Member`.
    pub fn new(array_key: &'static str) -> Splitter {
        Splitter {
            array_key,
            buf: Vec::new(),
            base: 0,
            scanned: 0,
            state: State::Bom(0),
            start: None,
            closers: Vec::new(),
            in_string: false,
            escape: false,
            scalar: false,
            key: String::new(),
            ready: Vec::new(),
            error: None,
            arrays: 0,
            lenient: false,
        }
    }

    /// A splitter that lets pass what web pages' JSON-LD often holds and
    /// [`crate::format::lenient`] repairs: a comma before the closing `}` of the top-level
    /// object or the `]` of the split array, and anything after the object (a stray `;`).
    pub fn lenient(array_key: &'static str) -> Splitter {
        Splitter {
            lenient: true,
            ..Splitter::new(array_key)
        }
    }

    /// Appends `bytes` and scans them. Pieces completed by them become available from
    /// `ready()`. An error is final (later calls return it again).
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), SplitError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        self.buf.extend_from_slice(bytes);
        let scanned = self.scan();
        if let Err(error) = &scanned {
            self.error = Some(error.clone());
        }
        scanned
    }

    /// The pieces completed since the last `consume`, in document order.
    pub fn ready(&self) -> &[Piece] {
        &self.ready
    }

    /// The bytes the ready pieces' ranges point into.
    pub fn buffer(&self) -> &[u8] {
        &self.buf
    }

    /// Forgets the ready pieces and drops every byte before the end of the last of them
    /// (so memory stays about one piece plus one chunk). Ranges of later pieces are relative
    /// to the new buffer.
    ///
    /// The bytes after the last piece that belong to no piece in progress (whitespace,
    /// commas) are dropped too: what stays is the key or value being scanned, from its start.
    pub fn consume(&mut self) {
        self.ready.clear();
        let keep = self.start.unwrap_or(self.scanned);
        self.buf.drain(..keep);
        self.base += keep as u64;
        self.scanned -= keep;
        self.start = self.start.map(|start| start - keep);
    }

    /// The document ended: `Ok` when exactly one complete top-level object was read,
    /// followed by whitespace only. Otherwise `Broken` (e.g. "unexpected end").
    pub fn finish(&self) -> Result<(), SplitError> {
        match (&self.error, self.state) {
            (Some(error), _) => Err(error.clone()),
            (None, State::End) => Ok(()),
            (None, _) => Err(SplitError::Broken {
                at: self.position(),
                what: "unexpected end",
            }),
        }
    }

    /// How many times the split array has begun so far (an empty array delivers no
    /// element, but it was there).
    pub fn arrays(&self) -> usize {
        self.arrays
    }

    /// Bytes taken by `push` so far (for error offsets and for callers' progress).
    pub fn position(&self) -> u64 {
        self.base + self.buf.len() as u64
    }

    /// Scans the bytes not scanned yet.
    fn scan(&mut self) -> Result<(), SplitError> {
        while self.scanned < self.buf.len() {
            let Some(start) = self.start else {
                self.scanned += self.step(self.scanned)?;
                continue;
            };
            match self.scan_value(self.scanned)? {
                Some(end) => {
                    self.start = None;
                    self.scanned = end;
                    self.value_done(start..end)?;
                }
                None => self.scanned = self.buf.len(),
            }
        }
        Ok(())
    }

    /// Takes the byte at `i`, outside any key or value. Returns how many bytes it used: 0
    /// when the byte starts a key or value (scanned next) or is left to the next state.
    fn step(&mut self, i: usize) -> Result<usize, SplitError> {
        let b = self.buf[i];
        let at = self.offset(i);
        self.state = match (self.state, b) {
            (State::Bom(n), _) if BOM.get(n) == Some(&b) => match n + 1 {
                n if n == BOM.len() => State::Open,
                n => State::Bom(n),
            },
            (State::Bom(0), _) => {
                self.state = State::Open;
                return Ok(0);
            }
            (State::Bom(_), _) => return Err(SplitError::NotAnObject),
            _ if is_space(b) => return Ok(1),
            (State::Open, b'{') => State::FirstKey,
            (State::Open, _) => return Err(SplitError::NotAnObject),
            (State::FirstKey, b'}') => State::End,
            (State::FirstKey | State::Key, b'"') => return Ok(self.begin(i)),
            (State::Key, b'}') if self.lenient => State::End,
            (State::Key, b'}') => return Err(broken(at, "trailing comma")),
            (State::FirstKey | State::Key, _) => return Err(broken(at, "expected a key")),
            (State::Colon, b':') => State::Value,
            (State::Colon, _) => return Err(broken(at, "expected a colon")),
            (State::Value, b'[') if self.key == self.array_key => {
                self.arrays += 1;
                State::FirstElement
            }
            (State::FirstElement, b']') => State::AfterMember,
            (State::Element, b']') if self.lenient => State::AfterMember,
            (State::Element, b']') => return Err(broken(at, "trailing comma")),
            (State::Value | State::FirstElement | State::Element, b'}' | b']' | b',' | b':') => {
                return Err(broken(at, "expected a value"));
            }
            (State::Value | State::FirstElement | State::Element, _) => return Ok(self.begin(i)),
            (State::AfterMember, b',') => State::Key,
            (State::AfterMember, b'}') => State::End,
            (State::AfterMember, _) => return Err(broken(at, "expected `,` or `}`")),
            (State::AfterElement, b',') => State::Element,
            (State::AfterElement, b']') => State::AfterMember,
            (State::AfterElement, _) => return Err(broken(at, "expected `,` or `]`")),
            (State::End, _) if self.lenient => {
                self.scanned = self.buf.len();
                return Ok(0);
            }
            (State::End, _) => return Err(broken(at, "more after the object")),
        };
        Ok(1)
    }

    /// Starts a key or value at `i`. Returns 0: its first byte is left to its scan.
    fn begin(&mut self, i: usize) -> usize {
        self.start = Some(i);
        self.closers.clear();
        self.in_string = false;
        self.escape = false;
        self.scalar = false;
        0
    }

    /// Scans the key or value in progress from `i`: `Some(end)` once it is complete, `None`
    /// when the buffer ended first.
    fn scan_value(&mut self, mut i: usize) -> Result<Option<usize>, SplitError> {
        let buf = &self.buf;
        while i < buf.len() {
            if self.in_string {
                if self.escape {
                    self.escape = false;
                    i += 1;
                    continue;
                }
                let Some(skip) = memchr2(b'"', b'\\', &buf[i..]) else {
                    return Ok(None);
                };
                i += skip + 1;
                if buf[i - 1] == b'\\' {
                    self.escape = true;
                } else {
                    self.in_string = false;
                    if self.closers.is_empty() {
                        return Ok(Some(i));
                    }
                }
                continue;
            }
            let b = buf[i];
            if self.scalar {
                if is_space(b) || b"{}[],:\"".contains(&b) {
                    return Ok(Some(i));
                }
            } else {
                match b {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => {
                        self.closers.push(if b == b'{' { b'}' } else { b']' });
                        // The levels around the value: the object, and the split array.
                        let outer = match self.state {
                            State::FirstElement | State::Element => 2,
                            _ => 1,
                        };
                        if outer + self.closers.len() > MAX_DEPTH {
                            return Err(SplitError::TooDeep(MAX_DEPTH));
                        }
                    }
                    b'}' | b']' => {
                        if self.closers.pop() != Some(b) {
                            return Err(broken(self.offset(i), "mismatched bracket"));
                        }
                        if self.closers.is_empty() {
                            return Ok(Some(i + 1));
                        }
                    }
                    // The first byte of a number or literal (the caller checked it is not
                    // structural); anywhere else inside a container, nothing to track.
                    _ if self.closers.is_empty() => self.scalar = true,
                    _ => {}
                }
            }
            i += 1;
        }
        Ok(None)
    }

    /// A key or value just ended: decodes the key, or makes the value a ready piece.
    fn value_done(&mut self, range: Range<usize>) -> Result<(), SplitError> {
        match self.state {
            State::FirstKey | State::Key => {
                let at = self.offset(range.start);
                self.key = serde_json::from_slice(&self.buf[range])
                    .map_err(|_| broken(at, "undecodable key"))?;
                self.state = State::Colon;
            }
            State::Value => {
                let key = std::mem::take(&mut self.key);
                self.ready.push(Piece {
                    kind: Kind::Member(key),
                    range,
                });
                self.state = State::AfterMember;
            }
            State::FirstElement | State::Element => {
                self.ready.push(Piece {
                    kind: Kind::Element,
                    range,
                });
                self.state = State::AfterElement;
            }
            // Keys and values start only in the states above.
            _ => {}
        }
        Ok(())
    }

    /// The offset in the whole document of `buf[i]`.
    fn offset(&self, i: usize) -> u64 {
        self.base + i as u64
    }
}

/// Splits a whole document at once: every piece with its bytes (copied), or the error.
pub fn split_all(doc: &[u8], array_key: &'static str) -> Result<Vec<(Kind, Vec<u8>)>, SplitError> {
    let mut splitter = Splitter::new(array_key);
    splitter.push(doc)?;
    splitter.finish()?;
    let bytes = splitter.buffer();
    Ok(splitter
        .ready()
        .iter()
        .map(|piece| (piece.kind.clone(), bytes[piece.range.clone()].to_vec()))
        .collect())
}

fn broken(at: u64, what: &'static str) -> SplitError {
    SplitError::Broken { at, what }
}

/// JSON whitespace.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn member(key: &str, value: &str) -> (Kind, String) {
        (Kind::Member(key.to_string()), value.to_string())
    }

    fn element(value: &str) -> (Kind, String) {
        (Kind::Element, value.to_string())
    }

    /// `split_all` on `doc`, the pieces as text for readable failures.
    fn split(doc: &str) -> Result<Vec<(Kind, String)>, SplitError> {
        let pieces = split_all(doc.as_bytes(), "items")?;
        Ok(pieces
            .into_iter()
            .map(|(kind, bytes)| (kind, String::from_utf8(bytes).unwrap()))
            .collect())
    }

    /// Pushes `doc` in chunks of the sizes given (cycled), consuming after a chunk when its
    /// flag says so; the pieces in order with their bytes.
    fn stream(doc: &[u8], chunks: &[(usize, bool)]) -> Result<Vec<(Kind, Vec<u8>)>, SplitError> {
        let mut splitter = Splitter::new("items");
        let mut pieces = Vec::new();
        let mut taken = 0;
        let mut rest = doc;
        for &(size, consume) in chunks.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (chunk, tail) = rest.split_at(size.min(rest.len()));
            rest = tail;
            splitter.push(chunk)?;
            for piece in &splitter.ready()[taken..] {
                let bytes = splitter.buffer()[piece.range.clone()].to_vec();
                pieces.push((piece.kind.clone(), bytes));
            }
            taken = splitter.ready().len();
            if consume {
                splitter.consume();
                taken = 0;
            }
        }
        splitter.finish()?;
        Ok(pieces)
    }

    #[test]
    fn splits_documents() {
        let feed = r#"{"version":"https://jsonfeed.org/version/1.1","title":"Live","items":[{"id":"1","content_html":"<p>a</p>"},{"id":"2"}],"next_url":"x"}"#;
        let cases = [
            (
                feed,
                vec![
                    member("version", r#""https://jsonfeed.org/version/1.1""#),
                    member("title", r#""Live""#),
                    element(r#"{"id":"1","content_html":"<p>a</p>"}"#),
                    element(r#"{"id":"2"}"#),
                    member("next_url", r#""x""#),
                ],
            ),
            ("{}", vec![]),
            (r#"{"items":[]}"#, vec![]),
            (
                r#"{"items":{"a":[1]}}"#,
                vec![member("items", r#"{"a":[1]}"#)],
            ),
            (r#"{"items":null}"#, vec![member("items", "null")]),
            (r#"{"items":"[1]"}"#, vec![member("items", r#""[1]""#)]),
            (
                r#"{"items":[{"a":{"b":[1,[2,{}]]}},[[]],3,"s",true,null,-1.5e3]}"#,
                vec![
                    element(r#"{"a":{"b":[1,[2,{}]]}}"#),
                    element("[[]]"),
                    element("3"),
                    element(r#""s""#),
                    element("true"),
                    element("null"),
                    element("-1.5e3"),
                ],
            ),
            (
                r#"{"t":"{}[],:\"\\","items":["a\"]b","\\","\\\"}",{"k":"}]\""}]}"#,
                vec![
                    member("t", r#""{}[],:\"\\""#),
                    element(r#""a\"]b""#),
                    element(r#""\\""#),
                    element(r#""\\\"}""#),
                    element(r#"{"k":"}]\""}"#),
                ],
            ),
            (
                r#"{"it\u0065ms":[1],"a\"b\\":2,"\u00e9t\u00e9":3}"#,
                vec![element("1"), member("a\"b\\", "2"), member("été", "3")],
            ),
            (
                r#"{"items":[1],"x":0,"items":[2,3]}"#,
                vec![element("1"), member("x", "0"), element("2"), element("3")],
            ),
            ("\u{feff}{\"a\":1}", vec![member("a", "1")]),
            (
                " \n\t{ \"a\" :\r 1 , \"items\" : [ 1 ,\n{ } , [ ] ] ,\"b\":{ \"c\" : [ ] } } \n",
                vec![
                    member("a", "1"),
                    element("1"),
                    element("{ }"),
                    element("[ ]"),
                    member("b", r#"{ "c" : [ ] }"#),
                ],
            ),
            (
                r#"{"a":true,"b":-0.5,"items":[false,"日本🎉"]}"#,
                vec![
                    member("a", "true"),
                    member("b", "-0.5"),
                    element("false"),
                    element(r#""日本🎉""#),
                ],
            ),
        ];
        for (doc, expected) in cases {
            assert_eq!(split(doc), Ok(expected), "{doc}");
        }
    }

    #[test]
    fn rejects_broken_documents() {
        let deep = |n| format!(r#"{{"a":{}{}}}"#, "[".repeat(n), "]".repeat(n));
        let deep_items = |n| format!(r#"{{"items":[{}0{}]}}"#, "{\"a\":".repeat(n), "}".repeat(n));
        let too_deep = Err(SplitError::TooDeep(MAX_DEPTH));
        let cases = [
            (String::new(), broken(0, "unexpected end")),
            ("  ".into(), broken(2, "unexpected end")),
            ("\u{feff}".into(), broken(3, "unexpected end")),
            ("{".into(), broken(1, "unexpected end")),
            (r#"{"a""#.into(), broken(4, "unexpected end")),
            (r#"{"a":"#.into(), broken(5, "unexpected end")),
            (r#"{"a":1"#.into(), broken(6, "unexpected end")),
            (r#"{"a":"x}"#.into(), broken(8, "unexpected end")),
            (r#"{"items":[1"#.into(), broken(11, "unexpected end")),
            (r#"{"items":[1]"#.into(), broken(12, "unexpected end")),
            (r#"{"a":[1}"#.into(), broken(7, "mismatched bracket")),
            (r#"{"a":{"b":1]}"#.into(), broken(11, "mismatched bracket")),
            (r#"{"items":[1}"#.into(), broken(11, "expected `,` or `]`")),
            (r#"{"a":1]"#.into(), broken(6, "expected `,` or `}`")),
            (r#"{"a":1 "b":2}"#.into(), broken(7, "expected `,` or `}`")),
            (
                r#"{"items":[1 2]}"#.into(),
                broken(12, "expected `,` or `]`"),
            ),
            (
                r#"{"items":[{} {}]}"#.into(),
                broken(13, "expected `,` or `]`"),
            ),
            (r#"{"a":1,}"#.into(), broken(7, "trailing comma")),
            (r#"{"items":[1,]}"#.into(), broken(12, "trailing comma")),
            (r#"{"a":1,,"b":2}"#.into(), broken(7, "expected a key")),
            (r#"{,"a":1}"#.into(), broken(1, "expected a key")),
            (r#"{a:1}"#.into(), broken(1, "expected a key")),
            (r#"{"a" 1}"#.into(), broken(5, "expected a colon")),
            (r#"{"a"::1}"#.into(), broken(5, "expected a value")),
            (r#"{"a":}"#.into(), broken(5, "expected a value")),
            (r#"{"a":,"b":1}"#.into(), broken(5, "expected a value")),
            (r#"{"items":[,1]}"#.into(), broken(10, "expected a value")),
            (r#"{"items":[1,,2]}"#.into(), broken(12, "expected a value")),
            (r#"{"a\x":1}"#.into(), broken(1, "undecodable key")),
            ("{\"a\nb\":1}".into(), broken(1, "undecodable key")),
            (r#"{"a":1} x"#.into(), broken(8, "more after the object")),
            (r#"{"a":1}{}"#.into(), broken(7, "more after the object")),
            (r#"{}}"#.into(), broken(2, "more after the object")),
        ];
        for (doc, expected) in cases {
            assert_eq!(split(&doc), Err(expected), "{doc}");
        }
        for doc in ["[1,2]", "12", r#""s""#, "null", "\u{feff}[]", " x"] {
            assert_eq!(split(doc), Err(SplitError::NotAnObject), "{doc}");
        }
        assert_eq!(
            split_all(b"\xEF\xBB{}", "items"),
            Err(SplitError::NotAnObject)
        );
        assert_eq!(split(&deep(127)).map(|p| p.len()), Ok(1));
        assert_eq!(split(&deep(128)), too_deep);
        assert_eq!(split(&deep(200)), too_deep);
        assert_eq!(split(&deep_items(126)).map(|p| p.len()), Ok(1));
        assert_eq!(split(&deep_items(127)), too_deep);
    }

    #[test]
    fn an_empty_array_is_counted_though_it_has_no_element() {
        let count = |doc: &str| {
            let mut s = Splitter::new("items");
            s.push(doc.as_bytes()).unwrap();
            s.arrays()
        };
        assert_eq!(count(r#"{"items":[]}"#), 1);
        assert_eq!(count(r#"{"items":[1],"items":[]}"#), 2);
        assert_eq!(count(r#"{"items":{},"other":[]}"#), 0);
    }

    #[test]
    fn errors_are_final_and_at_document_offsets() {
        let doc = br#"{"items":[1,2,]}"#;
        let trailing = broken(14, "trailing comma");
        assert_eq!(stream(doc, &[(1, true)]), Err(trailing.clone()));
        assert_eq!(stream(doc, &[(3, false), (1, true)]), Err(trailing.clone()));
        let mut splitter = Splitter::new("items");
        assert_eq!(splitter.push(doc), Err(trailing.clone()));
        assert_eq!(splitter.push(b"]}"), Err(trailing.clone()));
        assert_eq!(splitter.finish(), Err(trailing));
        assert_eq!(splitter.position(), doc.len() as u64);
    }

    #[test]
    fn consume_keeps_only_the_piece_in_progress() {
        let body = "x".repeat(1000);
        let items: Vec<String> = (0..100)
            .map(|i| format!(r#"{{"id":{i},"b":"{body}"}}"#))
            .collect();
        let doc = format!(r#"{{"title":"t","items":[{}]}}"#, items.join(",\n "));
        let mut splitter = Splitter::new("items");
        let mut count = 0;
        let mut largest = 0;
        for chunk in doc.as_bytes().chunks(100) {
            splitter.push(chunk).unwrap();
            largest = largest.max(splitter.buffer().len());
            for piece in splitter.ready() {
                let value: Value =
                    serde_json::from_slice(&splitter.buffer()[piece.range.clone()]).unwrap();
                if piece.kind == Kind::Element {
                    assert_eq!(value["id"], count);
                    count += 1;
                }
            }
            splitter.consume();
        }
        splitter.finish().unwrap();
        assert_eq!(count, 100);
        assert!(largest <= items[99].len() + 100, "{largest}");
        assert_eq!(splitter.position(), doc.len() as u64);
    }

    /// A JSON string literal mixing escapes, structural characters and non-ASCII text.
    fn string() -> impl Strategy<Value = String> {
        let parts = vec![
            "a",
            "z",
            " ",
            "<p>",
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            r#"\""#,
            r"\\",
            r"\/",
            r"\n",
            r"\u00e9",
            r"\ud83c\udf89",
            "é",
            "日",
            "🎉",
        ];
        prop::collection::vec(prop::sample::select(parts), 0..8)
            .prop_map(|parts| format!("\"{}\"", parts.concat()))
    }

    fn space() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["", "", " ", "\n", " \t\r\n "])
    }

    /// Any JSON value, nested a few levels.
    fn value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            string(),
            any::<i32>().prop_map(|n| n.to_string()),
            prop::sample::select(vec!["true", "false", "null", "-1.5e-3", "0.25"])
                .prop_map(String::from),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            let list = prop::collection::vec(inner.clone(), 0..4);
            let members = prop::collection::vec((string(), inner), 0..4);
            prop_oneof![
                (list, space()).prop_map(|(values, s)| {
                    format!("[{s}{}{s}]", values.join(&format!("{s},{s}")))
                }),
                (members, space()).prop_map(|(members, s)| {
                    let members: Vec<String> = members
                        .iter()
                        .map(|(k, v)| format!("{k}{s}:{s}{v}"))
                        .collect();
                    format!("{{{s}{}{s}}}", members.join(&format!("{s},{s}")))
                }),
            ]
        })
    }

    /// A JSON Feed-like object: some members, `items`, some more members.
    fn document() -> impl Strategy<Value = String> {
        let members = |n| prop::collection::vec((string(), value()), 0..n);
        let items = prop::collection::vec(value(), 0..6);
        (members(4), items, members(3), space()).prop_map(|(before, items, after, s)| {
            let member = |(k, v): &(String, String)| format!("{k}{s}:{s}{v}");
            let items = format!(
                r#""items"{s}:{s}[{s}{}{s}]"#,
                items.join(&format!("{s},{s}"))
            );
            let members: Vec<String> = before
                .iter()
                .map(member)
                .chain([items])
                .chain(after.iter().map(member))
                .collect();
            format!("{s}{{{s}{}{s}}}{s}", members.join(&format!("{s},{s}")))
        })
    }

    /// A document with one structural byte deleted, or inserted next to one (where it
    /// most often changes the structure) or anywhere (even inside a multi-byte character).
    fn mutated() -> impl Strategy<Value = Vec<u8>> {
        const STRUCTURAL: &[u8] = b"{}[],:\"\\";
        let edit = (
            any::<prop::sample::Index>(),
            prop::sample::select(STRUCTURAL),
            0..3,
            any::<bool>(),
        );
        (document(), edit).prop_map(|(doc, (at, byte, how, after))| {
            let mut doc = doc.into_bytes();
            let structural: Vec<usize> = (0..doc.len())
                .filter(|&i| STRUCTURAL.contains(&doc[i]))
                .collect();
            let near = structural[at.index(structural.len())];
            match how {
                0 => drop(doc.remove(near)),
                1 => doc.insert(near + usize::from(after), byte),
                _ => doc.insert(at.index(doc.len() + 1), byte),
            }
            doc
        })
    }

    fn chunks() -> impl Strategy<Value = Vec<(usize, bool)>> {
        let size = prop_oneof![1usize..4, 1usize..64];
        prop::collection::vec((size, any::<bool>()), 1..40)
    }

    proptest! {
        #[test]
        fn chunked_is_whole(doc in document(), chunks in chunks()) {
            let doc = doc.as_bytes();
            let whole = split_all(doc, "items");
            prop_assert!(whole.is_ok(), "{:?}", whole);
            prop_assert_eq!(&stream(doc, &chunks), &whole);
            prop_assert_eq!(&stream(doc, &[(1, true)]), &whole);
            prop_assert_eq!(&stream(doc, &[(1, false)]), &whole);

            let parsed: Value = serde_json::from_slice(doc).unwrap();
            let elements: Vec<Value> = whole
                .unwrap()
                .iter()
                .filter(|(kind, _)| *kind == Kind::Element)
                .map(|(_, bytes)| serde_json::from_slice(bytes).unwrap())
                .collect();
            prop_assert_eq!(Some(&elements), parsed["items"].as_array());
        }
    }

    #[test]
    fn a_lenient_splitter_lets_trailing_commas_and_what_follows_the_object_pass() {
        let doc = br#"{"a":1,"items":[{"b":2},[3],],"c":"x",}; more"#;
        for size in [1, 3, doc.len()] {
            let mut splitter = Splitter::lenient("items");
            for chunk in doc.chunks(size) {
                splitter.push(chunk).unwrap();
            }
            splitter.finish().unwrap();
            let bytes = splitter.buffer();
            let pieces: Vec<(Kind, &[u8])> = splitter
                .ready()
                .iter()
                .map(|p| (p.kind.clone(), &bytes[p.range.clone()]))
                .collect();
            assert_eq!(
                pieces,
                [
                    (Kind::Member("a".into()), &b"1"[..]),
                    (Kind::Element, br#"{"b":2}"#),
                    (Kind::Element, b"[3]"),
                    (Kind::Member("c".into()), br#""x""#),
                ]
            );
        }
        // The strict splitter refuses each of them.
        assert!(split(r#"{"items":[1,]}"#).is_err());
        assert!(split(r#"{"a":1,}"#).is_err());
        assert!(split(r#"{"a":1};"#).is_err());
        // A lenient one still refuses what no repair makes JSON.
        assert!(Splitter::lenient("items").push(b"[1]").is_err());
        assert!(Splitter::lenient("items").push(br#"{"a":1,,}"#).is_err());
        let mut open = Splitter::lenient("items");
        open.push(br#"{"a":[1,2"#).unwrap();
        assert!(open.finish().is_err());
    }

    proptest! {
        // Most edits land where they change nothing the splitter checks: try many.
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn rejected_by_serde_is_rejected(doc in mutated(), chunks in chunks()) {
            let serde_accepts = serde_json::from_slice::<Value>(&doc).is_ok_and(|v| v.is_object());
            let accepted = stream(&doc, &chunks).is_ok_and(|pieces| {
                pieces.iter().all(|(_, bytes)| serde_json::from_slice::<Value>(bytes).is_ok())
            });
            prop_assert_eq!(accepted, serde_accepts, "{}", String::from_utf8_lossy(&doc));
        }
    }

    /// Scan speed over a ~20 MB feed in 64 KB chunks, for bodies with many escapes and with
    /// few (run in release with `--ignored --nocapture`).
    #[test]
    #[ignore = "timing"]
    fn scan_speed() {
        let dense = r#"<p>Le ministre a d\u00e9clar\u00e9 : \"nous verrons\" \u2014 {rien} [n'est] d\u00e9cid\u00e9.<\/p>\n"#;
        let sparse = r#"<p class=\"update\">Le ministre a déclaré : « nous verrons » — rien n'est décidé, ajoute-t-il devant les journalistes réunis au ministère, où la réunion se poursuivra tard dans la soirée avant une nouvelle annonce attendue demain matin.</p>\n"#;
        for (name, paragraph) in [("dense escapes", dense), ("sparse escapes", sparse)] {
            let body = paragraph.repeat(4000 / paragraph.len());
            let mut doc = String::from(
                r#"{"version":"https://jsonfeed.org/version/1.1","title":"Live","items":["#,
            );
            let mut n = 0;
            while doc.len() < 20 << 20 {
                if n > 0 {
                    doc.push(',');
                }
                doc.push_str(&format!(
                    r#"{{"id":"{n}","url":"https://example.com/live#{n}","title":"Update {n}","content_html":"{body}","date_published":"2024-05-01T12:00:00Z","tags":["a","b"]}}"#
                ));
                n += 1;
            }
            doc.push_str("]}");
            let mut best = f64::MAX;
            for _ in 0..5 {
                let started = std::time::Instant::now();
                let mut splitter = Splitter::new("items");
                let mut pieces = 0;
                for chunk in doc.as_bytes().chunks(64 << 10) {
                    splitter.push(chunk).unwrap();
                    pieces += splitter.ready().len();
                    splitter.consume();
                }
                splitter.finish().unwrap();
                assert_eq!(pieces, n + 2);
                best = best.min(started.elapsed().as_secs_f64());
            }
            let mb = doc.len() as f64 / 1e6;
            println!("{name}: {mb:.1} MB, {n} items: {:.0} MB/s", mb / best);
        }
    }
}
