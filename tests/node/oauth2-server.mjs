// oauth2-mock-server from npm, started as tests/third_party_idp.rs needs it: on 127.0.0.1 and the
// given port, and, as many OpenID providers do, naming the user only at /userinfo, not in the
// id token (so the app must read userinfo to say who signed in).
//   node oauth2-server.mjs <port>
import { OAuth2Server, Events } from "oauth2-mock-server";

const port = Number(process.argv[2]);
const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on(Events.BeforeUserinfo, (response) => {
  response.body = { sub: "johndoe", name: "John Doe", email: "john.doe@example.com" };
});
await server.start(port, "127.0.0.1");
console.log(`listening on ${server.issuer.url}`);
