// MIME types as the WHATWG MIME Sniffing standard parses them, ported from undici's
// data-url.js and fetch/util.js (extract a MIME type from a header list).
const TOKEN = /^[-!#$%&'*+.^_|~A-Za-z0-9]+$/u;

const isHttpWhitespace = (c) => c === 0x0d || c === 0x0a || c === 0x09 || c === 0x20;
const isTabOrSpace = (c) => c === 0x09 || c === 0x20;
const isWhitespaceChar = (ch) => isHttpWhitespace(ch.charCodeAt(0));

/** HTAB, SP to ~, and U+0080 to U+00FF: what a parameter value may hold. */
function isQuotedStringTokens(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff))) return false;
  }
  return s.length > 0;
}

function trim(str, leading, trailing, predicate) {
  let lead = 0;
  let trail = str.length - 1;
  if (leading) while (lead < str.length && predicate(str.charCodeAt(lead))) lead++;
  if (trailing) while (trail > 0 && predicate(str.charCodeAt(trail))) trail--;
  return lead === 0 && trail === str.length - 1 ? str : str.slice(lead, trail + 1);
}

/** Collects code points while `condition` holds, from `position.position`. */
function collect(condition, input, position) {
  const start = position.position;
  while (position.position < input.length && condition(input[position.position])) {
    position.position++;
  }
  return input.slice(start, position.position);
}

function collectUntil(char, input, position) {
  const idx = input.indexOf(char, position.position);
  const start = position.position;
  if (idx === -1) {
    position.position = input.length;
    return input.slice(start);
  }
  position.position = idx;
  return input.slice(start, idx);
}

/** An HTTP quoted string at `position` (which points at `"`). */
export function collectQuotedString(input, position, extractValue = false) {
  const start = position.position;
  let value = '';
  position.position++;
  while (true) {
    value += collect((c) => c !== '"' && c !== '\\', input, position);
    if (position.position >= input.length) break;
    const quoteOrBackslash = input[position.position];
    position.position++;
    if (quoteOrBackslash === '\\') {
      if (position.position >= input.length) {
        value += '\\';
        break;
      }
      value += input[position.position];
      position.position++;
    } else {
      break;
    }
  }
  return extractValue ? value : input.slice(start, position.position);
}

/** A parsed MIME type `{ type, subtype, essence, parameters }`, or 'failure'. */
export function parseMimeType(source) {
  const input = trim(source, true, true, isHttpWhitespace);
  const position = { position: 0 };
  const type = collectUntil('/', input, position);
  if (type.length === 0 || !TOKEN.test(type)) return 'failure';
  if (position.position >= input.length) return 'failure';
  position.position++;
  let subtype = collectUntil(';', input, position);
  subtype = trim(subtype, false, true, isHttpWhitespace);
  if (subtype.length === 0 || !TOKEN.test(subtype)) return 'failure';
  const typeLower = type.toLowerCase();
  const subtypeLower = subtype.toLowerCase();
  const mimeType = {
    type: typeLower,
    subtype: subtypeLower,
    parameters: new Map(),
    essence: `${typeLower}/${subtypeLower}`,
  };
  while (position.position < input.length) {
    position.position++;
    collect(isWhitespaceChar, input, position);
    let name = collect((c) => c !== ';' && c !== '=', input, position);
    name = name.toLowerCase();
    if (position.position < input.length) {
      if (input[position.position] === ';') continue;
      position.position++;
    }
    if (position.position >= input.length) break;
    let value = null;
    if (input[position.position] === '"') {
      value = collectQuotedString(input, position, true);
      collectUntil(';', input, position);
    } else {
      value = collectUntil(';', input, position);
      value = trim(value, false, true, isHttpWhitespace);
      if (value.length === 0) continue;
    }
    if (
      name.length !== 0 &&
      TOKEN.test(name) &&
      (value.length === 0 || isQuotedStringTokens(value)) &&
      !mimeType.parameters.has(name)
    ) {
      mimeType.parameters.set(name, value);
    }
  }
  return mimeType;
}

export function serializeMimeType(mimeType) {
  let out = mimeType.essence;
  for (let [name, value] of mimeType.parameters) {
    if (!TOKEN.test(value)) value = `"${value.replace(/[\\"]/gu, '\\$&')}"`;
    out += `;${name}=${value}`;
  }
  return out;
}

/** The values of a header, split on commas outside quoted strings. */
function getDecodeSplit(value) {
  const position = { position: 0 };
  const values = [];
  let temporary = '';
  while (position.position < value.length) {
    temporary += collect((c) => c !== '"' && c !== ',', value, position);
    if (position.position < value.length) {
      if (value.charCodeAt(position.position) === 0x22) {
        temporary += collectQuotedString(value, position);
        if (position.position < value.length) continue;
      } else {
        position.position++;
      }
    }
    values.push(trim(temporary, true, true, isTabOrSpace));
    temporary = '';
  }
  return values;
}

/** Fetch's "extract a MIME type" from a header list: a MIME type or 'failure'. */
export function extractMimeType(list) {
  const header = list.get('content-type');
  if (header === null) return 'failure';
  let charset = null;
  let essence = null;
  let mimeType = null;
  for (const value of getDecodeSplit(header)) {
    const temporary = parseMimeType(value);
    if (temporary === 'failure' || temporary.essence === '*/*') continue;
    mimeType = temporary;
    if (mimeType.essence !== essence) {
      charset = mimeType.parameters.has('charset') ? mimeType.parameters.get('charset') : null;
      essence = mimeType.essence;
    } else if (!mimeType.parameters.has('charset') && charset !== null) {
      mimeType.parameters.set('charset', charset);
    }
  }
  return mimeType ?? 'failure';
}
