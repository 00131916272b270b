// openai: a chat completion, a streamed one (server-sent events) and an API error, all against
// the loopback stand-in given as baseURL.
import OpenAI from 'openai';

export async function handler(event) {
  const client = new OpenAI({
    apiKey: event.apiKey,
    baseURL: `${event.baseUrl}/v1`,
    maxRetries: 0,
  });
  const completion = await client.chat.completions.create({
    model: 'stand-in-1',
    messages: [{ role: 'user', content: 'Say hello' }],
  });
  const stream = await client.chat.completions.create({
    model: 'stand-in-1',
    messages: [{ role: 'user', content: 'Count' }],
    stream: true,
  });
  const pieces = [];
  for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta?.content ?? '');
  let apiError;
  try {
    await client.models.retrieve('missing-model');
  } catch (err) {
    apiError = {
      isApiError: err instanceof OpenAI.APIError,
      status: err.status,
      message: err.message,
    };
  }
  return {
    content: completion.choices[0].message.content,
    usage: completion.usage,
    echoedModel: completion.model,
    pieces,
    apiError,
  };
}
