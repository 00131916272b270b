// Placeholder until Request/Response are built.
export function install(_g, _host) {}
export class Response {}
export class Request {}
export class Headers {}
export function requestFromData(data) {
  return data;
}
export function responseToData(_response, _maxBytes) {
  throw new TypeError('Response is not built yet');
}
