// Checks webhook signatures with the reference Standard Webhooks library, the way a receiver written in Node would.
// Reads a JSON array of cases on stdin; prints one JSON array of results.
//   { "verify": { secret, id, timestamp, signature, body } }  -> "ok" or "fail: <reason>"
//   { "sign":   { secret, id, timestamp, body } }             -> the library's webhook-signature header
import { Webhook } from "standardwebhooks";

let input = "";
for await (const chunk of process.stdin) input += chunk;

const results = JSON.parse(input).map((c) => {
  if (c.verify) {
    const v = c.verify;
    try {
      new Webhook(v.secret).verify(v.body, {
        "webhook-id": v.id,
        "webhook-timestamp": v.timestamp,
        "webhook-signature": v.signature,
      });
      return "ok";
    } catch (e) {
      return `fail: ${e.message}`;
    }
  }
  const s = c.sign;
  return new Webhook(s.secret).sign(s.id, new Date(Number(s.timestamp) * 1000), s.body);
});

process.stdout.write(JSON.stringify(results));
