// stripe (its worker build, fetch-based): create and list customers, an API error, and a webhook
// signature checked with constructEventAsync, against the loopback stand-in.
import Stripe from 'stripe';

export async function handler(event) {
  const url = new URL(event.baseUrl);
  const stripe = new Stripe('sk_test_standin', {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    maxNetworkRetries: 0,
    httpClient: Stripe.createFetchHttpClient(),
  });
  const customer = await stripe.customers.create({
    email: 'ada@example.com',
    metadata: { plan: 'pro' },
  });
  const list = await stripe.customers.list({ limit: 2 });
  let apiError;
  try {
    await stripe.charges.create({ amount: 100, currency: 'usd', source: 'tok_chargeDeclined' });
  } catch (err) {
    apiError = { type: err.type, code: err.code, status: err.statusCode, message: err.message };
  }
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'customer.created' });
  const signing = { payload, secret: event.webhookSecret, timestamp: event.timestamp };
  // The synchronous forms, as code written for Stripe's Node build calls them.
  if (event.synchronousWebhooks) {
    const header = stripe.webhooks.generateTestHeaderString(signing);
    const verified = stripe.webhooks.constructEvent(payload, header, event.webhookSecret, 1e10);
    return { header, verified: verified.type };
  }
  const header = await stripe.webhooks.generateTestHeaderStringAsync(signing);
  const verified = await stripe.webhooks.constructEventAsync(
    payload,
    header,
    event.webhookSecret,
    1e10,
  );
  let badSignature;
  try {
    await stripe.webhooks.constructEventAsync(payload, header, 'whsec_other', 1e10);
  } catch (err) {
    badSignature = err.type;
  }
  return {
    customer: { id: customer.id, email: customer.email, metadata: customer.metadata },
    listed: list.data.map((c) => c.id),
    hasMore: list.has_more,
    apiError,
    header,
    verified: verified.type,
    badSignature,
  };
}
