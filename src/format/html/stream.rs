//! An HTML page read while it arrives: a big JSON-LD live blog is read update by update,
//! and the page is let go.
//!
//! The page is kept, and its `<script type="application/ld+json">` blocks are found as the
//! bytes come in ([`super::blocks`]). A block that is one object whose `@type` says it is a
//! live blog, with its updates in a top-level `liveBlogUpdate` list, is split as it arrives
//! ([`crate::format::split`]). Once [`COMMIT`] of its updates were seen (its type said
//! before them), the page's result
//! can only come from JSON-LD: the page is let go, and the updates are read a run at a time
//! ([`crate::format::jsonld::stream`]). Any other page is read whole at its end, exactly as
//! [`super::parse`] reads it.
//!
//! Once the page was let go, a blog block whose JSON no repair mends fails the page; read
//! whole, such a block would have been passed over.

use super::blocks::{Blocks, Event};
use crate::format::jsonld::stream::{Streamed as Blog, is_blog_type};
use crate::format::reader::{Finished, Made, Pieces, Ready, read_helped_pieces};
use crate::format::split::{Kind, Splitter};
use crate::format::{FormatError, lenient};
use crate::par::Helper;
use serde_json::Value;

/// A page is let go once the live blog block being split has shown this many updates.
const COMMIT: usize = 64;

/// A block not known to be the blog after this many pieces (members and updates) is read
/// whole.
const MOST_PIECES: usize = 4096;

/// The key of a live blog's updates.
const UPDATES: &str = "liveBlogUpdate";

/// A page being read; see the module's documentation.
pub struct Streamed {
    blocks: Blocks,
    /// The page so far, until it is let go.
    page: Option<Vec<u8>>,
    /// The texts of the blocks that ended before the page was let go.
    texts: Vec<String>,
    block: Block,
    /// The blog and the JSON-LD values of the blocks before it, once its block ended.
    blog: Option<(Box<Blog>, Vec<Value>)>,
    /// The JSON-LD values of the blocks after the blog's.
    after: Vec<Value>,
}

/// The block in progress.
enum Block {
    None,
    /// It may hold the blog: its text is kept, and it is split as it comes.
    Candidate {
        text: Vec<u8>,
        split: Splitter,
        seen: Seen,
    },
    /// It is only kept.
    Text(Vec<u8>),
    /// The blog, read as it comes.
    Blog {
        split: Splitter,
        blog: Box<Blog>,
        before: Vec<Value>,
    },
}

/// What the pieces of a candidate block said so far.
#[derive(Default)]
struct Seen {
    pieces: usize,
    updates: usize,
    blog: bool,
}

impl Streamed {
    /// A page whose first bytes are `head`. Its blog's updates are read with `helper`, if
    /// any (see [`read_helped_pieces`]).
    pub fn new<'a>(
        head: Vec<u8>,
        ready: Option<Ready<'a>>,
        helper: Option<&mut Helper<'a, Made>>,
    ) -> Result<Streamed, FormatError> {
        let mut page = Streamed {
            blocks: Blocks::new(),
            page: Some(Vec::new()),
            texts: Vec::new(),
            block: Block::None,
            blog: None,
            after: Vec::new(),
        };
        page.push(&head, ready, helper)?;
        Ok(page)
    }

    /// Take the next bytes of the page.
    pub fn push<'a>(
        &mut self,
        chunk: &[u8],
        ready: Option<Ready<'a>>,
        mut helper: Option<&mut Helper<'a, Made>>,
    ) -> Result<(), FormatError> {
        if let Some(page) = &mut self.page {
            page.extend_from_slice(chunk);
        }
        for event in self.blocks.push(chunk) {
            self.take(event, ready, helper.as_deref_mut())?;
        }
        Ok(())
    }

    /// Wait for the updates `helper` is still reading, and add their entries.
    pub fn collect(&mut self, helper: &mut Helper<Made>) -> Result<(), FormatError> {
        match &mut self.block {
            Block::Blog { blog, .. } => blog.collect(helper, true),
            _ => Ok(()),
        }
    }

    /// How many entries were made so far.
    pub fn entries_so_far(&self) -> usize {
        match (&self.block, &self.blog) {
            (Block::Blog { blog, .. }, _) | (_, Some((blog, _))) => blog.entries_so_far(),
            _ => 0,
        }
    }

    /// The page ended.
    pub fn finish<'a>(
        mut self,
        ready: Option<Ready<'a>>,
        mut helper: Option<&mut Helper<'a, Made>>,
    ) -> Result<Finished, FormatError> {
        let blocks = std::mem::take(&mut self.blocks);
        for event in blocks.finish() {
            self.take(event, ready, helper.as_deref_mut())?;
        }
        match (self.blog, self.page) {
            (Some((blog, before)), _) => Ok(Finished::Read(blog.finish(&before, &self.after))),
            (None, Some(page)) => Ok(Finished::Whole(page)),
            (None, None) => unreachable!("the page is let go only for a blog"),
        }
    }

    fn take<'a>(
        &mut self,
        event: Event,
        ready: Option<Ready<'a>>,
        mut helper: Option<&mut Helper<'a, Made>>,
    ) -> Result<(), FormatError> {
        let block = std::mem::replace(&mut self.block, Block::None);
        self.block = match (event, block) {
            (Event::Start, _) if self.page.is_none() => Block::Text(Vec::new()),
            (Event::Start, _) => Block::Candidate {
                text: Vec::new(),
                split: Splitter::lenient(UPDATES),
                seen: Seen::default(),
            },
            (
                Event::Text(t),
                Block::Candidate {
                    mut text,
                    mut split,
                    mut seen,
                },
            ) => {
                text.extend_from_slice(t.as_bytes());
                if split.push(t.as_bytes()).is_err() {
                    Block::Text(text)
                } else {
                    match seen.look(&split) {
                        Some(true) => self.commit(split, ready, helper)?,
                        Some(false) => Block::Candidate { text, split, seen },
                        None => Block::Text(text),
                    }
                }
            }
            (Event::Text(t), Block::Text(mut text)) => {
                text.extend_from_slice(t.as_bytes());
                Block::Text(text)
            }
            (
                Event::Text(t),
                Block::Blog {
                    mut split,
                    mut blog,
                    before,
                },
            ) => {
                split.push(t.as_bytes()).map_err(broken)?;
                read_helped_pieces(&mut split, blog.as_mut(), ready, helper, false)?;
                Block::Blog {
                    split,
                    blog,
                    before,
                }
            }
            (Event::Text(_), Block::None) => Block::None,
            (Event::End, Block::Candidate { text, .. } | Block::Text(text)) => {
                // Built from text, so UTF-8.
                let text = String::from_utf8(text).unwrap_or_default();
                match self.page {
                    Some(_) => self.texts.push(text),
                    None => self.after.extend(lenient::parse(&text)),
                }
                Block::None
            }
            (
                Event::End,
                Block::Blog {
                    mut split,
                    mut blog,
                    before,
                },
            ) => {
                split.finish().map_err(broken)?;
                read_helped_pieces(
                    &mut split,
                    blog.as_mut(),
                    ready,
                    helper.as_deref_mut(),
                    true,
                )?;
                if let Some(helper) = helper {
                    blog.collect(helper, true)?;
                }
                if split.arrays() > 1 {
                    return Err(FormatError::Invalid(format!(
                        "broken JSON-LD live blog: more than one `{UPDATES}`"
                    )));
                }
                self.blog = Some((blog, before));
                Block::None
            }
            (Event::End, Block::None) => Block::None,
        };
        Ok(())
    }

    /// The block being split holds the blog: let the page go and read the updates so far.
    fn commit<'a>(
        &mut self,
        mut split: Splitter,
        ready: Option<Ready<'a>>,
        helper: Option<&mut Helper<'a, Made>>,
    ) -> Result<Block, FormatError> {
        self.page = None;
        let before = std::mem::take(&mut self.texts)
            .iter()
            .filter_map(|t| lenient::parse(t))
            .collect();
        let mut blog = Box::new(Blog::new());
        read_helped_pieces(&mut split, blog.as_mut(), ready, helper, true)?;
        Ok(Block::Blog {
            split,
            blog,
            before,
        })
    }
}

impl Seen {
    /// Whether the block split so far is the blog, and enough of it came to let the page
    /// go: `Some(true)` when it is, `Some(false)` when that is not known yet, `None` when
    /// it is no blog, or one that does not say so before its first [`COMMIT`] updates or
    /// within [`MOST_PIECES`] pieces (it is then read whole, so that no piece is looked at
    /// twice and their list stays short).
    fn look(&mut self, split: &Splitter) -> Option<bool> {
        let bytes = split.buffer();
        for piece in &split.ready()[self.pieces..] {
            match &piece.kind {
                Kind::Element => {
                    self.updates += 1;
                    if self.updates >= COMMIT && !self.blog {
                        return None;
                    }
                }
                Kind::Member(key) if key == "@type" => {
                    self.blog = is_blog_type(&bytes[piece.range.clone()]);
                    if !self.blog {
                        return None;
                    }
                }
                Kind::Member(_) => {}
            }
        }
        self.pieces = split.ready().len();
        match self.blog && self.updates >= COMMIT {
            true => Some(true),
            false if self.pieces > MOST_PIECES => None,
            false => Some(false),
        }
    }
}

fn broken(e: crate::format::split::SplitError) -> FormatError {
    FormatError::Invalid(format!("broken JSON-LD live blog: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Snapshot;
    use serde_json::json;

    fn updates(n: usize) -> Vec<Value> {
        (0..n)
            .map(|i| {
                json!({
                    "@type": "BlogPosting",
                    "url": format!("https://x.test/live#u{i}"),
                    "headline": format!("Update {i}"),
                    "datePublished": "2025-06-01T19:00:00Z",
                    "articleBody": format!("<p>{i}: {}</p>", "words ".repeat(30)),
                })
            })
            .collect()
    }

    fn blog(n: usize) -> Value {
        json!({"@type": "LiveBlogPosting", "headline": format!("Blog of {n}"), "liveBlogUpdate": updates(n)})
    }

    /// A page with these JSON-LD blocks and `body`.
    fn page(blocks: &[String], body: &str) -> String {
        let scripts: String = blocks
            .iter()
            .map(|b| format!(r#"<script type="application/ld+json">{b}</script>"#))
            .collect();
        format!(
            "<!DOCTYPE html>\n<html><head><title>Live</title>{scripts}</head><body>{body}</body></html>"
        )
    }

    /// `page` pushed `size` bytes at a time: the result, and whether the page was let go.
    fn read(page: &str, size: usize) -> (Result<Snapshot, FormatError>, bool) {
        let mut chunks = page.as_bytes().chunks(size);
        let first = chunks.next().unwrap_or_default().to_vec();
        let go = || -> Result<_, FormatError> {
            let mut streamed = Streamed::new(first, None, None)?;
            chunks.try_for_each(|c| streamed.push(c, None, None))?;
            streamed.finish(None, None)
        };
        match go() {
            Ok(Finished::Read(s)) => (Ok(s), true),
            Ok(Finished::Whole(bytes)) => (crate::format::parse(&bytes), false),
            Err(e) => (Err(e), true),
        }
    }

    /// `page` reads as a whole read does, in pieces of every size; `let_go`: whether the
    /// page is let go on the way.
    fn reads_alike(page: &str, let_go: bool) -> Result<Snapshot, FormatError> {
        let whole = crate::format::parse(page.as_bytes());
        for size in [page.len(), 1 << 16, 4096, 997] {
            let (read, gone) = read(page, size);
            assert_eq!(read, whole, "in pieces of {size}");
            assert_eq!(gone, let_go, "let go, in pieces of {size}");
        }
        whole
    }

    #[test]
    fn a_big_live_blog_is_read_as_it_comes_and_the_page_let_go() {
        let s = reads_alike(&page(&[blog(1_000).to_string()], "<p>Hello</p>"), true).unwrap();
        assert_eq!((s.len(), s.format), (1_000, "json-ld"));
        // What the page's own repairs allow: trailing commas, a stray `;`.
        let ld = blog(200).to_string();
        let sloppy = format!("{},],}};\n", &ld[..ld.len() - 2]);
        assert!(sloppy.ends_with("}],};\n") || sloppy.ends_with("},],};\n"));
        let s = reads_alike(&page(&[sloppy], ""), true).unwrap();
        assert_eq!(s.len(), 200);
        // Updates that are no objects are passed over, as in a whole read.
        let mut odd = blog(100);
        odd["liveBlogUpdate"][70] = json!(7);
        odd["liveBlogUpdate"][3] = json!("text");
        assert_eq!(
            reads_alike(&page(&[odd.to_string()], ""), true)
                .unwrap()
                .len(),
            98
        );
    }

    #[test]
    fn other_pages_are_read_whole() {
        let late_type = format!(
            r#"{{"headline":"Late","liveBlogUpdate":{},"@type":"LiveBlogPosting"}}"#,
            json!(updates(500))
        );
        // Known to be the blog only after its updates: read whole.
        assert_eq!(
            reads_alike(&page(&[late_type], ""), false).unwrap().len(),
            500
        );
        let in_graph = json!({"@graph": [blog(500)]}).to_string();
        let article = json!({"@type": "NewsArticle", "articleBody": "words ".repeat(200_000)});
        let micro = include_str!("../../../tests/fixtures/formats/microdata.html");
        let micro_body = &micro[micro.find("<div").unwrap()..micro.find("</body>").unwrap()];
        let wrapped = format!("<!--{}-->", blog(500));
        for (blocks, body) in [
            (vec![blog(63).to_string()], ""),
            (vec![in_graph], ""),
            (vec![article.to_string()], micro_body),
            (vec![wrapped], ""),
            (vec![json!([blog(500)]).to_string()], ""),
            (vec![], "<p>No blog</p>"),
        ] {
            let _ = reads_alike(&page(&blocks, body), false);
        }
    }

    /// A block is split only while it may still say soon that it is the blog: the list of
    /// its pieces stays short, and none is looked at twice.
    #[test]
    fn a_block_that_does_not_say_soon_that_it_is_the_blog_is_read_whole() {
        let members: String = (0..5_000).map(|i| format!(r#""k{i}":{i},"#)).collect();
        let members_first = format!(
            r#"{{{members}"@type":"LiveBlogPosting","liveBlogUpdate":{}}}"#,
            json!(updates(100))
        );
        let untyped = format!(r#"{{"liveBlogUpdate":[{}]}}"#, vec!["1"; 200_000].join(","));
        for block in [members_first, untyped] {
            let page = page(&[block], "");
            let mut streamed = Streamed::new(Vec::new(), None, None).unwrap();
            for chunk in page.as_bytes().chunks(4096) {
                streamed.push(chunk, None, None).unwrap();
                if let Block::Candidate { split, .. } = &streamed.block {
                    assert!(split.ready().len() <= MOST_PIECES + 4096);
                }
            }
            assert!(matches!(
                streamed.finish(None, None),
                Ok(Finished::Whole(_))
            ));
        }
    }

    #[test]
    fn the_blog_with_the_most_updates_wins_as_in_a_whole_read() {
        let graph = |n: usize| json!({"@graph": [blog(n)]}).to_string();
        let mut own_graph = blog(100);
        own_graph["@graph"] = json!([blog(300)]);
        for (blocks, winner) in [
            (vec![blog(100).to_string(), blog(300).to_string()], 300),
            (vec![blog(300).to_string(), blog(100).to_string()], 300),
            (vec![graph(300), blog(100).to_string()], 300),
            (vec![graph(100), blog(300).to_string()], 300),
            (vec![own_graph.to_string()], 300),
        ] {
            let s = reads_alike(&page(&blocks, ""), true).unwrap();
            assert_eq!(s.len(), winner);
        }
        // Of two with as many, the later one.
        let mut other = blog(100);
        other["headline"] = json!("Other");
        let s = reads_alike(&page(&[blog(100).to_string(), other.to_string()], ""), true).unwrap();
        assert_eq!(s.title.as_deref(), Some("Other"));
    }

    #[test]
    fn a_blog_broken_after_the_page_was_let_go_fails_it() {
        let ld = blog(500).to_string();
        let broken = ld.replacen(
            r#""headline":"Update 300""#,
            r#""headline":"Update 300"}}"#,
            1,
        );
        assert_ne!(broken, ld);
        let (result, gone) = read(&page(&[broken], ""), 4096);
        assert!(gone);
        assert!(matches!(result, Err(FormatError::Invalid(m)) if m.contains("JSON-LD")));
        let unended = page(&[ld[..ld.len() / 2].to_string()], "");
        let unended = &unended[..unended.find("</script>").unwrap()];
        assert!(matches!(
            read(unended, 4096),
            (Err(FormatError::Invalid(_)), true)
        ));
    }

    #[test]
    fn the_bytes_of_updates_read_are_let_go() {
        let page = page(&[blog(8_000).to_string()], "");
        let mut streamed = Streamed::new(Vec::new(), None, None).unwrap();
        let mut most = 0;
        for chunk in page.as_bytes().chunks(4096) {
            streamed.push(chunk, None, None).unwrap();
            if let Block::Blog { split, .. } = &streamed.block {
                most = most.max(split.buffer().len());
            }
        }
        assert!(streamed.page.is_none());
        assert!(
            most > 0 && most < page.len() / 8,
            "{most} of {}",
            page.len()
        );
        let Ok(Finished::Read(s)) = streamed.finish(None, None) else {
            panic!("read as it came")
        };
        assert_eq!(s, crate::format::parse(page.as_bytes()).unwrap());
    }

    #[test]
    fn the_shared_pages_read_alike_in_pieces_and_whole() {
        for (name, bytes) in super::super::shared_pages() {
            let page = String::from_utf8_lossy(&bytes);
            let whole = crate::format::parse(&bytes);
            for size in [1 << 16, 997] {
                assert_eq!(read(&page, size).0, whole, "{name} in {size}");
            }
        }
    }
}
