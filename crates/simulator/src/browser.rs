//! A scripted stand-in for the user's browser, for tests and benchmarks that sign in without a
//! real one: it follows redirects and submits a `form_post` page the way a browser's onload
//! script would, which is all the simulated identity providers ask of a browser.

/// Opens `url` and follows it to the end: redirects (up to 10), then a self-submitting form, if
/// the page is one. Returns the last page's body.
///
/// # Errors
/// A request that couldn't be sent or read.
pub async fn visit(url: &str) -> Result<String, reqwest::Error> {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let mut next = url.to_owned();
    for _ in 0..10 {
        let resp = http.get(&next).send().await?;
        if let Some(location) = resp.headers().get("location").and_then(|l| l.to_str().ok()) {
            next = location.to_owned();
            continue;
        }
        let body = resp.text().await?;
        let Some(action) = attr(&body, "action") else { return Ok(body) };
        let fields: Vec<(String, String)> =
            body.split("<input ").skip(1).filter_map(|i| Some((attr(i, "name")?, attr(i, "value")?))).collect();
        return http.post(action).form(&fields).send().await?.text().await;
    }
    Ok(String::new())
}

/// The value of the first `name="…"` attribute in `html`, entities decoded.
fn attr(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("{name}=\""))? + name.len() + 2;
    let raw = &html[start..][..html[start..].find('"')?];
    Some(html_escape::decode_html_entities(raw).into_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn attributes_are_read_with_entities_decoded() {
        let html = r#"<form method="post" action="http://127.0.0.1:5/callback"><input type="hidden" name="state" value="a&amp;b&#x27;c">"#;
        assert_eq!(super::attr(html, "action").as_deref(), Some("http://127.0.0.1:5/callback"));
        assert_eq!(super::attr(html, "value").as_deref(), Some("a&b'c"));
        assert_eq!(super::attr(html, "missing"), None);
    }
}
