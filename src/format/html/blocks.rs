//! JSON-LD blocks of an HTML page that arrives in pieces: the text of every
//! `<script type="application/ld+json">`, found while the page is read, without holding it.
//!
//! The text found is the text [`super::ld_blocks`] finds in the parsed page. Only html5ever's
//! tokenizer runs; the few things the tree builder would tell it (which elements hold raw
//! text, and whether the parser is inside SVG or MathML) are worked out here.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};

use html5ever::TokenizerResult;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// What the finder saw, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A `<script type="application/ld+json">` began.
    Start,
    /// Text of the block that began last (a block's text may come in many pieces; their
    /// concatenation is the block's text).
    Text(String),
    /// That block ended (also reported at the end of the page for a block left open).
    End,
}

/// Finds JSON-LD blocks in a page given a piece at a time.
pub struct Blocks {
    /// The tokenizer, which owns the sink that turns tokens into events.
    tokenizer: Tokenizer<Sink>,
    /// Text waiting for the tokenizer (empty between calls).
    queue: BufferQueue,
    /// The start of a UTF-8 sequence cut off at the end of the last piece.
    carry: Vec<u8>,
    /// Whether any text has been decoded yet (a byte order mark is dropped only at the start).
    begun: bool,
    /// Inside a JSON-LD block whose text is read here instead of by the tokenizer (see
    /// [`Blocks::run`]): what is not settled yet, the possible start of its end tag.
    held: Option<String>,
    /// The last text read here ended with `\r`: a `\n` right after it is the same break.
    after_cr: bool,
}

/// The same as [`Blocks::new`].
impl Default for Blocks {
    fn default() -> Self {
        Self::new()
    }
}

impl Blocks {
    /// A finder at the start of a page.
    pub fn new() -> Blocks {
        // The tokenizer would drop a U+FEFF at the front of every piece fed to it, not only
        // at the start of the page: the page's own start is handled in `feed` instead.
        let opts = TokenizerOpts {
            discard_bom: false,
            ..TokenizerOpts::default()
        };
        Blocks {
            tokenizer: Tokenizer::new(Sink::default(), opts),
            queue: BufferQueue::default(),
            carry: Vec::new(),
            begun: false,
            held: None,
            after_cr: false,
        }
    }

    /// Take the next bytes of the page; returns the events they completed (text is delivered
    /// as soon as it is decoded, not held until the block ends).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Event> {
        let joined;
        let bytes = if self.carry.is_empty() {
            bytes
        } else {
            self.carry.extend_from_slice(bytes);
            joined = std::mem::take(&mut self.carry);
            &joined[..]
        };
        let text = decode(bytes, &mut self.carry);
        self.feed(&text);
        self.tokenizer.sink.events.take()
    }

    /// The page ended: the remaining events.
    pub fn finish(mut self) -> Vec<Event> {
        if !self.carry.is_empty() {
            self.feed("\u{FFFD}");
        }
        // A block's text that could still have begun its end tag is text after all.
        if let Some(held) = self.held.take() {
            self.block_text(&held);
        }
        self.tokenizer.end();
        self.tokenizer.sink.events.take()
    }

    /// Give decoded text to the tokenizer.
    fn feed(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let text = match text.strip_prefix('\u{FEFF}') {
            Some(rest) if !self.begun => rest,
            _ => text,
        };
        self.begun = true;
        if text.is_empty() {
            return;
        }
        self.queue.push_back(StrTendril::from_slice(text));
        self.run();
    }

    /// Tokenize what is queued, but read the text of JSON-LD blocks here: the tokenizer
    /// goes through script text a character at a time, and stops at every `<` of the
    /// HTML that JSON-LD bodies are full of. The sink pauses the tokenizer after a block's
    /// start tag; the text up to the block's end tag is then found here, with the same
    /// rules (`</script` and a space, `/` or `>`, in any case), and the tokenizer takes up
    /// again at the end tag. Where the text holds `<!--` (after which the tokenizer's rules
    /// for script text change), the tokenizer reads the rest of the block itself, after a
    /// `<script>` start tag that puts it back in script text.
    fn run(&mut self) {
        loop {
            if let Some(mut text) = self.held.take() {
                while let Some(piece) = self.queue.pop_front() {
                    text.push_str(&piece);
                }
                match block_end(&text) {
                    Found::End(at) => {
                        self.block_text(&text[..at]);
                        self.queue.push_front(StrTendril::from_slice(&text[at..]));
                    }
                    Found::Escape(at) => {
                        self.block_text(&text[..at]);
                        self.queue.push_front(StrTendril::from_slice(&text[at..]));
                        self.queue.push_front(StrTendril::from_slice("<script>"));
                    }
                    Found::Not(settled) => {
                        self.block_text(&text[..settled]);
                        text.drain(..settled);
                        self.held = Some(text);
                        return;
                    }
                }
            }
            match self.tokenizer.feed(&self.queue) {
                TokenizerResult::Script(()) => {
                    self.held = Some(String::new());
                    self.after_cr = false;
                }
                TokenizerResult::Done => return,
            }
        }
    }

    /// Text of a block read here, as the tokenizer would give it: `\r\n` and `\r` become
    /// `\n`, and a zero character U+FFFD.
    fn block_text(&mut self, text: &str) {
        // Nothing read says nothing of a `\r` before it.
        if text.is_empty() {
            return;
        }
        let text = match text.strip_prefix('\n') {
            Some(rest) if self.after_cr => rest,
            _ => text,
        };
        self.after_cr = text.ends_with('\r');
        if text.is_empty() {
            return;
        }
        let sink = &self.tokenizer.sink;
        if memchr::memchr2(b'\r', b'\0', text.as_bytes()).is_none() {
            sink.emit(Event::Text(text.to_owned()));
            return;
        }
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    chars.next_if_eq(&'\n');
                    out.push('\n');
                }
                '\0' => out.push('\u{FFFD}'),
                c => out.push(c),
            }
        }
        sink.emit(Event::Text(out));
    }
}

/// Where a block's text ends, as far as `text` tells.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    /// At its end tag, which starts here.
    End(usize),
    /// At a `<!--`, which starts here.
    Escape(usize),
    /// Not within `text`; the text up to here is settled (what follows may begin the end
    /// tag or a `<!--`).
    Not(usize),
}

fn block_end(text: &str) -> Found {
    const END: &[u8] = b"</script";
    let b = text.as_bytes();
    for at in memchr::memchr_iter(b'<', b) {
        let rest = &b[at..];
        if rest.starts_with(b"<!--") {
            return Found::Escape(at);
        }
        if rest.len() > END.len() {
            if rest[..END.len()].eq_ignore_ascii_case(END)
                && matches!(
                    rest[END.len()],
                    b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'
                )
            {
                return Found::End(at);
            }
        } else if rest.eq_ignore_ascii_case(&END[..rest.len()]) || b"<!--".starts_with(rest) {
            return Found::Not(at);
        }
    }
    Found::Not(b.len())
}

/// Decode `bytes` as `String::from_utf8_lossy` would, except that an incomplete sequence at
/// the end is moved to `carry` for the next piece to complete.
fn decode<'a>(mut bytes: &'a [u8], carry: &mut Vec<u8>) -> Cow<'a, str> {
    let mut out = String::new();
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) if out.is_empty() => return Cow::Borrowed(s),
            Ok(s) => {
                out.push_str(s);
                return Cow::Owned(out);
            }
            Err(e) => {
                let (good, bad) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                match e.error_len() {
                    Some(n) => {
                        out.push('\u{FFFD}');
                        bytes = &bad[n..];
                    }
                    None => {
                        carry.extend_from_slice(bad);
                        return Cow::Owned(out);
                    }
                }
            }
        }
    }
}

/// Receives the tokens and keeps the events not yet handed out.
#[derive(Default)]
struct Sink {
    /// Events since the last hand-out.
    events: RefCell<Vec<Event>>,
    /// Inside a JSON-LD block.
    in_block: Cell<bool>,
    /// How many `<svg>` and `<math>` elements are open (foreign content when above zero).
    foreign: Cell<u32>,
}

impl Sink {
    /// Record an event, joining text to text just before it.
    fn emit(&self, event: Event) {
        let mut events = self.events.borrow_mut();
        if let (Some(Event::Text(last)), Event::Text(more)) = (events.last_mut(), &event) {
            last.push_str(more);
        } else {
            events.push(event);
        }
    }

    /// Text from the page: kept only inside a block.
    fn text(&self, text: &str) {
        if self.in_block.get() && !text.is_empty() {
            self.emit(Event::Text(text.to_owned()));
        }
    }

    /// Close the open block, if any.
    fn close(&self) {
        if self.in_block.replace(false) {
            self.emit(Event::End);
        }
    }

    /// A start or end tag: note blocks and foreign content, and tell the tokenizer which
    /// elements hold raw text, as the tree builder would.
    fn tag(&self, tag: Tag) -> TokenSinkResult<()> {
        let name = &*tag.name;
        let mut foreign = self.foreign.get() > 0;
        if tag.kind == TagKind::EndTag {
            match name {
                "script" => self.close(),
                "svg" | "math" => self.foreign.set(self.foreign.get().saturating_sub(1)),
                "br" | "p" if foreign => self.foreign.set(0),
                _ => {}
            }
            return TokenSinkResult::Continue;
        }
        if foreign && breaks_out(&tag) {
            self.foreign.set(0);
            foreign = false;
        }
        let ld = name == "script" && is_ld(&tag);
        if ld {
            self.emit(Event::Start);
            self.in_block.set(true);
            // The tree builder honours `/>` on a script only in foreign content.
            if foreign && tag.self_closing {
                self.close();
            }
        }
        let opens_foreign = matches!(name, "svg" | "math") && !tag.self_closing;
        if opens_foreign {
            self.foreign.set(self.foreign.get() + 1);
        }
        if foreign || opens_foreign {
            return TokenSinkResult::Continue;
        }
        match name {
            // A block's text is read by `Blocks::run`.
            "script" if ld => TokenSinkResult::Script(()),
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => return self.tag(tag),
            Token::CharacterTokens(text) => self.text(&text),
            Token::NullCharacterToken => self.text("\u{FFFD}"),
            Token::EOFToken => self.close(),
            _ => {}
        }
        TokenSinkResult::Continue
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        // Lets `<![CDATA[...]]>` be read as text inside SVG and MathML.
        self.foreign.get() > 0
    }
}

/// Whether `type` (the first one) says JSON-LD: before any `;`, trimmed, in any case.
fn is_ld(tag: &Tag) -> bool {
    tag.attrs
        .iter()
        .find(|a| &*a.name.local == "type")
        .and_then(|a| a.value.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
}

/// Whether a start tag inside SVG or MathML closes it and goes back to HTML.
fn breaks_out(tag: &Tag) -> bool {
    match &*tag.name {
        "b" | "big" | "blockquote" | "body" | "br" | "center" | "code" | "dd" | "div" | "dl"
        | "dt" | "em" | "embed" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "head" | "hr" | "i"
        | "img" | "li" | "listing" | "menu" | "meta" | "nobr" | "ol" | "p" | "pre" | "ruby"
        | "s" | "small" | "span" | "strong" | "strike" | "sub" | "sup" | "table" | "tt" | "u"
        | "ul" | "var" => true,
        "font" => tag
            .attrs
            .iter()
            .any(|a| matches!(&*a.name.local, "color" | "face" | "size")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    /// The piece sizes every page is pushed in (0 means the whole page at once).
    const SIZES: [usize; 5] = [0, 1, 7, 997, 65536];

    /// The blocks the whole-page parse finds.
    fn expected(page: &[u8]) -> Vec<String> {
        super::super::ld_blocks(&Html::parse_document(&String::from_utf8_lossy(page)))
    }

    /// Join a run of events into blocks, checking they come in order.
    fn collect(events: impl IntoIterator<Item = Event>, blocks: &mut Vec<String>, open: &mut bool) {
        for event in events {
            match event {
                Event::Start => {
                    assert!(!*open, "block started inside a block");
                    *open = true;
                    blocks.push(String::new());
                }
                Event::Text(t) => {
                    assert!(*open, "text outside a block");
                    blocks.last_mut().unwrap().push_str(&t);
                }
                Event::End => {
                    assert!(*open, "end outside a block");
                    *open = false;
                }
            }
        }
    }

    /// The blocks found when `page` is pushed `size` bytes at a time.
    fn streamed(page: &[u8], size: usize) -> Vec<String> {
        let mut blocks = Blocks::new();
        let (mut found, mut open) = (Vec::new(), false);
        for piece in page.chunks(if size == 0 { page.len().max(1) } else { size }) {
            collect(blocks.push(piece), &mut found, &mut open);
        }
        collect(blocks.finish(), &mut found, &mut open);
        assert!(!open, "block left open after finish");
        found
    }

    fn check(name: &str, page: &[u8]) {
        let want = expected(page);
        for size in SIZES {
            assert_eq!(streamed(page, size), want, "{name}, pieces of {size}");
        }
    }

    #[test]
    fn shared_fixtures_match_whole_page_parse() {
        for (name, page) in super::super::shared_pages() {
            check(&name, &page);
        }
    }

    const LD: &str = r#"<script type="application/ld+json">"#;

    #[test]
    fn crafted_pages_match_whole_page_parse() {
        let pages: Vec<(&str, Vec<u8>)> = vec![
            ("plain", format!(r#"<p>x</p>{LD}{{"a":1}}</script>"#).into()),
            (
                "end tag variants",
                format!(
                    r#"{LD}{{"a":"</scrip"}}</SCRIPT >{LD}{{"b":2}}</script/>{LD}3</script x=y>"#
                )
                .into(),
            ),
            (
                "escaped script data",
                format!(
                    r#"{LD}{{"a":"<!--<script>x</script>-->"}}</script>{LD}{{"b":"<!--<script>"}}</script>{{"c":1}}</script>"#
                )
                .into(),
            ),
            (
                "escaped without close",
                format!(r#"{LD}<!-- </script> {{"a":1}}</script>"#).into(),
            ),
            (
                "in a comment",
                format!(r#"<!-- {LD}{{"fake":1}}</script> -->{LD}{{"real":1}}</script>"#)
                    .into(),
            ),
            (
                "in raw text elements",
                format!(
                    "<textarea>{LD}1</script></textarea><title>{LD}2</script></title>\
                     <style>{LD}3</script></style><noscript>{LD}4</script></noscript>\
                     <iframe>{LD}5</script></iframe><xmp>{LD}6</script></xmp>\
                     <noembed>{LD}7</script></noembed>{LD}8</script>"
                )
                .into(),
            ),
            (
                "in another script",
                format!(
                    r#"<script>var s = '{LD}{{"fake":1}}<\/script>';</script>{LD}{{"real":1}}</script>"#
                )
                .into(),
            ),
            (
                "type variants",
                br#"<script type=" Application/LD+JSON ; charset=utf-8">1</script>
                    <script type="application/ld+json;">2</script>
                    <script TYPE='APPLICATION/LD+JSON'>3</script>
                    <script type="application/json">4</script>
                    <script type="text/ld+json">5</script>
                    <script>6</script>
                    <script type="">7</script>
                    <script type="application/ld+json" type="text/javascript">8</script>
                    <script type="text/javascript" type="application/ld+json">9</script>
                    <script type=application/ld+json>10</script>"#
                    .to_vec(),
            ),
            (
                "multibyte",
                format!(r#"{LD}{{"city":"Zürich — 東京 😀"}}</script>"#).into(),
            ),
            ("invalid utf-8", {
                let mut page = LD.as_bytes().to_vec();
                page.extend_from_slice(b"a\xff b\xe6\x9d c\xf0\x9f\x98 d\xed\xa0\x80 e\xc0\xaf f");
                page.extend_from_slice(b"\xe6\x9d\xb1</script><p>\xf0\x9f");
                page
            }),
            ("cut at the end", {
                let mut page = LD.as_bytes().to_vec();
                page.extend_from_slice(b"x\xf0\x9f\x98");
                page
            }),
            (
                "crlf and nul",
                format!("{LD}{{\r\n\"a\":\r\"b\0c\"\n}}\r</script>").into(),
            ),
            ("cr at a piece end", format!("{LD}a\r\r\n\rb</script>").into()),
            (
                "line breaks after a cr",
                format!("{LD}a\r\n\nb\r\n\r\n\n\rc\r</script>").into(),
            ),
            (
                "end tags that are not",
                format!("{LD}</scripty></script\u{e9}></scrip></script").into(),
            ),
            (
                "an end tag cut by every piece",
                format!("{LD}{{\"a\":1}}</ScRiPt\t>{LD}<!-</script\x0c>{LD}<!--</script>").into(),
            ),
            ("unclosed", format!(r#"<p>{LD}{{"a":[1,2"#).into()),
            ("unclosed after <", format!(r#"{LD}{{"a":1}}</scr"#).into()),
            ("bom", format!("\u{FEFF}{LD}\u{FEFF}1</script>").into()),
            ("bom only", "\u{FEFF}".into()),
            ("two boms", format!("\u{FEFF}\u{FEFF}<p>{LD}1</script>").into()),
            ("bom in a block", format!("\u{FEFF}{LD}\u{FEFF}\u{FEFF}</script>").into()),
            ("empty", Vec::new()),
            (
                "feff inside",
                format!("{LD}{}</script>", "\u{FEFF}x".repeat(3000)).into(),
            ),
            (
                "svg",
                format!(
                    r#"<svg><script>{{"a":"<b>"}}</script><style>{LD}1</script></style></svg>
                       <svg/><title>{LD}2</script></title>
                       <svg><script type="application/ld+json">&amp;<![CDATA[<x>]]>&lt;</script></svg>
                       <math><svg></svg><textarea>{LD}3</script></textarea></math>
                       <svg><g><p><style>{LD}4</script></style>"#
                )
                .into(),
            ),
            (
                "self-closing script",
                r#"<script type="application/ld+json"/>{"a":1}</script>"#.into(),
            ),
            (
                "plaintext",
                format!("{LD}1</script><plaintext>{LD}2</script>").into(),
            ),
            (
                "in a table and template",
                format!("<table>{LD}1</script><tr><td>{LD}2</script></table><template>{LD}3</script></template>").into(),
            ),
            (
                "char refs stay",
                format!(r#"{LD}{{"a":"&amp; &lt;"}}</script>"#).into(),
            ),
        ];
        for (name, page) in &pages {
            check(name, page);
        }
    }

    #[test]
    fn large_page_is_read_as_it_arrives() {
        const CHUNK: usize = 64 * 1024;
        let page_of = |items: usize| {
            let item = "{\"text\":\"Z\u{fc}rich \u{6771}\u{4eac} <b>x</b>\"},\r\n";
            let json = format!("{{\"items\":[{}{{}}]}}", item.repeat(items));
            let page = format!(
                "<html><head><title>t</title>{LD}{json}</script></head><body><p>end</p></body></html>"
            );
            (page.into_bytes(), json.replace("\r\n", "\n"))
        };
        // The same shape, small enough for the whole-page parse.
        let (small, want) = page_of(100);
        assert_eq!(expected(&small), [want]);
        let (page, want) = page_of((20 << 20) / 30);
        assert!(page.len() > 20 << 20);

        let mut blocks = Blocks::new();
        let (mut found, mut open) = (Vec::new(), false);
        let mut before_finish = 0;
        for piece in page.chunks(CHUNK) {
            let events = blocks.push(piece);
            for e in &events {
                if let Event::Text(t) = e {
                    assert!(t.len() <= 2 * CHUNK, "a text piece of {} bytes", t.len());
                    before_finish += t.len();
                }
            }
            collect(events, &mut found, &mut open);
        }
        let last = blocks.finish();
        let after: usize = last
            .iter()
            .map(|e| match e {
                Event::Text(t) => t.len(),
                _ => 0,
            })
            .sum();
        assert!(after <= 2 * CHUNK, "{after} bytes held until finish");
        collect(last, &mut found, &mut open);
        assert!(before_finish > 19 << 20);
        assert_eq!(found, [want]);
    }
}
