//! schema.org `LiveBlogPosting` in JSON-LD: a whole JSON document, or the
//! `<script type="application/ld+json">` blocks of a page (see [`super::html`]).
//!
//! Real pages vary a lot: blocks that are arrays or `@graph`s, `@type` as a list or a full
//! URL, `liveBlogUpdate` as one object or a list, HTML (even entity-encoded HTML) in text
//! fields, authors and images in every shape. This module reads them all into entries in
//! document order.

use super::escaped::Raw;
use super::{
    body_text, clean_url, fill_missing_ids, parse_time, positional_fragments, url_identity,
};
use crate::entry::{Entry, Image, Snapshot};
use crate::text::{plain, sanitize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::hash::{BuildHasher, RandomState};

pub mod stream;
mod typed;

type Obj = Map<String, Value>;

/// Find the live blog with the most updates in `values` (top-level JSON-LD values).
/// Pushes a note on every other typed thing it saw into `found` (for messages).
pub fn from_values(values: &[Value], found: &mut Vec<String>) -> Option<Snapshot> {
    let best = blogs(values, found)
        .into_iter()
        .max_by_key(|b| updates(b).len())?;
    if updates(best).is_empty() {
        found.push("a JSON-LD LiveBlogPosting without liveBlogUpdate entries".into());
        return None;
    }
    Some(snapshot(best))
}

/// Every live blog in `values`, in document order; a note on every other typed thing in
/// `found`.
fn blogs<'a>(values: &'a [Value], found: &mut Vec<String>) -> Vec<&'a Obj> {
    let mut blogs = Vec::new();
    let mut stack: Vec<&Value> = values.iter().rev().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(o) => {
                if let Some(Value::Array(graph)) = o.get("@graph") {
                    stack.extend(graph.iter().rev());
                }
                let types = types(o);
                if is_blog(&types) {
                    blogs.push(o);
                    continue;
                }
                for t in types {
                    let note = format!("a JSON-LD {t}");
                    if !found.contains(&note) {
                        found.push(note);
                    }
                }
                for key in ["mainEntity", "mainEntityOfPage"] {
                    if let Some(inner @ (Value::Object(_) | Value::Array(_))) = o.get(key) {
                        stack.push(inner);
                    }
                }
            }
            _ => {}
        }
    }
    blogs
}

fn is_blog(types: &[&str]) -> bool {
    types
        .iter()
        .any(|t| t.eq_ignore_ascii_case("LiveBlogPosting"))
}

/// The `@type`s of an object, without a `http(s)://schema.org/` prefix.
fn types(o: &Obj) -> Vec<&str> {
    fn short(t: &str) -> &str {
        t.rsplit(['/', '#', ':']).next().unwrap_or(t).trim()
    }
    match o.get("@type") {
        Some(Value::String(t)) => vec![short(t)],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(short).collect(),
        _ => Vec::new(),
    }
}

fn updates(blog: &Obj) -> Vec<&Obj> {
    match blog.get("liveBlogUpdate") {
        Some(Value::Object(o)) => vec![o],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    }
}

fn snapshot(blog: &Obj) -> Snapshot {
    let updates: Vec<Update> = updates(blog).into_iter().map(Update::of).collect();
    let mut s = frame(blog);
    s.entries = updates.iter().map(entry).collect();
    let ident = |i: usize| Ident::of(&updates[i]);
    each_id(updates.len(), ident, s.home_url.as_deref(), |i, id| {
        s.entries[i].id = id;
    });
    fill_missing_ids(&mut s.entries);
    s
}

/// For the tests and the fuzzer: whatever an update's text gives as a `serde_json::Value`,
/// reading the text directly ([`typed`]) gives too, unless it leaves the update to the
/// value (panics otherwise).
#[cfg(any(test, fuzzing))]
pub fn check_typed(text: &str) {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => {
            let expected = Update::of(&o);
            let Some(got) = typed::update(text) else {
                // Left to the value: only for what serde_json reads as raw JSON.
                assert!(typed::has_raw_value_object(text), "{text}");
                return;
            };
            assert_eq!(got, expected, "{text}");
            assert_eq!(entry(&got), entry(&expected), "{text}");
        }
        Ok(_) => assert_eq!(typed::update(text), None, "{text}"),
        Err(_) => {}
    }
}

/// A snapshot of `blog` without its entries: its title, page and end of coverage.
fn frame(blog: &Obj) -> Snapshot {
    Snapshot {
        title: string(blog, "headline")
            .or_else(|| string(blog, "name"))
            .map(plain),
        home_url: string(blog, "url").map(clean_url),
        coverage_end: string(blog, "coverageEndTime").and_then(parse_time),
        format: "json-ld",
        ..Snapshot::default()
    }
}

/// What an update's id is made from: its own id (`identifier`, else `@id`) and its URL.
struct Ident<'a> {
    native: Option<Cow<'a, str>>,
    url: Option<Link<'a>>,
}

/// A URL in two parts, one after the other: the page and the rest, as an entry holds its
/// link (see [`crate::entry::Held::url_parts`]), or all of it in `rest`. Ids are made from
/// links without putting them together again.
#[derive(Debug, Clone, Copy)]
struct Link<'a> {
    page: &'a str,
    rest: &'a str,
}

impl<'a> Link<'a> {
    fn whole(url: &'a str) -> Link<'a> {
        Link {
            page: "",
            rest: url,
        }
    }

    /// The URL trimmed, split where [`crate::entry::split_link`] splits it: two links are
    /// the same URL exactly when their keys are equal, however each was held.
    fn key(self) -> (&'a str, &'a str) {
        if self.page.is_empty() {
            let url = self.rest.trim();
            crate::entry::split_link(url).unwrap_or(("", url))
        } else {
            (self.page.trim_start(), self.rest.trim_end())
        }
    }

    /// Where the fragment is, if anywhere: the page part holds none.
    fn with_fragment(self) -> &'a str {
        self.rest
    }

    /// Whether the URL is `page` (trailing slashes aside; the rest of a split URL starts
    /// with `?` or `#`, so they can only end it).
    fn is(self, page: &str) -> bool {
        let (p, r) = self.key();
        let (page, r) = (page.trim_end_matches('/'), r.trim_end_matches('/'));
        page.len() == p.len() + r.len() && page.starts_with(p) && page.ends_with(r)
    }

    /// The identity the URL gives (see [`url_identity`]): put together again only when
    /// that is the whole URL, not its fragment.
    fn identity(self) -> String {
        let (p, r) = self.key();
        match r.split_once('#') {
            Some((_, frag)) if !frag.trim().is_empty() => url_identity(r),
            _ if p.is_empty() => url_identity(r),
            _ => url_identity(&format!("{p}{r}")),
        }
    }
}

impl Ident<'_> {
    fn of<'a>(u: &'a Update) -> Ident<'a> {
        Ident {
            native: u
                .identifier
                .as_deref()
                .or(u.at_id.as_deref())
                .map(Cow::Borrowed),
            url: u.url.as_deref().map(Link::whole),
        }
    }
}

/// The id of each of a blog's `n` updates, handed to `each` in order with its index:
/// `ident(i)` is what the `i`-th one's is made from, `page` the blog's own URL. Empty means
/// "use content". Nothing is held per update but a hash of its URL.
fn each_id<'a>(
    n: usize,
    ident: impl Fn(usize) -> Ident<'a>,
    page: Option<&str>,
    mut each: impl FnMut(usize, String),
) {
    let positional = positional_fragments((0..n).map(|i| ident(i).url.map(Link::with_fragment)));
    let urls = Shared::count(n, &ident);
    for i in 0..n {
        let id = identity(&ident(i), page, positional, |url| !urls.shared(url, &ident));
        each(i, id);
    }
}

/// Which URLs more than one update has (a shared URL names no single update): the hash of
/// every update's URL with its index, in the order of the hashes.
struct Shared {
    hasher: RandomState,
    hashes: Vec<(u64, usize)>,
}

impl Shared {
    fn count<'a>(n: usize, ident: &impl Fn(usize) -> Ident<'a>) -> Shared {
        let hasher = RandomState::new();
        let mut hashes: Vec<(u64, usize)> = (0..n)
            .filter_map(|i| Some((hasher.hash_one(ident(i).url?.key()), i)))
            .collect();
        hashes.sort_unstable();
        Shared { hasher, hashes }
    }

    /// Whether another update has `url` too (one of the updates' URLs). Updates whose URLs
    /// share a hash are told apart by the URLs themselves.
    fn shared<'a>(&self, url: Link, ident: &impl Fn(usize) -> Ident<'a>) -> bool {
        let hash = self.hasher.hash_one(url.key());
        let from = self.hashes.partition_point(|(h, _)| *h < hash);
        let run = &self.hashes[from..];
        let run = &run[..run.partition_point(|(h, _)| *h == hash)];
        run.len() > 1
            && run
                .iter()
                .filter(|(_, i)| ident(*i).url.is_some_and(|u| u.key() == url.key()))
                .nth(1)
                .is_some()
    }
}

/// Native id first, then the URL (its fragment, when it has one, since page slugs change
/// when headlines do) when it names this update alone: not the page itself, not a
/// position-based fragment, not shared with another update (`unique`). Empty means "use
/// content".
fn identity(
    i: &Ident,
    page: Option<&str>,
    positional: bool,
    unique: impl Fn(Link) -> bool,
) -> String {
    if let Some(id) = &i.native {
        return sanitize(id.trim());
    }
    let Some(url) = i.url else {
        return String::new();
    };
    let is_page = page.is_some_and(|p| url.is(p));
    if positional || !unique(url) || is_page {
        return String::new();
    }
    url.identity()
}

/// The fields of an update that its entry and id are made from, as the page gives them:
/// read from a `serde_json::Value` ([`Update::of`]), or straight from the update's text
/// ([`typed`]), which gives the same parts without building the value. Each text field is
/// there only when the update gives a string for it, as `Value::as_str` would say.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Update<'a> {
    /// `identifier` given as a string, or as a number (then written as serde_json writes it).
    identifier: Option<Cow<'a, str>>,
    at_id: Option<Cow<'a, str>>,
    url: Option<Cow<'a, str>>,
    headline: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    article_body: Option<Body<'a>>,
    text: Option<Body<'a>>,
    description: Option<Body<'a>>,
    date_published: Option<Cow<'a, str>>,
    date_modified: Option<Cow<'a, str>>,
    /// The names `author` gives, as written, in order (see [`raw_names`]).
    authors: Vec<Cow<'a, str>>,
    /// Each image `image` gives that is a URL or an object, in order.
    images: Vec<ImagePart<'a>>,
}

/// A body field of an update (`articleBody`, `text`, `description`): a string read from a
/// value, or, read straight from the update's text ([`typed`]), the string as the page
/// spells it, its escapes undone only when its entry is made ([`Raw`]).
#[derive(Debug, Clone)]
enum Body<'a> {
    Text(Cow<'a, str>),
    Raw(Raw<'a>),
}

impl Body<'_> {
    /// `f` of the body's text.
    fn read<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        match self {
            Body::Text(t) => f(t),
            Body::Raw(r) => r.read(f),
        }
    }
}

/// Two bodies are equal when their texts are, however each is held.
impl PartialEq for Body<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.read(|a| other.read(|b| a == b))
    }
}

impl Eq for Body<'_> {}

/// One image of an update: a URL alone, or an ImageObject's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ImagePart<'a> {
    Url(Cow<'a, str>),
    Object(Box<ImageFields<'a>>),
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct ImageFields<'a> {
    url: Option<Cow<'a, str>>,
    content_url: Option<Cow<'a, str>>,
    caption: Caption<'a>,
    description: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    credit_text: Option<Cow<'a, str>>,
    copyright_holder: Vec<Cow<'a, str>>,
    author: Vec<Cow<'a, str>>,
}

/// An image's `caption`: a string, an object (with its `text`, if a string), or anything
/// else (absent included).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
enum Caption<'a> {
    #[default]
    Other,
    Text(Cow<'a, str>),
    Object(Option<Cow<'a, str>>),
}

impl Update<'_> {
    fn of(u: &Obj) -> Update<'_> {
        let text = |key: &str| string(u, key).map(Cow::Borrowed);
        Update {
            identifier: match u.get("identifier") {
                Some(Value::Number(n)) => Some(Cow::Owned(n.to_string())),
                Some(Value::String(s)) => Some(Cow::Borrowed(s.as_str())),
                _ => None,
            },
            at_id: text("@id"),
            url: text("url"),
            headline: text("headline"),
            name: text("name"),
            article_body: text("articleBody").map(Body::Text),
            text: text("text").map(Body::Text),
            description: text("description").map(Body::Text),
            date_published: text("datePublished"),
            date_modified: text("dateModified"),
            authors: raw_names(u.get("author")),
            images: image_parts(u.get("image")),
        }
    }
}

fn entry(u: &Update) -> Entry {
    let body = [&u.article_body, &u.text, &u.description]
        .into_iter()
        .flatten()
        .find_map(|b| b.read(|s| (!s.trim().is_empty()).then(|| body_text(s))))
        .unwrap_or_default();
    let mut images: Vec<Image> = u.images.iter().filter_map(image).collect();
    for img in body.images {
        if !images.iter().any(|i| i.url == img.url) {
            images.push(img);
        }
    }
    Entry {
        id: String::new(),
        published: u.date_published.as_deref().and_then(parse_time),
        updated: u.date_modified.as_deref().and_then(parse_time),
        title: u
            .headline
            .as_deref()
            .or(u.name.as_deref())
            .map(plain)
            .unwrap_or_default(),
        authors: names(&u.authors),
        text: body.text,
        links: body.links,
        url: u.url.as_deref().map(clean_url),
        images,
        ..Default::default()
    }
}

fn string<'a>(o: &'a Obj, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str)
}

/// The names a JSON-LD `author` (or `copyrightHolder`) gives, as written: a string, a
/// Person or Organization object (its `name`, else its `legalName`), or a list of them.
fn raw_names(v: Option<&Value>) -> Vec<Cow<'_, str>> {
    fn one(v: &Value) -> Option<&str> {
        match v {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => string(o, "name").or_else(|| string(o, "legalName")),
            _ => None,
        }
    }
    match v {
        Some(Value::Array(list)) => list.iter().filter_map(one).map(Cow::Borrowed).collect(),
        Some(v) => one(v).map(Cow::Borrowed).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Author names as shown: plain text, without empty ones and repeats.
fn names(raw: &[Cow<str>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw {
        let s = plain(s);
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The images a JSON-LD `image` gives: a URL, an ImageObject, or a list of them.
fn image_parts(v: Option<&Value>) -> Vec<ImagePart<'_>> {
    fn one(v: &Value) -> Option<ImagePart<'_>> {
        let Value::Object(o) = v else {
            return v.as_str().map(|s| ImagePart::Url(Cow::Borrowed(s)));
        };
        let text = |key: &str| string(o, key).map(Cow::Borrowed);
        Some(ImagePart::Object(Box::new(ImageFields {
            url: text("url"),
            content_url: text("contentUrl"),
            caption: match o.get("caption") {
                Some(Value::String(s)) => Caption::Text(Cow::Borrowed(s.as_str())),
                Some(Value::Object(c)) => Caption::Object(string(c, "text").map(Cow::Borrowed)),
                _ => Caption::Other,
            },
            description: text("description"),
            name: text("name"),
            credit_text: text("creditText"),
            copyright_holder: raw_names(o.get("copyrightHolder")),
            author: raw_names(o.get("author")),
        })))
    }
    match v {
        Some(Value::Array(list)) => list.iter().filter_map(one).collect(),
        Some(v) => one(v).into_iter().collect(),
        None => Vec::new(),
    }
}

/// An image as shown: an ImageObject needs its `url` (else its `contentUrl`); its caption
/// is its `caption` (or that object's `text`), else its `description` or `name`; its
/// credit its `creditText`, else its first copyright holder or author.
fn image(part: &ImagePart) -> Option<Image> {
    let o = match part {
        ImagePart::Url(url) => {
            return Some(Image {
                url: Some(clean_url(url)),
                ..Default::default()
            });
        }
        ImagePart::Object(o) => o,
    };
    let url = o.url.as_deref().or(o.content_url.as_deref())?;
    let caption = match &o.caption {
        Caption::Text(s) => Some(plain(s)),
        Caption::Object(text) => text.as_deref().map(plain),
        Caption::Other => o.description.as_deref().or(o.name.as_deref()).map(plain),
    };
    let credit = o
        .credit_text
        .as_deref()
        .map(plain)
        .or_else(|| names(&o.copyright_holder).into_iter().next())
        .or_else(|| names(&o.author).into_iter().next());
    Some(Image {
        url: Some(clean_url(url)),
        caption: caption.filter(|c| !c.is_empty()),
        credit: credit.filter(|c| !c.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::{Ident, Link, Shared};
    use std::hash::BuildHasher;

    /// URLs that share a hash are told apart by the URLs themselves; the same URL held two
    /// ways is one.
    #[test]
    fn a_url_is_shared_only_with_the_same_url() {
        let links = [
            Link::whole("https://x.test/live#a"),
            Link::whole("https://x.test/live#b"),
            Link {
                page: "https://x.test/live",
                rest: "#a",
            },
            Link::whole("https://x.test/live#c"),
        ];
        let ident = |i: usize| Ident {
            native: None,
            url: Some(links[i]),
        };
        let counted = Shared::count(links.len(), &ident);
        let shared: Vec<bool> = links.iter().map(|l| counted.shared(*l, &ident)).collect();
        assert_eq!(shared, [true, false, true, false]);
        // As if every URL had the hash of the first.
        let hash = counted.hasher.hash_one(links[0].key());
        let colliding = Shared {
            hasher: counted.hasher.clone(),
            hashes: (0..links.len()).map(|i| (hash, i)).collect(),
        };
        assert!(colliding.shared(links[0], &ident));
        let alone = |i: usize| Ident {
            native: None,
            url: Some(links[[0, 1, 3][i]]),
        };
        let colliding = Shared {
            hashes: (0..3).map(|i| (hash, i)).collect(),
            ..colliding
        };
        assert!(!colliding.shared(links[0], &alone));
    }

    /// A link held as its page and the rest says the same as the whole URL: the same key,
    /// whether it is the blog's page, and the same identity.
    #[test]
    fn a_split_link_is_the_whole_url() {
        for url in [
            "https://news.example/live#update-12",
            "https://news.example/live?page=with:block-1#block-1",
            "https://news.example/live?page=2",
            "https://news.example/live#",
            "https://news.example/live/#/",
            " https://news.example/live#x ",
            "https://news.example/live",
            "#update-3",
            "",
        ] {
            let whole = Link::whole(url);
            let split = match crate::entry::split_link(url) {
                Some((page, rest)) => Link { page, rest },
                None => whole,
            };
            assert_eq!(split.key(), whole.key(), "{url:?}");
            assert_eq!(split.identity(), whole.identity(), "{url:?}");
            assert_eq!(
                split.identity(),
                super::url_identity(url),
                "{url:?}: as the whole URL gives it"
            );
            for page in [
                "https://news.example/live",
                "https://news.example/live/",
                "",
            ] {
                let is = page.trim_end_matches('/') == url.trim().trim_end_matches('/');
                assert_eq!(split.is(page), is, "{url:?} {page:?}");
                assert_eq!(whole.is(page), is, "{url:?} {page:?}");
            }
        }
    }
}
