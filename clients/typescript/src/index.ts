/**
 * The Onboarding Links API client: `paths` and `components` are generated from the service's
 * `/v1/openapi.json` (src/schema.ts, by openapi-typescript); requests go through openapi-fetch.
 * Written by hand; `make clients` keeps it.
 */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";
export {
  DEFAULT_TOLERANCE_SECONDS,
  signingKey,
  verifyWebhook,
  WebhookVerificationError,
  type VerifyOptions,
  type WebhookEvent,
  type WebhookHeaders,
} from "./webhooks.js";

/** A schema by name, e.g. `Schema<"OnboardingLink">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

export interface OnboardingLinksClientOptions extends Omit<ClientOptions, "baseUrl"> {
  /** Where the service answers, without `/v1` (e.g. `https://api.example.com`). */
  baseUrl: string;
  /** An organization's API key, `sk_org_...`. */
  apiKey: string;
}

/** A typed client: `client.POST("/v1/onboarding-links", { body })`, `client.GET(...)`, ... */
export function createOnboardingLinksClient({ apiKey, ...options }: OnboardingLinksClientOptions): Client<paths> {
  const client = createClient<paths>(options);
  client.use({
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${apiKey}`);
      return request;
    },
  });
  return client;
}
