//! An update read straight from its JSON text into the parts its entry is made from
//! ([`super::Update`]), borrowing every string that has no escape in it, instead of first
//! building a `serde_json::Value` (a map with an owned key and value for every member,
//! nested maps for authors and images) and reading that.
//!
//! It reads what [`super::Update::of`] reads from the value, with the same rules: a member
//! given twice counts with its last value, a text field counts only when it is a string,
//! an author or image of another kind is passed over. Whatever the value would give, this
//! gives. It also takes a few texts the value cannot be made of (a number too large for a
//! float, a lone surrogate escape or nesting deeper than 128 in a member it does not read):
//! such an update then has an entry instead of breaking the page. What is not strict JSON
//! at all fails here, and the caller reads it leniently through a value, as before. So does
//! an update with an object whose first member is named [`RAW_VALUE`] where this reads,
//! since serde_json's value reads such an object as the JSON text in that member.

use super::{Body, Caption, ImageFields, ImagePart, Update};
use crate::format::escaped::Raw;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// The parts of the update whose strict JSON text is `text`; `None` when it is not strict
/// JSON or not an object.
pub fn update(text: &str) -> Option<Update<'_>> {
    serde_json::from_str(text).ok()
}

impl<'de> Deserialize<'de> for Update<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(UpdateVisitor)
    }
}

struct UpdateVisitor;

impl<'de> Visitor<'de> for UpdateVisitor {
    type Value = Update<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON-LD update object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Update<'de>, A::Error> {
        let mut u = Update::default();
        let mut first = true;
        while let Some(key) = next_key(&mut map, &mut first)? {
            match &*key {
                "identifier" => u.identifier = map.next_value::<Identifier>()?.0,
                "@id" => u.at_id = map.next_value::<Text>()?.0,
                "url" => u.url = map.next_value::<Text>()?.0,
                "headline" => u.headline = map.next_value::<Text>()?.0,
                "name" => u.name = map.next_value::<Text>()?.0,
                "articleBody" => u.article_body = map.next_value::<BodyField>()?.0,
                "text" => u.text = map.next_value::<BodyField>()?.0,
                "description" => u.description = map.next_value::<BodyField>()?.0,
                "datePublished" => u.date_published = map.next_value::<Text>()?.0,
                "dateModified" => u.date_modified = map.next_value::<Text>()?.0,
                "author" => u.authors = map.next_value::<Names>()?.0,
                "image" => u.images = map.next_value::<Images>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(u)
    }
}

/// A member's name, borrowed unless it has an escape.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// With its `raw_value` feature (which livefeed uses), serde_json reads an object whose
/// first member has this name as the JSON text in that member's string, where a value is
/// built: an update read straight from its text leaves every such object to the value.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

/// The name of an object's next member; an error if its first member is [`RAW_VALUE`]
/// (`first` says whether none was read yet).
fn next_key<'de, A: MapAccess<'de>>(
    map: &mut A,
    first: &mut bool,
) -> Result<Option<Cow<'de, str>>, A::Error> {
    let key = map.next_key::<Key>()?.map(|Key(key)| key);
    if std::mem::take(first) && key.as_deref() == Some(RAW_VALUE) {
        return Err(de::Error::custom("an object serde_json reads as raw JSON"));
    }
    Ok(key)
}

/// Any value; its string when it is one (`Value::as_str`), else nothing.
#[derive(Default)]
struct Text<'de>(Option<Cow<'de, str>>);

/// What a member's value gives, whatever kind of value it is: each kind has its handler,
/// and a kind without one gives `Self::default()` (its JSON is still read through, so it
/// must be sound).
trait Shape<'de>: Sized + Default {
    fn string(s: Cow<'de, str>) -> Self;
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        drain_map(map)?;
        Ok(Self::default())
    }
    fn array<A: SeqAccess<'de>>(seq: A) -> Result<Self, A::Error> {
        drain_seq(seq)?;
        Ok(Self::default())
    }
    fn number(_written: String) -> Self {
        Self::default()
    }
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    let mut first = true;
    while next_key(&mut map, &mut first)?.is_some() {
        map.next_value::<IgnoredAny>()?;
    }
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Reads any value into a [`Shape`].
struct ShapeVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Shape<'de>> Visitor<'de> for ShapeVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<T, E> {
        Ok(T::string(Cow::Borrowed(s)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        Ok(T::string(Cow::Owned(s.to_string())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<T, E> {
        Ok(T::string(Cow::Owned(s)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::object(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::array(seq)
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<T, E> {
        Ok(T::number(n.to_string()))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<T, E> {
        Ok(T::number(n.to_string()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<T, E> {
        // As a value would hold and write it (serde_json keeps only finite floats).
        Ok(serde_json::Number::from_f64(n).map_or_else(T::default, |n| T::number(n.to_string())))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
}

/// `Deserialize` for a [`Shape`], through [`ShapeVisitor`].
macro_rules! deserialize_shape {
    ($t:ident) => {
        impl<'de> Deserialize<'de> for $t<'de> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(ShapeVisitor(std::marker::PhantomData))
            }
        }
    };
}

impl<'de> Shape<'de> for Text<'de> {
    fn string(s: Cow<'de, str>) -> Self {
        Text(Some(s))
    }
}
deserialize_shape!(Text);

/// A body field: a string, kept as the update spells it (its escapes are undone once, when
/// the entry is made, instead of by serde into a buffer of its own and then copied); any
/// other value gives nothing, as [`Text`] would. An object is read once more as a [`Text`]
/// for that, so that one serde_json's value reads as raw JSON fails here too.
struct BodyField<'de>(Option<Body<'de>>);

impl<'de> Deserialize<'de> for BodyField<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?.get();
        match raw.as_bytes().first() {
            Some(b'"') => Ok(BodyField(Raw::of_json(raw).map(Body::Raw))),
            Some(b'{') => serde_json::from_str::<Text>(raw)
                .map(|_| BodyField(None))
                .map_err(de::Error::custom),
            _ => Ok(BodyField(None)),
        }
    }
}

/// `identifier`: a string, or a number as serde_json writes it.
#[derive(Default)]
struct Identifier<'de>(Option<Cow<'de, str>>);

impl<'de> Shape<'de> for Identifier<'de> {
    fn string(s: Cow<'de, str>) -> Self {
        Identifier(Some(s))
    }
    fn number(written: String) -> Self {
        Identifier(Some(Cow::Owned(written)))
    }
}
deserialize_shape!(Identifier);

/// One author: a string, or an object's `name`, else its `legalName`.
#[derive(Default)]
struct Name<'de>(Option<Cow<'de, str>>);

impl<'de> Shape<'de> for Name<'de> {
    fn string(s: Cow<'de, str>) -> Self {
        Name(Some(s))
    }
    fn object<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let (mut name, mut legal) = (None, None);
        let mut first = true;
        while let Some(key) = next_key(&mut map, &mut first)? {
            match &*key {
                "name" => name = map.next_value::<Text>()?.0,
                "legalName" => legal = map.next_value::<Text>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Name(name.or(legal)))
    }
}
deserialize_shape!(Name);

/// One item or a list of them, each read as an `R` (an item that is itself a list gives
/// none): `author` and `image`.
struct List<R: Item>(Vec<R::Of>);

/// What one item of a [`List`] gives, if anything.
trait Item {
    type Of;
    fn take(self) -> Option<Self::Of>;
}

impl<R: Item> Default for List<R> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, R: Shape<'de> + Item + Deserialize<'de>> Shape<'de> for List<R> {
    fn string(s: Cow<'de, str>) -> Self {
        List(R::string(s).take().into_iter().collect())
    }
    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        Ok(List(R::object(map)?.take().into_iter().collect()))
    }
    fn array<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<R>()? {
            items.extend(item.take());
        }
        Ok(List(items))
    }
}

impl<'de, R: Shape<'de> + Item + Deserialize<'de>> Deserialize<'de> for List<R> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ShapeVisitor(std::marker::PhantomData))
    }
}

impl<'de> Item for Name<'de> {
    type Of = Cow<'de, str>;
    fn take(self) -> Option<Cow<'de, str>> {
        self.0
    }
}

/// `author` (and `copyrightHolder`): one author or a list of them.
type Names<'de> = List<Name<'de>>;

/// An image's `caption`.
impl<'de> Shape<'de> for Caption<'de> {
    fn string(s: Cow<'de, str>) -> Self {
        Caption::Text(s)
    }
    fn object<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut text = None;
        let mut first = true;
        while let Some(key) = next_key(&mut map, &mut first)? {
            if key == "text" {
                text = map.next_value::<Text>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Caption::Object(text))
    }
}
deserialize_shape!(Caption);

/// One image: a URL or an ImageObject (anything else gives none).
#[derive(Default)]
struct OneImage<'de>(Option<ImagePart<'de>>);

impl<'de> Shape<'de> for OneImage<'de> {
    fn string(s: Cow<'de, str>) -> Self {
        OneImage(Some(ImagePart::Url(s)))
    }
    fn object<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut o = ImageFields::default();
        let mut first = true;
        while let Some(key) = next_key(&mut map, &mut first)? {
            match &*key {
                "url" => o.url = map.next_value::<Text>()?.0,
                "contentUrl" => o.content_url = map.next_value::<Text>()?.0,
                "caption" => o.caption = map.next_value()?,
                "description" => o.description = map.next_value::<Text>()?.0,
                "name" => o.name = map.next_value::<Text>()?.0,
                "creditText" => o.credit_text = map.next_value::<Text>()?.0,
                "copyrightHolder" => o.copyright_holder = map.next_value::<Names>()?.0,
                "author" => o.author = map.next_value::<Names>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(OneImage(Some(ImagePart::Object(Box::new(o)))))
    }
}
deserialize_shape!(OneImage);

impl<'de> Item for OneImage<'de> {
    type Of = ImagePart<'de>;
    fn take(self) -> Option<ImagePart<'de>> {
        self.0
    }
}

/// `image`: one image or a list of them.
type Images<'de> = List<OneImage<'de>>;

/// For the tests and the fuzzer: whether some object in `text` (JSON) has a first member
/// named [`RAW_VALUE`], at any depth.
#[cfg(any(test, fuzzing))]
pub fn has_raw_value_object(text: &str) -> bool {
    struct Walk(bool);
    impl<'de> Deserialize<'de> for Walk {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(WalkVisitor)
        }
    }
    struct WalkVisitor;
    impl<'de> Visitor<'de> for WalkVisitor {
        type Value = Walk;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Walk, A::Error> {
            let (mut found, mut first) = (false, true);
            while let Some(Key(key)) = map.next_key()? {
                found |= std::mem::take(&mut first) && key == RAW_VALUE;
                found |= map.next_value::<Walk>()?.0;
            }
            Ok(Walk(found))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Walk, A::Error> {
            let mut found = false;
            while let Some(Walk(inner)) = seq.next_element()? {
                found |= inner;
            }
            Ok(Walk(found))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Walk, E> {
            Ok(Walk(false))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Walk, E> {
            Ok(Walk(false))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Walk, E> {
            Ok(Walk(false))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Walk, E> {
            Ok(Walk(false))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Walk, E> {
            Ok(Walk(false))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Walk, E> {
            Ok(Walk(false))
        }
    }
    serde_json::from_str::<Walk>(text).is_ok_and(|Walk(found)| found)
}

#[cfg(test)]
mod tests {
    use super::super::{Obj, check_typed as check};
    use super::update;
    use proptest::prelude::*;
    use serde_json::Value;

    /// What reading `text` through a value gives: `Some(None)` for JSON that is not an
    /// object, `None` for text serde_json cannot make a value of.
    fn through_value(text: &str) -> Option<Option<Obj>> {
        match serde_json::from_str::<Value>(text).ok()? {
            Value::Object(o) => Some(Some(o)),
            _ => Some(None),
        }
    }

    #[test]
    fn reads_what_a_value_gives() {
        for text in [
            r##"{"headline": "A", "articleBody": "<p>x</p>", "datePublished": "2024-05-01T10:00:00Z"}"##,
            r##"{"identifier": 12, "@id": "#a", "url": "https:\/\/x.example\/a#b"}"##,
            r##"{"identifier": -0, "headline": "x"}"##,
            r##"{"identifier": 1.50, "headline": "x"}"##,
            r##"{"identifier": 18446744073709551616}"##,
            r##"{"identifier": {"value": 3}, "@id": "id"}"##,
            r##"{"headline": 1, "name": "N", "headline": "last"}"##,
            r##"{"head\u006cine": "escaped key", "articleBody": "", "text": "  ", "description": "d"}"##,
            r##"{"author": [{"name": "A", "legalName": "L"}, {"legalName": "L2"}, ["x"], 3, "B", {"name": 4}]}"##,
            r##"{"author": {"@type": "Organization", "name": null, "legalName": "Org"}}"##,
            r##"{"image": ["https://i/1.jpg", {"contentUrl": "u", "caption": {"text": "c"}, "creditText": ""}, [1], null]}"##,
            r##"{"image": {"url": "u", "caption": null, "description": "d", "copyrightHolder": {"name": "H"}}}"##,
            r##"{"image": {"url": "u", "caption": 5, "name": "n", "author": ["", "A"]}}"##,
            r##"{"image": {"caption": "no url"}}"##,
            r##"{"$serde_json::private::RawValue": "{\"headline\": \"raw\"}"}"##,
            r##"{"headline": {"$serde_json::private::RawValue": "\"raw\""}}"##,
            r##"{"author": {"\u0024serde_json::private::RawValue": "{\"name\": \"R\"}"}}"##,
            r##"{"image": {"url": "u", "caption": {"$serde_json::private::RawValue": "\"c\""}}}"##,
            r##"{"author": {"name": "A", "$serde_json::private::RawValue": "{}"}}"##,
            r##"{"articleBody": {"$serde_json::private::RawValue": "\"raw\""}}"##,
            r##"{"articleBody": "<p>caf\u00e9 \"q\"<\/p>", "text": "t"}"##,
            r##"{"articleBody": 5, "text": "<p>t<\/p>", "description": ["d"]}"##,
            r##"{"articleBody": " \n\t ", "text": {"a": 1}, "description": "<p>d<\/p>"}"##,
            r##"{"articleBody": "\ud83d\ude00 a", "articleBody": null}"##,
            r##"["not", "an", "object"]"##,
            r##""a string""##,
        ] {
            check(text);
        }
    }

    #[test]
    fn takes_what_a_value_cannot_hold_in_members_it_does_not_read() {
        // A value refuses a float out of range and a lone surrogate; read directly, the
        // update still has its entry.
        for text in [
            r##"{"headline": "H", "wordCount": 1e400}"##,
            r##"{"headline": "H", "alternativeHeadline": "\ud800"}"##,
        ] {
            assert!(through_value(text).is_none(), "{text}");
            assert_eq!(update(text).unwrap().headline.as_deref(), Some("H"));
        }
        // Not strict JSON: left to the lenient reading.
        assert_eq!(update(r##"{"headline": "H",}"##), None);
        assert_eq!(update("{\"headline\": \"a\nb\"}"), None);
        assert_eq!(update("{\"articleBody\": \"a\nb\"}"), None);
        assert_eq!(update(r#"{"articleBody": "a\qb"}"#), None);
    }

    fn string() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "\"\"",
            "\" \"",
            "\"plain\"",
            "\"<p>Para &amp; <b>bold</b></p><p>two</p>\"",
            "\"esc \\\"q\\\" \\n \\/ \\u00e9 \\ud83d\\ude00\"",
            "\"https:\\/\\/x.example\\/p#post-1\"",
            "\"https://x.example/p#u2\"",
            "\"2024-05-01T10:00:00+02:00\"",
            "\"Tue, 01 May 2024 10:00:00 GMT\"",
            "\"  Jane Roe \"",
            "\"\\u0000\"",
            "\"\\ud800\"",
            "\"{\\\"name\\\": \\\"R\\\", \\\"text\\\": \\\"T\\\"}\"",
            "\"\\\"raw\\\"\"",
        ])
        .prop_map(str::to_string)
    }

    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => string(),
            1 => prop::sample::select(vec![
                "0", "-0", "12", "-7", "1.5", "1e3", "2.50", "18446744073709551616", "1e400",
                "true", "false", "null",
            ])
            .prop_map(str::to_string),
        ]
    }

    const KEYS: &[&str] = &[
        "identifier",
        "@id",
        "url",
        "headline",
        "name",
        "articleBody",
        "text",
        "description",
        "datePublished",
        "dateModified",
        "author",
        "image",
        "@type",
        "legalName",
        "contentUrl",
        "caption",
        "creditText",
        "copyrightHolder",
        "other",
        "head\\u006cine",
        "$serde_json::private::RawValue",
    ];

    fn value() -> impl Strategy<Value = String> {
        scalar().prop_recursive(4, 24, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(", "))),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..5).prop_map(|m| {
                    let members: Vec<String> = m
                        .into_iter()
                        .map(|(k, v)| format!("\"{k}\": {v}"))
                        .collect();
                    format!("{{{}}}", members.join(", "))
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// An update of members drawn from what pages write (and some they should not):
        /// read directly, it gives what its value gives.
        #[test]
        fn direct_reading_equals_the_value_reading(
            members in prop::collection::vec((prop::sample::select(KEYS), value()), 0..8),
            wrap in 0..8u8,
        ) {
            let members: Vec<String> =
                members.into_iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            let text = format!("{{{}}}", members.join(", "));
            // Now and then not an object at all, or not strict JSON.
            let text = match wrap {
                0 => format!("[{text}]"),
                1 => format!("{text},"),
                _ => text,
            };
            check(&text);
        }
    }
}
