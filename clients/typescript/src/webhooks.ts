/**
 * Verify a webhook delivery from the Onboarding Links service (written by hand; `make clients` keeps it).
 *
 * Deliveries follow the Standard Webhooks specification:
 * - `webhook-id`: the event id, the same on every retry;
 * - `webhook-timestamp`: unix seconds of this attempt;
 * - `webhook-signature`: one or more space-separated `v1,<base64 HMAC-SHA256>` values of
 *   `"{webhook-id}.{webhook-timestamp}.{raw body}"`. While a secret is being rotated the service
 *   signs with the old and the new one, so any one matching value is enough.
 *
 * The HMAC key: when the secret is `whsec_` followed by standard base64 (with padding) that decodes
 * to at least 16 bytes, the decoded bytes (every generated secret); otherwise the UTF-8 bytes of the
 * whole secret as given (a secret you chose yourself, such as `whsec_my_secret_key_123`).
 *
 * Node's `node:crypto` only (Node 20+, and runtimes that provide it such as Deno and Bun).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const SECRET_PREFIX = "whsec_";
const MIN_DECODED_KEY_BYTES = 16;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** The event envelope every delivery carries (docs/webhooks.md, "Events"). */
export interface WebhookEvent {
  id: string;
  event: string;
  timestamp: string;
  organizationId: string;
  data: Record<string, unknown>;
}

/** A fetch `Headers`, or a plain object such as Node's `req.headers` (any letter case). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** How far the `webhook-timestamp` may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Now, in unix seconds (for tests). */
  now?: number;
}

/** The delivery is not signed by any of the given secrets, or is too old or too new. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

/** The HMAC key a secret stands for (see the module comment). */
export function signingKey(secret: string): Buffer {
  if (secret.startsWith(SECRET_PREFIX)) {
    const encoded = secret.slice(SECRET_PREFIX.length);
    if (BASE64.test(encoded)) {
      const decoded = Buffer.from(encoded, "base64");
      if (decoded.length >= MIN_DECODED_KEY_BYTES) return decoded;
    }
  }
  return Buffer.from(secret, "utf8");
}

function header(headers: WebhookHeaders, name: string): string {
  let value: string | string[] | null | undefined;
  if (typeof Headers !== "undefined" && headers instanceof Headers) {
    value = headers.get(name);
  } else {
    const record = headers as Record<string, string | string[] | undefined>;
    const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  if (Array.isArray(value)) value = value.join(" ");
  if (!value) throw new WebhookVerificationError(`Missing the ${name} header.`);
  return value;
}

function givenSignatures(headerValue: string): Buffer[] {
  const signatures: Buffer[] = [];
  for (const entry of headerValue.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue;
    const encoded = entry.slice(comma + 1);
    if (BASE64.test(encoded)) signatures.push(Buffer.from(encoded, "base64"));
  }
  return signatures;
}

/**
 * Check a delivery's signature and timestamp; return the parsed event envelope.
 *
 * @param secret the endpoint's secret, or several (while you rotate it on your side, pass both)
 * @param headers the request's headers
 * @param body the raw request body, exactly as received (verify before parsing JSON)
 * @throws WebhookVerificationError when no signature matches or the timestamp is more than
 *   `toleranceSeconds` away from now
 */
export function verifyWebhook<T = WebhookEvent>(
  secret: string | readonly string[],
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): T {
  const secrets = typeof secret === "string" ? [secret] : [...secret];
  if (secrets.length === 0 || secrets.some((each) => typeof each !== "string" || each === "")) {
    throw new TypeError("verifyWebhook needs at least one non-empty secret.");
  }
  const msgId = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatureHeader = header(headers, "webhook-signature");
  if (!/^\d+$/.test(timestamp)) {
    throw new WebhookVerificationError("The webhook-timestamp header is not unix seconds.");
  }
  const now = options.now ?? Date.now() / 1000;
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError("The webhook-timestamp is outside the tolerance: a replay or a wrong clock.");
  }

  const raw = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
  const expected = secrets.map((each) =>
    createHmac("sha256", signingKey(each)).update(`${msgId}.${timestamp}.`).update(raw).digest(),
  );
  // Every pair is compared, in constant time, so the time taken says nothing about which matched.
  let matched = false;
  for (const given of givenSignatures(signatureHeader)) {
    for (const digest of expected) {
      if (given.length === digest.length && timingSafeEqual(given, digest)) matched = true;
    }
  }
  if (!matched) throw new WebhookVerificationError("No signature matches the secret.");
  try {
    return JSON.parse(raw.toString("utf8")) as T;
  } catch {
    throw new WebhookVerificationError("The body is not JSON.");
  }
}
