//! A scripted stand-in for the user's browser, for tests and benchmarks that sign in without a
//! real one: it follows redirects and submits a `form_post` page the way a browser's onload
//! script would, which is all the simulated identity providers ask of a browser for a loopback
//! sign-in. For a device code it does what the user does on the verification page: types the
//! code into the form, then clicks Continue or Cancel ([`device_login`]).

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

/// What the user answers on a device code's verification page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceAnswer {
    /// Continue: sign the app in.
    Approve,
    /// Cancel: don't.
    Decline,
}

/// One `<form>` of a page: where it posts, its fields with their values, and its buttons' test ids.
struct PageForm {
    action: String,
    fields: Vec<(String, String)>,
    buttons: Vec<String>,
}

fn forms(html: &str) -> Vec<PageForm> {
    html.split("<form ")
        .skip(1)
        .map(|f| f.split("</form>").next().unwrap_or(f))
        .map(|f| PageForm {
            action: attr(f, "action").unwrap_or_default(),
            fields: f.split("<input ").skip(1).filter_map(|i| Some((attr(i, "name")?, attr(i, "value")?))).collect(),
            buttons: f.split("<button ").skip(1).filter_map(|b| attr(b, "data-testid")).collect(),
        })
        .collect()
}

/// Posts `form` as a browser would, its action read against the page's address.
async fn submit(http: &reqwest::Client, page: &reqwest::Url, form: &PageForm) -> Result<String, reqwest::Error> {
    let action = page.join(&form.action).map(String::from).unwrap_or_else(|_| form.action.clone());
    http.post(action).form(&form.fields).send().await?.text().await
}

/// Finishes a device-code sign-in as the user does on the verification page: opens `url` (the
/// `verification_uri`, or a `verification_uri_complete` that fills the code in), types
/// `user_code` into the code field when given (`None` leaves the field as the page filled it),
/// clicks Next, then Continue or Cancel as `answer` says. Returns the last page's body; when the
/// code isn't accepted that is the code form again, with its error.
///
/// # Errors
/// A request that couldn't be sent or read.
pub async fn device_login(url: &str, user_code: Option<&str>, answer: DeviceAnswer) -> Result<String, reqwest::Error> {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let resp = http.get(url).send().await?;
    let page = resp.url().clone();
    let body = resp.text().await?;
    let Some(mut form) = forms(&body).into_iter().next() else { return Ok(body) };
    if let Some(typed) = user_code {
        form.fields.retain(|(name, _)| name != "user_code");
        form.fields.push(("user_code".into(), typed.into()));
    }
    let question = submit(&http, &page, &form).await?;
    let button = match answer {
        DeviceAnswer::Approve => "device-approve",
        DeviceAnswer::Decline => "device-decline",
    };
    match forms(&question).into_iter().find(|f| f.buttons.iter().any(|b| b == button)) {
        Some(form) => submit(&http, &page, &form).await,
        None => Ok(question),
    }
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

    #[test]
    fn forms_are_read_with_their_fields_and_buttons() {
        let html = r#"<form method="post" action="/a"><input type="hidden" name="x" value="1"><button data-testid="yes">Y</button></form><form method="post" action="/b"><input name="y" value=""><button data-testid="no">N</button></form>"#;
        let forms = super::forms(html);
        assert_eq!(forms.len(), 2);
        assert_eq!(
            (forms[0].action.as_str(), forms[0].fields.clone(), forms[0].buttons.clone()),
            ("/a", vec![("x".into(), "1".into())], vec!["yes".to_string()])
        );
        assert_eq!((forms[1].action.as_str(), forms[1].buttons.clone()), ("/b", vec!["no".to_string()]));
    }
}
