// The TypeScript client against a running service (`make run`): create a link, read it back, verify
// a webhook the service really delivers to a receiver on loopback, and rotate the webhook's secret.
// Runs when ONBOARDING_API_URL and ONBOARDING_API_KEY are set (CI sets them); otherwise skipped.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";

import { createOnboardingLinksClient, verifyWebhook, WebhookVerificationError } from "../src/index.js";

const API_URL = process.env.ONBOARDING_API_URL ?? "";
const API_KEY = process.env.ONBOARDING_API_KEY ?? "";
const DELIVERY_WAIT_MS = 60_000;

interface Delivery {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

describe("against a running service", { skip: !(API_URL && API_KEY) && "ONBOARDING_API_URL and ONBOARDING_API_KEY not set" }, () => {
  const client = createOnboardingLinksClient({ baseUrl: API_URL, apiKey: API_KEY });
  const deliveries: Delivery[] = [];
  const waiting: ((delivery: Delivery) => void)[] = [];
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const delivery = { headers: request.headers, body: Buffer.concat(chunks) };
      const next = waiting.shift();
      if (next) next(delivery);
      else deliveries.push(delivery);
      response.writeHead(204).end();
    });
  });
  const nextDelivery = () =>
    new Promise<Delivery>((resolve, reject) => {
      const ready = deliveries.shift();
      if (ready) return resolve(ready);
      const timer = setTimeout(() => reject(new Error("no delivery arrived")), DELIVERY_WAIT_MS);
      waiting.push((delivery) => {
        clearTimeout(timer);
        resolve(delivery);
      });
    });

  before(() => new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve)));
  after(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it("creates a link and reads it back", async () => {
    const externalId = `typescript-client-${crypto.randomUUID()}`;
    const refreshUrl = "https://example.com/refresh?tenant=typescript-client";
    const created = await client.POST("/v1/onboarding-links", {
      params: { header: { "Idempotency-Key": externalId } },
      body: { name: "TypeScript client", externalId, redirectUrl: "https://example.com/done", refreshUrl },
    });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
    assert.equal(created.data!.data.refreshUrl, refreshUrl);
    const id = created.data!.data.id;

    const read = await client.GET("/v1/onboarding-links/{id}", { params: { path: { id } } });
    assert.equal(read.response.status, 200);
    assert.equal(read.data!.data.externalId, externalId);
    assert.equal(read.data!.data.status, "pending");
    assert.ok(read.data!.data.hostedUrl.endsWith(`/signup/${id}`));
    assert.equal(read.data!.data.refreshUrl, refreshUrl);
  });

  for (const ownSecret of [undefined, "whsec_typescript_client_own_secret"]) {
    it(`verifies a delivered test event (${ownSecret ? "own" : "generated"} secret)`, async () => {
      const { port } = receiver.address() as AddressInfo;
      const created = await client.POST("/v1/outgoing-webhooks", {
        body: {
          url: `http://127.0.0.1:${port}/hook`,
          events: ["webhook.test"],
          description: "TypeScript client test",
          ...(ownSecret ? { secret: ownSecret } : {}),
        },
      });
      assert.equal(created.response.status, 201, JSON.stringify(created.error));
      const webhook = created.data!.data;
      try {
        const sent = await client.POST("/v1/outgoing-webhooks/{id}/test", { params: { path: { id: webhook.id } } });
        assert.equal(sent.response.status, 202);

        const { headers, body } = await nextDelivery();
        const event = verifyWebhook(webhook.secret, headers, body);
        assert.equal(event.event, "webhook.test");
        assert.equal(event.data.webhookId, webhook.id);
        assert.equal(headers["webhook-id"], event.id);
        assert.equal(event.id, sent.data!.data.eventId);
        assert.throws(() => verifyWebhook(`whsec_${"A".repeat(44)}`, headers, body), WebhookVerificationError);
        assert.throws(
          () => verifyWebhook(webhook.secret, headers, Buffer.concat([body, Buffer.from(" ")])),
          WebhookVerificationError,
        );
      } finally {
        await client.DELETE("/v1/outgoing-webhooks/{id}", { params: { path: { id: webhook.id } } });
      }
    });
  }

  it("verifies with the old and the new secret during a rotation's grace period, then only the newest", async () => {
    const { port } = receiver.address() as AddressInfo;
    const created = await client.POST("/v1/outgoing-webhooks", {
      body: { url: `http://127.0.0.1:${port}/hook`, events: ["webhook.test"], description: "TypeScript client rotation" },
    });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
    const { id, secret: oldSecret } = created.data!.data;
    const path = { params: { path: { id } } };
    const signatures = (delivery: Delivery) =>
      String(delivery.headers["webhook-signature"]).split(" ").filter((value) => value.startsWith("v1,"));
    try {
      const rotated = await client.POST("/v1/outgoing-webhooks/{id}/rotate-secret", { ...path, body: { graceSeconds: 3600 } });
      assert.equal(rotated.response.status, 200, JSON.stringify(rotated.error));
      const newSecret = rotated.data!.data.secret;
      assert.ok(newSecret.startsWith("whsec_") && newSecret !== oldSecret);
      assert.notEqual(rotated.data!.data.previousSecretExpiresAt, null);

      assert.equal((await client.POST("/v1/outgoing-webhooks/{id}/test", path)).response.status, 202);
      const during = await nextDelivery();
      assert.equal(signatures(during).length, 2);
      assert.equal(verifyWebhook(oldSecret, during.headers, during.body).data.webhookId, id);
      assert.equal(verifyWebhook(newSecret, during.headers, during.body).data.webhookId, id);

      // No grace period: only the newest secret signs; the one it replaced (and the first) no longer do.
      const again = await client.POST("/v1/outgoing-webhooks/{id}/rotate-secret", { ...path, body: { graceSeconds: 0 } });
      assert.equal(again.response.status, 200, JSON.stringify(again.error));
      const newestSecret = again.data!.data.secret;
      assert.ok(![oldSecret, newSecret].includes(newestSecret));
      assert.equal(again.data!.data.previousSecretExpiresAt, null);

      assert.equal((await client.POST("/v1/outgoing-webhooks/{id}/test", path)).response.status, 202);
      const later = await nextDelivery();
      assert.equal(signatures(later).length, 1);
      assert.equal(verifyWebhook(newestSecret, later.headers, later.body).event, "webhook.test");
      for (const replaced of [newSecret, oldSecret]) {
        assert.throws(() => verifyWebhook(replaced, later.headers, later.body), WebhookVerificationError);
      }
    } finally {
      await client.DELETE("/v1/outgoing-webhooks/{id}", path);
    }
  });
});
