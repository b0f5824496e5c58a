// verifyWebhook against signatures made elsewhere: a fixed delivery signed by the Standard Webhooks
// reference library (the Python client's tests use the same one) and plain HMACs from node:crypto.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";

import { verifyWebhook, WebhookVerificationError } from "../src/index.js";

const NOW = 1_714_000_000;
const OLD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwZmV0Y2hlZA==";
const NEW_KEY = Buffer.alloc(32, "n");
const NEW_SECRET = `whsec_${NEW_KEY.toString("base64")}`;
const BODY = JSON.stringify({ id: "evt_1", event: "webhook.test", data: { message: "hi" } });

function sign(key: Buffer, body = BODY, msgId = "evt_1", at = NOW): string {
  return `v1,${createHmac("sha256", key).update(`${msgId}.${at}.${body}`).digest("base64")}`;
}

const oldKey = Buffer.from(OLD_SECRET.slice("whsec_".length), "base64");

function headers(signature: string, msgId = "evt_1", at = NOW): Record<string, string> {
  return { "webhook-id": msgId, "webhook-timestamp": String(at), "webhook-signature": signature };
}

describe("verifyWebhook", () => {
  it("verifies a fixed delivery signed by the reference library", () => {
    const example = {
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,b7SQ7SdCmwp/Hk63Pd40FKSwSzY3j3nx9QufLs3tpaI=",
    };
    assert.deepEqual(verifyWebhook(OLD_SECRET, example, '{"test": 2432232314}', { now: 1614265330 }), {
      test: 2432232314,
    });
  });

  it("returns the event and accepts bytes and fetch Headers", () => {
    const event = verifyWebhook(NEW_SECRET, new Headers(headers(sign(NEW_KEY))), Buffer.from(BODY), { now: NOW });
    assert.equal(event.event, "webhook.test");
  });

  it("during a rotation, verifies a header with both signatures with either secret", () => {
    const both = `${sign(oldKey)} ${sign(NEW_KEY)}`;
    for (const secret of [OLD_SECRET, NEW_SECRET]) {
      assert.equal(verifyWebhook(secret, headers(both), BODY, { now: NOW }).id, "evt_1");
    }
    const other = `whsec_${Buffer.alloc(32, "x").toString("base64")}`;
    assert.throws(() => verifyWebhook(other, headers(both), BODY, { now: NOW }), WebhookVerificationError);
  });

  it("accepts a delivery signed by either of two secrets the receiver holds", () => {
    assert.ok(verifyWebhook([OLD_SECRET, NEW_SECRET], headers(sign(NEW_KEY)), BODY, { now: NOW }));
  });

  it("uses a secret of one's own as its UTF-8 bytes", () => {
    const own = "whsec_my_secret_key_123";
    assert.ok(verifyWebhook(own, headers(sign(Buffer.from(own, "utf8"))), BODY, { now: NOW }));
  });

  it("matches headers in any letter case and skips unknown versions", () => {
    const given = {
      "Webhook-Id": "evt_1",
      "WEBHOOK-TIMESTAMP": String(NOW),
      "Webhook-Signature": `v2,abc v1a,xyz ${sign(oldKey)}`,
    };
    assert.ok(verifyWebhook(OLD_SECRET, given, BODY, { now: NOW }));
  });

  const refused: [string, string, Record<string, string>, number][] = [
    ["body changed", BODY.replace("hi", "ho"), {}, NOW],
    ["id changed", BODY, { "webhook-id": "evt_2" }, NOW],
    ["too old", BODY, {}, NOW + 301],
    ["too new", BODY, {}, NOW - 301],
    ["timestamp not a number", BODY, { "webhook-timestamp": "soon" }, NOW],
    ["signature not base64", BODY, { "webhook-signature": "v1,not base64!" }, NOW],
    ["no signature", BODY, { "webhook-signature": "" }, NOW],
  ];
  for (const [name, body, overrides, now] of refused) {
    it(`refuses a delivery: ${name}`, () => {
      const given = { ...headers(sign(oldKey)), ...overrides };
      assert.throws(() => verifyWebhook(OLD_SECRET, given, body, { now }), WebhookVerificationError);
    });
  }

  it("names a missing header", () => {
    const { "webhook-timestamp": _, ...given } = headers(sign(oldKey));
    assert.throws(() => verifyWebhook(OLD_SECRET, given, BODY, { now: NOW }), /webhook-timestamp/);
  });
});
