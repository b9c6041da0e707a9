//! Synthetic live blogs: deterministic, realistic-looking entries written out in every
//! format livefeed reads. Shared by the `generate` example and the benchmarks, so both
//! measure the same documents.

use std::fmt::Write as _;
use std::io::{self, Write};

/// The document formats the generator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonFeed,
    Rss,
    Atom,
    JsonLdHtml,
}

impl Format {
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "jsonfeed" => Some(Format::JsonFeed),
            "rss" => Some(Format::Rss),
            "atom" => Some(Format::Atom),
            "jsonld-html" => Some(Format::JsonLdHtml),
            _ => None,
        }
    }
}

/// One generated entry, before it is written in a format.
#[derive(Debug, Clone)]
pub struct Post {
    pub id: String,
    pub url: String,
    pub headline: String,
    pub authors: Vec<String>,
    /// HTML body: paragraphs, links, figures with captions.
    pub html: String,
    /// The first figure's image and caption, also given as the entry's own image.
    pub image: Option<(String, String)>,
    /// Seconds since the Unix epoch.
    pub time: i64,
}

/// The page every entry belongs to.
pub const PAGE: &str = "https://news.example.org/live/2026/jan/01/world-news-live";
/// Time of the oldest entry (2026-01-01T00:00:00Z); each later one is a minute on.
const START: i64 = 1_767_225_600;

/// A small xorshift generator: no dependency, same sequence on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.range(0, list.len() - 1)]
    }

    /// True about one time in `n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }
}

const WORDS: &[&str] = &[
    "the",
    "minister",
    "said",
    "on",
    "Tuesday",
    "that",
    "talks",
    "would",
    "continue",
    "after",
    "a",
    "long",
    "night",
    "of",
    "negotiations",
    "in",
    "capital",
    "officials",
    "confirmed",
    "roads",
    "remain",
    "closed",
    "while",
    "rescue",
    "teams",
    "search",
    "flooded",
    "areas",
    "near",
    "river",
    "residents",
    "were",
    "told",
    "to",
    "stay",
    "indoors",
    "and",
    "avoid",
    "travel",
    "unless",
    "necessary",
    "police",
    "spokesperson",
    "added",
    "more",
    "updates",
    "expected",
    "later",
    "today",
    "council",
    "vote",
    "budget",
    "opposition",
    "leader",
    "criticised",
    "plan",
    "as",
    "too",
    "little",
    "late",
    "markets",
    "opened",
    "higher",
    "despite",
    "uncertainty",
    "over",
    "energy",
    "prices",
    "storm",
    "moved",
    "north",
    "east",
    "overnight",
    "bringing",
    "heavy",
    "rain",
    "winds",
    "forecasters",
    "warned",
    "coast",
    "hospital",
    "reported",
    "several",
    "injuries",
    "none",
    "serious",
    "witnesses",
    "described",
    "scene",
    "chaotic",
    "emergency",
    "services",
    "arrived",
    "within",
    "minutes",
    "statement",
    "from",
    "government",
    "is",
    "due",
    "shortly",
    "we",
    "will",
    "bring",
    "you",
    "it",
    "here",
];
const NAMES: &[&str] = &[
    "Ana Ruiz",
    "Tom Becker",
    "Priya Shah",
    "Jonas Lind",
    "Maria Rossi",
    "Sam O'Neill",
    "Lea Dubois",
    "Kenji Sato",
    "Fatima Zahra",
    "Olu Adeyemi",
    "Ingrid Berg",
    "Diego Alvarez",
];
const PLACES: &[&str] = &[
    "Lisbon", "Nairobi", "Osaka", "Valencia", "Glasgow", "Lyon", "Toronto", "Gdansk", "Porto",
    "Hamburg", "Seville", "Bergen",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            if let Some(first) = c.next() {
                s.extend(first.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

/// One paragraph of HTML: two or three sentences, sometimes a link or emphasis.
fn paragraph(rng: &mut Rng, n: usize) -> String {
    let mut p = String::from("<p>");
    let sentences = rng.range(2, 3);
    for i in 0..sentences {
        if i > 0 {
            p.push(' ');
        }
        let words = rng.range(8, 14);
        let s = sentence(rng, words);
        if i == 1 && rng.one_in(3) {
            let place = rng.pick(PLACES);
            let _ = write!(
                p,
                "<a href=\"https://news.example.org/world/{}-{n}\">Read more from {place}</a>. ",
                place.to_lowercase()
            );
        }
        if i == 0 && rng.one_in(4) {
            let _ = write!(p, "<strong>{}</strong>", s);
        } else {
            p.push_str(&s);
        }
    }
    p.push_str("</p>");
    p
}

fn figure(rng: &mut Rng, n: usize) -> (String, String, String) {
    let place = rng.pick(PLACES);
    let url = format!(
        "https://media.example.org/img/{n}-{}.jpg",
        rng.range(100, 999)
    );
    let caption = format!(
        "Crowds gather in {place} on Tuesday. Photograph: {}",
        rng.pick(NAMES)
    );
    let html = format!(
        "<figure><img src=\"{url}\" alt=\"Scene in {place}\"><figcaption>{caption}</figcaption></figure>"
    );
    (html, url, caption)
}

/// `n` entries, oldest first, the same for the same `seed`.
pub fn posts(n: usize, seed: u64) -> Vec<Post> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let authors = (0..rng.range(1, 2))
                .map(|_| rng.pick(NAMES).to_string())
                .collect();
            let mut html = String::new();
            let mut image = None;
            let paragraphs = rng.range(3, 6);
            for k in 0..paragraphs {
                if k == 1 && rng.one_in(3) {
                    let (fig, url, caption) = figure(&mut rng, i);
                    html.push_str(&fig);
                    image = Some((url, caption));
                }
                html.push_str(&paragraph(&mut rng, i));
            }
            let place = rng.pick(PLACES);
            let words = rng.range(5, 9);
            let headline = format!(
                "{place}: {}",
                sentence(&mut rng, words).trim_end_matches('.')
            );
            Post {
                id: format!("update-{}", 100_000 + i),
                url: format!("{PAGE}#update-{}", 100_000 + i),
                headline,
                authors,
                html,
                image,
                time: START + 60 * i as i64,
            }
        })
        .collect()
}

/// One long HTML body of about `bytes` bytes (paragraphs, links and figures).
pub fn long_html(bytes: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut html = String::new();
    let mut k = 0;
    while html.len() < bytes {
        if k % 7 == 3 {
            html.push_str(&figure(&mut rng, k).0);
        }
        html.push_str(&paragraph(&mut rng, k));
        k += 1;
    }
    html
}

fn rfc3339(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn rfc2822(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .ok()
        .and_then(|t| jiff::fmt::rfc2822::to_string(&t.to_zoned(jiff::tz::TimeZone::UTC)).ok())
        .unwrap_or_default()
}

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Write `posts` as a document in `format`, newest first (as live blogs list them).
pub fn write(format: Format, posts: &[Post], out: &mut impl Write) -> io::Result<()> {
    match format {
        Format::JsonFeed => write_jsonfeed(posts, out),
        Format::Rss => write_rss(posts, out),
        Format::Atom => write_atom(posts, out),
        Format::JsonLdHtml => write_html(posts, out),
    }
}

/// The whole document in memory.
pub fn document(format: Format, posts: &[Post]) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write(format, posts, &mut out);
    out
}

/// Entries enough for a document in `format` of at least `bytes` bytes (the count is
/// found from a sample of 200).
pub fn posts_for_size(format: Format, bytes: usize, seed: u64) -> Vec<Post> {
    let sample = document(format, &posts(200, seed)).len();
    let n = (bytes as f64 / (sample as f64 / 200.0)).ceil() as usize + 1;
    posts(n, seed)
}

fn write_jsonfeed(posts: &[Post], out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{{")?;
    writeln!(out, "  \"version\": \"https://jsonfeed.org/version/1.1\",")?;
    writeln!(out, "  \"title\": \"World news live\",")?;
    writeln!(out, "  \"home_page_url\": \"{PAGE}\",")?;
    writeln!(out, "  \"items\": [")?;
    for (k, p) in posts.iter().rev().enumerate() {
        let authors: Vec<String> = p
            .authors
            .iter()
            .map(|a| format!("{{\"name\": {}}}", json(a)))
            .collect();
        write!(
            out,
            "    {{\"id\": {}, \"url\": {}, \"title\": {}, \"date_published\": \"{}\", \
             \"authors\": [{}], \"content_html\": {}",
            json(&p.id),
            json(&p.url),
            json(&p.headline),
            rfc3339(p.time),
            authors.join(", "),
            json(&p.html)
        )?;
        if let Some((url, _)) = &p.image {
            write!(out, ", \"image\": {}", json(url))?;
        }
        let comma = if k + 1 < posts.len() { "," } else { "" };
        writeln!(out, "}}{comma}")?;
    }
    writeln!(out, "  ]")?;
    writeln!(out, "}}")
}

fn write_rss(posts: &[Post], out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:media=\"http://search.yahoo.com/mrss/\">"
    )?;
    writeln!(out, "<channel>")?;
    writeln!(out, "<title>World news live</title>")?;
    writeln!(out, "<link>{PAGE}</link>")?;
    writeln!(out, "<description>Live updates</description>")?;
    for p in posts.iter().rev() {
        writeln!(out, "<item>")?;
        writeln!(out, "<title>{}</title>", xml(&p.headline))?;
        writeln!(out, "<link>{}</link>", xml(&p.url))?;
        writeln!(out, "<guid isPermaLink=\"false\">{}</guid>", xml(&p.id))?;
        writeln!(out, "<pubDate>{}</pubDate>", rfc2822(p.time))?;
        for a in &p.authors {
            writeln!(out, "<dc:creator>{}</dc:creator>", xml(a))?;
        }
        writeln!(out, "<description>{}</description>", xml(&p.html))?;
        if let Some((url, caption)) = &p.image {
            writeln!(
                out,
                "<media:content url=\"{}\" medium=\"image\"><media:description>{}</media:description></media:content>",
                xml(url),
                xml(caption)
            )?;
        }
        writeln!(out, "</item>")?;
    }
    writeln!(out, "</channel>")?;
    writeln!(out, "</rss>")
}

fn write_atom(posts: &[Post], out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>")?;
    writeln!(out, "<feed xmlns=\"http://www.w3.org/2005/Atom\">")?;
    writeln!(out, "<title>World news live</title>")?;
    writeln!(out, "<id>{PAGE}</id>")?;
    writeln!(out, "<link rel=\"alternate\" href=\"{PAGE}\"/>")?;
    let newest = posts.last().map_or(START, |p| p.time);
    writeln!(out, "<updated>{}</updated>", rfc3339(newest))?;
    for p in posts.iter().rev() {
        writeln!(out, "<entry>")?;
        writeln!(out, "<id>{}</id>", xml(&p.url))?;
        writeln!(out, "<title>{}</title>", xml(&p.headline))?;
        writeln!(out, "<link rel=\"alternate\" href=\"{}\"/>", xml(&p.url))?;
        writeln!(out, "<published>{}</published>", rfc3339(p.time))?;
        writeln!(out, "<updated>{}</updated>", rfc3339(p.time))?;
        for a in &p.authors {
            writeln!(out, "<author><name>{}</name></author>", xml(a))?;
        }
        writeln!(out, "<content type=\"html\">{}</content>", xml(&p.html))?;
        writeln!(out, "</entry>")?;
    }
    writeln!(out, "</feed>")
}

/// The JSON-LD LiveBlogPosting of `posts` (as it sits in the page's script block).
pub fn jsonld(posts: &[Post]) -> String {
    let mut s = String::new();
    let first = posts.first().map_or(START, |p| p.time);
    let last = posts.last().map_or(START, |p| p.time);
    let _ = write!(
        s,
        "{{\"@context\":\"https://schema.org\",\"@type\":\"LiveBlogPosting\",\"url\":\"{PAGE}\",\
         \"headline\":\"World news live\",\"coverageStartTime\":\"{}\",\"datePublished\":\"{}\",\
         \"dateModified\":\"{}\",\"liveBlogUpdate\":[",
        rfc3339(first),
        rfc3339(first),
        rfc3339(last)
    );
    for (k, p) in posts.iter().rev().enumerate() {
        if k > 0 {
            s.push(',');
        }
        let authors: Vec<String> = p
            .authors
            .iter()
            .map(|a| format!("{{\"@type\":\"Person\",\"name\":{}}}", json(a)))
            .collect();
        let _ = write!(
            s,
            "{{\"@type\":\"BlogPosting\",\"url\":{},\"headline\":{},\"datePublished\":\"{}\",\
             \"dateModified\":\"{}\",\"author\":[{}],\"articleBody\":{}",
            json(&p.url),
            json(&p.headline),
            rfc3339(p.time),
            rfc3339(p.time),
            authors.join(","),
            json(&p.html)
        );
        if let Some((url, caption)) = &p.image {
            let _ = write!(
                s,
                ",\"image\":{{\"@type\":\"ImageObject\",\"url\":{},\"caption\":{}}}",
                json(url),
                json(caption)
            );
        }
        s.push('}');
    }
    s.push_str("]}");
    // Inside a script element, "</" must not appear (it could close the element).
    s.replace("</", "<\\/")
}

fn write_html(posts: &[Post], out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\"><head><meta charset=\"utf-8\">")?;
    writeln!(out, "<title>World news live</title>")?;
    writeln!(
        out,
        "<script type=\"application/ld+json\">{}</script>",
        jsonld(posts)
    )?;
    writeln!(out, "</head><body><main><h1>World news live</h1>")?;
    for p in posts.iter().rev().take(20) {
        writeln!(
            out,
            "<article id=\"{}\"><h2>{}</h2>{}</article>",
            p.id,
            xml(&p.headline),
            p.html
        )?;
    }
    writeln!(out, "</main></body></html>")
}
