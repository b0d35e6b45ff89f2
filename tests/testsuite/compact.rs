//! The page minifier (`render::compact`) against minify-html, the general-purpose minifier it
//! replaced on the hot path: on every page of the bundled site and the fixture sites, both
//! outputs hold the same elements with the same attributes in the same order and the same text
//! once whitespace is collapsed as a browser collapses it. Also: the minified pages are not
//! much larger than minify-html's.

use crate::common::*;
use gongkai::render::Options;

/// What a browser renders of a page, as a token list: tags with their attributes, and text
/// with whitespace runs collapsed to one space (text next to a block boundary trimmed).
fn rendered_tokens(html: &str) -> Vec<String> {
    use html5ever::TokenizerResult;
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{
        BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
    };
    use std::cell::RefCell;

    struct Sink(RefCell<Vec<String>>, RefCell<String>);
    impl Sink {
        fn flush_text(&self) {
            let mut text = self.1.borrow_mut();
            let collapsed = text.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
            // Whether a space survives at the edges depends on the neighbouring boxes, which
            // both minifiers judge alike only up to block boundaries; compare the words.
            if !collapsed.is_empty() {
                self.0.borrow_mut().push(format!("text:{collapsed}"));
            }
            text.clear();
        }
    }
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            match token {
                Token::CharacterTokens(t) => self.1.borrow_mut().push_str(&t),
                Token::TagToken(tag) => {
                    self.flush_text();
                    let mut attrs: Vec<String> = tag
                        .attrs
                        .iter()
                        // minify-html also trims and collapses whitespace inside some values
                        // (`content`, `class`); compact copies values unchanged.
                        .map(|a| {
                            let v: String = a
                                .value
                                .chars()
                                .filter(|c| !c.is_ascii_whitespace())
                                .collect();
                            format!("{}={v:?}", &*a.name.local)
                        })
                        .collect();
                    attrs.sort();
                    let kind = if tag.kind == TagKind::StartTag {
                        "<"
                    } else {
                        "</"
                    };
                    self.0
                        .borrow_mut()
                        .push(format!("{kind}{} {}", &*tag.name, attrs.join(" ")));
                }
                Token::DoctypeToken(_) => {
                    self.flush_text();
                    self.0.borrow_mut().push("doctype".into());
                }
                Token::CommentToken(_) => {}
                Token::EOFToken => self.flush_text(),
                _ => {}
            }
            TokenSinkResult::Continue
        }
    }
    let tok = Tokenizer::new(
        Sink(RefCell::new(Vec::new()), RefCell::new(String::new())),
        TokenizerOpts::default(),
    );
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    while let TokenizerResult::Script(_) = tok.feed(&input) {}
    tok.end();
    tok.sink.0.take()
}

fn minify_html(html: &str) -> String {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    String::from_utf8(minify_html::minify(html.as_bytes(), &cfg)).unwrap()
}

fn compact_str(html: &str) -> String {
    String::from_utf8(gongkai::render::compact::compact(html.as_bytes()))
        .expect("compact keeps UTF-8")
}

#[test]
fn compact_renders_like_minify_html_on_every_page() {
    let mut pages = 0;
    let (mut ours, mut theirs) = (0usize, 0usize);
    for root in [repo(), fixture("multi-year")] {
        let opts = Options {
            minify: false,
            inject: None,
        };
        let files = gongkai::pipeline::preview(&root, &opts).unwrap().files;
        for f in files.iter().filter(|f| f.path.ends_with(".html")) {
            let html = std::str::from_utf8(&f.bytes).unwrap();
            let a = compact_str(html);
            let b = minify_html(html);
            let (ta, tb) = (rendered_tokens(&a), rendered_tokens(&b));
            assert!(ta.len() > 20, "{}", f.path);
            if ta != tb {
                let at = ta.iter().zip(&tb).position(|(x, y)| x != y).unwrap_or(0);
                panic!(
                    "{}: first difference at token {at}:\n  compact:     {:?}\n  minify-html: {:?}",
                    f.path,
                    &ta[at..(at + 3).min(ta.len())],
                    &tb[at..(at + 3).min(tb.len())]
                );
            }
            pages += 1;
            ours += a.len();
            theirs += b.len();
            // The theme and the Markdown renderer write pages compact already (issue 12).
            assert!(a.len() <= html.len(), "{} was made larger", f.path);
        }
    }
    assert!(pages >= 10, "{pages}");
    eprintln!("{pages} pages: compact {ours} bytes, minify-html {theirs} bytes");
    // Attribute quotes and a few spaces are all that minify-html saves beyond this pass.
    assert!(
        ours * 100 <= theirs * 103,
        "compact {ours} bytes against minify-html {theirs} bytes"
    );
}

#[test]
fn whitespace_between_inline_elements_survives() {
    let page =
        "<p>甲 <a href=x>乙</a>\n  <em>丙</em>丁</p>\n<ul>\n  <li>一</li>\n  <li>二</li>\n</ul>";
    assert_eq!(
        compact_str(page),
        "<p>甲 <a href=x>乙</a> <em>丙</em>丁</p><ul><li>一</li><li>二</li></ul>"
    );
    assert_eq!(rendered_tokens(&compact_str(page)), rendered_tokens(page));
}
