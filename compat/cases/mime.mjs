// mime: types from paths and extensions from types, including a custom Mime instance.
import mime, { Mime } from 'mime';
import standardTypes from 'mime/types/standard.js';

export async function handler(event) {
  const custom = new Mime(standardTypes).define({ 'application/x-compat': ['cmp'] });
  return {
    types: event.paths.map((p) => mime.getType(p)),
    extensions: ['text/html', 'application/json', 'image/svg+xml', 'application/x-unknown'].map(
      (t) => mime.getExtension(t),
    ),
    all: [...(mime.getAllExtensions('image/jpeg') ?? [])].sort(),
    custom: [custom.getType('x.cmp'), custom.getExtension('application/x-compat')],
  };
}
