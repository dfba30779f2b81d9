// A scripted stand-in for the system browser in sign-in tests: follows the identity provider's
// redirects back to the app's loopback listener, and submits a `form_post` page the way a
// browser's onload script would (curl -L can't, and Microsoft's sign-in answers with one).
const decode = (s) => s.replaceAll("&quot;", '"').replaceAll("&#x27;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
const attr = (html, name) => {
  const m = html.match(new RegExp(`${name}="([^"]*)"`));
  return m ? decode(m[1]) : null;
};

let url = process.argv[2];
for (let hop = 0; hop < 10; hop++) {
  const res = await fetch(url, { redirect: "manual" });
  const location = res.headers.get("location");
  if (location) {
    url = new URL(location, url).toString();
    continue;
  }
  const body = await res.text();
  const action = /<form[^>]*method="post"/.test(body) ? attr(body, "action") : null;
  if (action) {
    const fields = new URLSearchParams();
    for (const input of body.split("<input ").slice(1)) {
      const name = attr(input, "name");
      if (name !== null) fields.append(name, attr(input, "value") ?? "");
    }
    await fetch(action, { method: "POST", body: fields, redirect: "manual" });
  }
  break;
}
