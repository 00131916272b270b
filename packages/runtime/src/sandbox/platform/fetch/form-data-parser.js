// Parsing a multipart/form-data body into FormData entries, ported from undici's
// formdata-parser.js (what Node 24's Request/Response.formData() accept and reject).
import { decodeUtf8, File } from './blob-class.js';
import { makeEntry } from './form-data-class.js';
import { utf8 } from './platform.js';

const TypeErrorCtor = TypeError;
const HEADER_NAME = /^[-!#$%&'*+.^_|~A-Za-z0-9]+$/u;

function parsingError(cause) {
  return new TypeErrorCtor('Failed to parse body as FormData.', {
    cause: new TypeErrorCtor(cause),
  });
}

/** The index of `needle` in `haystack` at or after `from`, or -1. */
function indexOf(haystack, needle, from) {
  const first = needle[0];
  const last = haystack.length - needle.length;
  outer: for (
    let i = haystack.indexOf(first, from);
    i !== -1 && i <= last;
    i = haystack.indexOf(first, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function startsWithAt(input, prefix, at) {
  if (input.length - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (input[at + i] !== prefix[i]) return false;
  return true;
}

const isCtl = (c) => c <= 0x1f || c === 0x7f;
const TSPECIALS = new Set([
  0x28, 0x29, 0x3c, 0x3e, 0x40, 0x2c, 0x3b, 0x3a, 0x5c, 0x22, 0x2f, 0x5b, 0x5d, 0x3f, 0x3d,
]);
const isToken = (c) => c <= 0x7f && c !== 0x20 && c !== 0x09 && !isCtl(c) && !TSPECIALS.has(c);
const isTabOrSpace = (c) => c === 0x20 || c === 0x09;

function collect(condition, input, position) {
  let end = position.position;
  while (end < input.length && condition(input[end])) ++end;
  const out = input.subarray(position.position, end);
  position.position = end;
  return out;
}

function trimBytes(bytes, leading, trailing) {
  let lead = 0;
  let trail = bytes.length - 1;
  if (leading) while (lead < bytes.length && isTabOrSpace(bytes[lead])) lead++;
  if (trailing) while (trail > 0 && isTabOrSpace(bytes[trail])) trail--;
  return lead === 0 && trail === bytes.length - 1 ? bytes : bytes.subarray(lead, trail + 1);
}

const latin1 = (bytes) => {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
};

/** Node's lenient base64 (Buffer.from(s, 'base64')): other characters skipped, '=' ends it. */
function base64Decode(bytes) {
  const out = [];
  let acc = 0;
  let bits = 0;
  for (const c of bytes) {
    let v;
    if (c >= 0x41 && c <= 0x5a) v = c - 0x41;
    else if (c >= 0x61 && c <= 0x7a) v = c - 0x61 + 26;
    else if (c >= 0x30 && c <= 0x39) v = c - 0x30 + 52;
    else if (c === 0x2b || c === 0x2d) v = 62;
    else if (c === 0x2f || c === 0x5f) v = 63;
    else if (c === 0x3d) break;
    else continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}

function parseDispositionAttribute(input, position) {
  if (input[position.position] === 0x3b) position.position++;
  collect(isTabOrSpace, input, position);
  const attributeName = collect((c) => isToken(c) && c !== 0x3d && c !== 0x2a, input, position);
  if (attributeName.length === 0) return null;
  const name = latin1(attributeName).toLowerCase();
  const extended = input[position.position] === 0x2a;
  if (extended) position.position++;
  if (input[position.position] !== 0x3d) return null;
  position.position++;
  collect(isTabOrSpace, input, position);
  let value;
  if (extended) {
    const raw = collect(
      (c) => c !== 0x20 && c !== 0x0d && c !== 0x0a && c !== 0x3b,
      input,
      position,
    );
    if (
      (raw[0] !== 0x75 && raw[0] !== 0x55) ||
      (raw[1] !== 0x74 && raw[1] !== 0x54) ||
      (raw[2] !== 0x66 && raw[2] !== 0x46) ||
      raw[3] !== 0x2d ||
      raw[4] !== 0x38
    ) {
      throw parsingError("unknown encoding, expected utf-8''");
    }
    value = decodeURIComponent(decodeUtf8(raw.subarray(7)));
  } else if (input[position.position] === 0x22) {
    position.position++;
    const quoted = collect((c) => c !== 0x0a && c !== 0x0d && c !== 0x22, input, position);
    if (input[position.position] !== 0x22) throw parsingError('Closing quote not found');
    position.position++;
    value = decodeUtf8(quoted).replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%22/g, '"');
  } else {
    value = decodeUtf8(collect((c) => isToken(c) && c !== 0x3b, input, position));
  }
  return { name, value, extended };
}

const expectCrlf = (input, position) => {
  if (input[position.position] !== 0x0d || input[position.position + 1] !== 0x0a) {
    throw parsingError('expected CRLF');
  }
};

function parseHeaders(input, position) {
  let name = null;
  let filename = null;
  let contentType = null;
  let encoding = null;
  while (true) {
    if (input[position.position] === 0x0d && input[position.position + 1] === 0x0a) {
      if (name === null) throw parsingError('header name is null');
      return { name, filename, contentType, encoding };
    }
    let headerName = collect((c) => c !== 0x0a && c !== 0x0d && c !== 0x3a, input, position);
    headerName = trimBytes(headerName, true, true);
    if (!HEADER_NAME.test(utf8.decode(headerName))) {
      throw parsingError('header name does not match the field-name token production');
    }
    if (input[position.position] !== 0x3a) throw parsingError('expected :');
    position.position++;
    collect(isTabOrSpace, input, position);
    const lower = latin1(headerName).toLowerCase();
    if (lower === 'content-disposition') {
      name = filename = null;
      let filenameIsExtended = false;
      const disposition = collect(isToken, input, position);
      if (latin1(disposition).toLowerCase() !== 'form-data') {
        throw parsingError('expected form-data for content-disposition header');
      }
      while (
        position.position < input.length &&
        (input[position.position] !== 0x0d || input[position.position + 1] !== 0x0a)
      ) {
        const attribute = parseDispositionAttribute(input, position);
        if (!attribute) break;
        if (attribute.name === 'name') name = attribute.value;
        else if (attribute.name === 'filename') {
          if (attribute.extended) {
            filename = attribute.value;
            filenameIsExtended = true;
          } else if (!filenameIsExtended) {
            filename = attribute.value;
          }
        }
      }
      if (name === null)
        throw parsingError('name attribute is required in content-disposition header');
    } else if (lower === 'content-type' || lower === 'content-transfer-encoding') {
      const value = latin1(
        trimBytes(
          collect((c) => c !== 0x0a && c !== 0x0d, input, position),
          false,
          true,
        ),
      );
      if (lower === 'content-type') contentType = value;
      else encoding = value;
    } else {
      collect((c) => c !== 0x0a && c !== 0x0d, input, position);
    }
    expectCrlf(input, position);
    position.position += 2;
  }
}

const isAscii = (s) => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
};

/** The entry list of a multipart/form-data body (TypeError when it is malformed). */
export function parseMultipart(input, mimeType) {
  const boundaryString = mimeType.parameters.get('boundary');
  if (boundaryString === undefined) throw parsingError('missing boundary in content-type header');
  const boundary = utf8.encode(`--${boundaryString}`);
  const entries = [];
  const position = { position: 0 };
  const first = indexOf(input, boundary, 0);
  if (first === -1) throw parsingError('no boundary found in multipart body');
  position.position = first;
  while (true) {
    if (startsWithAt(input, boundary, position.position)) position.position += boundary.length;
    else throw parsingError('expected a value starting with -- and the boundary');
    // `--` after a boundary closes the body; what follows (the epilogue) is ignored
    if (input[position.position] === 0x2d && input[position.position + 1] === 0x2d) {
      return entries;
    }
    expectCrlf(input, position);
    position.position += 2;
    const { name, filename, contentType, encoding } = parseHeaders(input, position);
    position.position += 2;
    const boundaryIndex = indexOf(input, boundary.subarray(2), position.position);
    if (boundaryIndex === -1) throw parsingError('expected boundary after body');
    let body = input.subarray(position.position, Math.max(position.position, boundaryIndex - 4));
    position.position += body.length;
    if (encoding === 'base64') body = base64Decode(body);
    expectCrlf(input, position);
    position.position += 2;
    let value;
    if (filename !== null) {
      let type = contentType ?? 'text/plain';
      if (!isAscii(type)) type = '';
      value = new File([body], filename, { type });
    } else {
      value = utf8.decode(body);
    }
    entries.push(makeEntry(name, value, filename ?? undefined));
  }
}
