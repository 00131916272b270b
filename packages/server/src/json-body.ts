import { MiniLambdaError } from '@mini-lambda/core';

/** A JSON request body for our own routes (not an event, which the isolate parses). */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new MiniLambdaError('InvalidJSON', 'The request body is not valid JSON');
  }
}
