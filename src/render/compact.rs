//! The page minifier: one pass over the HTML a template produced, removing what a browser never
//! renders — whitespace between block-level tags, runs of whitespace in text (one space is kept),
//! whitespace inside tags outside attribute values, and comments. Tags, attribute values,
//! entities and the contents of `pre`, `textarea`, `script` and `style` are copied unchanged.
//!
//! Why not minify-html on every page: it parses each page into a tree and re-serialises it, and
//! on the 1,000-report benchmark corpus that was 30% of the whole build's CPU time for pages whose
//! markup gongkai (or the theme) already writes compactly. This pass gives the same rendered
//! result (`tests/compact.rs` compares both on every built page of the fixture sites) at a
//! small fraction of the cost. The official tables never pass through here: they are generated
//! compact and placed afterwards.

/// Elements around which whitespace is never rendered (block-level boxes, table parts, and
/// elements that generate no box). Whitespace next to one of their tags is dropped.
fn is_block(name: &[u8]) -> bool {
    let mut buf = [0u8; 10];
    let Some(lower) = lowercase(name, &mut buf) else {
        return false;
    };
    matches!(
        lower,
        b"address"
            | b"article"
            | b"aside"
            | b"base"
            | b"blockquote"
            | b"body"
            | b"caption"
            | b"col"
            | b"colgroup"
            | b"dd"
            | b"details"
            | b"dialog"
            | b"div"
            | b"dl"
            | b"dt"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"footer"
            | b"form"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"head"
            | b"header"
            | b"hgroup"
            | b"hr"
            | b"html"
            | b"legend"
            | b"li"
            | b"link"
            | b"main"
            | b"menu"
            | b"meta"
            | b"nav"
            | b"noscript"
            | b"ol"
            | b"optgroup"
            | b"option"
            | b"p"
            | b"pre"
            | b"script"
            | b"search"
            | b"section"
            | b"style"
            | b"summary"
            | b"table"
            | b"tbody"
            | b"td"
            | b"template"
            | b"tfoot"
            | b"th"
            | b"thead"
            | b"title"
            | b"tr"
            | b"ul"
    )
}

/// Elements whose content is copied unchanged up to their end tag.
fn is_verbatim(name: &[u8]) -> bool {
    let mut buf = [0u8; 10];
    matches!(
        lowercase(name, &mut buf),
        Some(b"pre" | b"textarea" | b"script" | b"style")
    )
}

/// An element name in lower case, when it is short enough to be one we know.
fn lowercase<'a>(name: &[u8], buf: &'a mut [u8; 10]) -> Option<&'a [u8]> {
    let out = buf.get_mut(..name.len())?;
    for (o, c) in out.iter_mut().zip(name) {
        *o = c.to_ascii_lowercase();
    }
    Some(out)
}

/// Where the run of text starting at `from` ends: at the next `<` or HTML whitespace. Searched
/// with memchr (runs of Chinese text are long and hold no ASCII): first `<`, space and newline,
/// then the rarer tab, CR and form feed within that stretch.
fn text_end(s: &[u8], from: usize) -> usize {
    let hay = &s[from..];
    let common = memchr::memchr3(b'<', b' ', b'\n', hay).unwrap_or(hay.len());
    from + memchr::memchr3(b'\t', b'\r', 0x0c, &hay[..common]).unwrap_or(common)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// What was written last, for deciding about the whitespace that follows it.
#[derive(Clone, Copy, PartialEq)]
enum Last {
    /// Start of the document, a block-level tag, a doctype or a removed comment's block
    /// neighbour: whitespace after it is dropped.
    Boundary,
    /// Text or an inline tag: whitespace after it becomes one space.
    Inline,
}

/// Minify a whole HTML page (see the module documentation).
pub fn compact(html: &[u8]) -> Vec<u8> {
    let s = html;
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    let mut last = Last::Boundary;
    let mut pending_space = false;
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if is_space(b) {
            while i < s.len() && is_space(s[i]) {
                i += 1;
            }
            pending_space = last == Last::Inline;
            continue;
        }
        if b == b'<' {
            // A comment: dropped (whitespace on either side is then judged by its neighbours).
            if s[i..].starts_with(b"<!--") {
                let end = find(s, i + 4, b"-->").map_or(s.len(), |e| e + 3);
                i = end;
                continue;
            }
            let Some((tag_end, name, closing)) = tag_at(s, i) else {
                // A `<` that starts no tag is text.
                flush_space(&mut out, &mut pending_space);
                out.push(b);
                last = Last::Inline;
                i += 1;
                continue;
            };
            let block = name.is_empty() || is_block(name);
            if block {
                pending_space = false;
            } else {
                flush_space(&mut out, &mut pending_space);
            }
            copy_tag(&s[i..tag_end], &mut out);
            i = tag_end;
            last = if block { Last::Boundary } else { Last::Inline };
            if !closing && is_verbatim(name) {
                let end = find_end_tag(s, i, name);
                out.extend_from_slice(&s[i..end]);
                i = end;
            }
            continue;
        }
        // Text up to the next whitespace or tag.
        flush_space(&mut out, &mut pending_space);
        let start = i;
        i = text_end(s, i);
        out.extend_from_slice(&s[start..i]);
        last = Last::Inline;
    }
    // Only whole UTF-8 sequences were copied or dropped (all cut points are ASCII bytes), so
    // valid UTF-8 in gives valid UTF-8 out.
    out
}

fn flush_space(out: &mut Vec<u8>, pending: &mut bool) {
    if *pending {
        out.push(b' ');
        *pending = false;
    }
}

fn find(s: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(s.get(from..)?, needle).map(|p| p + from)
}

/// The tag starting at `s[at] == b'<'`: its end (after `>`), its name (empty for a doctype or
/// other `<!…>`/`<?…>` markup) and whether it is an end tag. None when this `<` starts no tag.
fn tag_at(s: &[u8], at: usize) -> Option<(usize, &[u8], bool)> {
    let mut i = at + 1;
    let closing = s.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let first = *s.get(i)?;
    if !closing && (first == b'!' || first == b'?') {
        let end = s[i..].iter().position(|&c| c == b'>')? + i + 1;
        return Some((end, &s[i..i], false));
    }
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let name_start = i;
    while i < s.len() && !is_space(s[i]) && s[i] != b'>' && s[i] != b'/' {
        i += 1;
    }
    let name = &s[name_start..i];
    // Skip attributes, honouring quoted values: jump from quote to quote to the `>`.
    loop {
        let at = i + memchr::memchr3(b'>', b'"', b'\'', &s[i..])?;
        let c = s[at];
        if c == b'>' {
            return Some((at + 1, name, closing));
        }
        i = at + 1 + memchr::memchr(c, &s[at + 1..])? + 1;
    }
}

/// Copy a tag, collapsing whitespace between attributes to one space and dropping it before `>`
/// or `/>`; quoted attribute values are copied unchanged.
fn copy_tag(tag: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < tag.len() {
        // A stretch without quotes or whitespace is copied whole.
        let run_end = tag[i..]
            .iter()
            .position(|&c| c == b'"' || c == b'\'' || is_space(c))
            .map_or(tag.len(), |p| i + p);
        out.extend_from_slice(&tag[i..run_end]);
        i = run_end;
        let Some(&c) = tag.get(i) else {
            break;
        };
        if c == b'"' || c == b'\'' {
            // A quoted value, up to and including its closing quote (or the end).
            let end = memchr::memchr(c, &tag[i + 1..]).map_or(tag.len(), |p| i + 1 + p + 1);
            out.extend_from_slice(&tag[i..end]);
            i = end;
        } else {
            while i < tag.len() && is_space(tag[i]) {
                i += 1;
            }
            let next = tag.get(i).copied();
            let before_end = next == Some(b'>')
                || (next == Some(b'/') && tag.get(i + 1) == Some(&b'>'))
                || next == Some(b'=');
            let after_eq = out.last() == Some(&b'=');
            if !before_end && !after_eq {
                out.push(b' ');
            }
        }
    }
}

/// Where the end tag `</name` of a verbatim element starts (or the end of the input).
fn find_end_tag(s: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(p) = s[i..].iter().position(|&c| c == b'<') {
        let at = i + p;
        let rest = &s[at..];
        if rest.len() > name.len() + 2
            && rest[1] == b'/'
            && rest[2..2 + name.len()].eq_ignore_ascii_case(name)
            && matches!(
                rest[2 + name.len()],
                b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/'
            )
        {
            return at;
        }
        i = at + 1;
    }
    s.len()
}

#[cfg(test)]
mod tests {
    fn compact_str(html: &str) -> String {
        String::from_utf8(super::compact(html.as_bytes())).unwrap()
    }

    #[test]
    fn whitespace_between_blocks_goes_one_space_in_text_stays() {
        let html = "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n  <head>\n    <title> 标题 </title>\n  </head>\n  <body>\n    <p>第一行\n    第二行   <a href=\"x y\">链接</a> <em>强调</em>\n    </p>\n  </body>\n</html>\n";
        assert_eq!(
            compact_str(html),
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><title>标题</title></head><body><p>第一行 第二行 <a href=\"x y\">链接</a> <em>强调</em></p></body></html>"
        );
    }

    #[test]
    fn verbatim_elements_and_attribute_values_are_untouched() {
        let html = "<pre>  a\n   b </pre>\n<textarea>\n x  </textarea><script>if (a < b)  { x(\"  \") }</script><p title=\"  two  spaces \">x</p>";
        assert_eq!(
            compact_str(html),
            "<pre>  a\n   b </pre><textarea>\n x  </textarea><script>if (a < b)  { x(\"  \") }</script><p title=\"  two  spaces \">x</p>"
        );
    }

    #[test]
    fn comments_go_and_tags_lose_inner_whitespace() {
        let html = "<p>a <!-- note --> b</p><div\n   class=\"c\"\n   id = \"d\" >x</div><br />";
        assert_eq!(
            compact_str(html),
            "<p>a b</p><div class=\"c\" id=\"d\">x</div><br/>"
        );
    }

    #[test]
    fn a_stray_less_than_is_text() {
        assert_eq!(compact_str("<p>1 < 2  且 3 <4</p>"), "<p>1 < 2 且 3 <4</p>");
    }

    #[test]
    fn unterminated_input_is_kept() {
        assert_eq!(
            compact_str("<p>a</p><div class=\"x"),
            "<p>a</p><div class=\"x"
        );
        assert_eq!(compact_str("<pre>a  b"), "<pre>a  b");
        assert_eq!(compact_str("a <!-- b"), "a");
    }
}
