import { request } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the path sent exactly as given (fetch would resolve `..` first). */
export function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Streams `chunk` repeatedly as a chunked body (no Content-Length) until the server
 * answers or `maxChunks` went out; returns the answer and how many chunks were sent.
 */
export function streamUntilAnswered(
  url: string,
  path: string,
  headers: Record<string, string>,
  chunk: Buffer,
  maxChunks: number,
): Promise<{ status: number; body: string; sent: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request({ hostname, port, method: 'PUT', path, headers, agent: false }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body, sent });
      });
    });
    // The server closes the connection after its early answer, so writes may fail with
    // EPIPE before the answer is read: give the answer a moment to arrive.
    req.on('error', (err) => {
      setTimeout(() => {
        if (!answered) reject(Object.assign(err, { sent }));
      }, 1000);
    });
    const pump = () => {
      while (!answered && sent < maxChunks) {
        sent++;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** Sends `bytes` as they are on a fresh connection and returns everything that comes back. */
export function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let got = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      got += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(got));
    socket.setTimeout(5000, () => socket.destroy());
  });
}
