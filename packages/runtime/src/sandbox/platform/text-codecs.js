// The codecs of the Encoding standard that TextEncoder and TextDecoder need, as plain
// functions over bytes: UTF-8 both ways, UTF-16LE/BE and windows-1252 (which the standard
// also calls latin1, iso-8859-1 and ascii) to text. Decoders keep their state in a small
// object so a stream can be decoded in pieces; errors become U+FFFD, or a throw when fatal.
import { codedError } from './idl.js';

const fromCharCode = String.fromCharCode;
const apply = Reflect.apply;
const Uint8ArrayCtor = Uint8Array;
const Uint16ArrayCtor = Uint16Array;
const TypeErrorCtor = TypeError;
// fromCharCode.apply over 1 KB slices measured fastest in an isolate (8 KB: +35%).
const CHUNK = 0x400;
const min = Math.min;

/** The string of UTF-16 code units (or Latin-1 bytes) `units[0..length)`. */
export function unitsToString(units, length) {
  if (length <= CHUNK) return apply(fromCharCode, undefined, units.subarray(0, length));
  let s = '';
  for (let i = 0; i < length; i += CHUNK) {
    s += apply(fromCharCode, undefined, units.subarray(i, min(i + CHUNK, length)));
  }
  return s;
}

export const invalidData = (encoding) =>
  codedError(
    TypeErrorCtor,
    'ERR_ENCODING_INVALID_ENCODED_DATA',
    `The encoded data was not valid for encoding ${encoding}`,
  );

// ---- UTF-8 encoder -------------------------------------------------------------------

/** UTF-8 bytes of `s` from index `from`, written at `out[o]`; returns the end offset. */
function encodeFrom(s, from, out, o) {
  const n = s.length;
  for (let i = from; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
    } else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = c <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          out[o++] = 0xf0 | (c >> 18);
          out[o++] = 0x80 | ((c >> 12) & 63);
          out[o++] = 0x80 | ((c >> 6) & 63);
          out[o++] = 0x80 | (c & 63);
          continue;
        }
        c = 0xfffd; // a lone surrogate
      }
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    }
  }
  return o;
}

/** The UTF-8 bytes of a string, lone surrogates as U+FFFD; the buffer is exactly as long. */
export function utf8Encode(s) {
  const n = s.length;
  const ascii = new Uint8ArrayCtor(n);
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    ascii[i] = c;
  }
  if (i === n) return ascii;
  // Count first, so the result's buffer has no slack (callers pass `.buffer` on).
  let size = i;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff && j + 1 < n) {
      const d = s.charCodeAt(j + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        size += 4;
        j++;
      } else size += 3;
    } else size += 3;
  }
  const out = new Uint8ArrayCtor(size);
  out.set(ascii.subarray(0, i));
  encodeFrom(s, i, out, i);
  return out;
}

/** TextEncoder.encodeInto: whole characters only; counts UTF-16 units read, bytes written. */
export function utf8EncodeInto(s, dest) {
  const n = s.length;
  const room = dest.length;
  let o = 0;
  let i = 0;
  for (; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      if (o >= room) break;
      dest[o++] = c;
    } else if (c < 0x800) {
      if (o + 2 > room) break;
      dest[o++] = 0xc0 | (c >> 6);
      dest[o++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = c <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (d >= 0xdc00 && d <= 0xdfff) {
          if (o + 4 > room) break;
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          dest[o++] = 0xf0 | (c >> 18);
          dest[o++] = 0x80 | ((c >> 12) & 63);
          dest[o++] = 0x80 | ((c >> 6) & 63);
          dest[o++] = 0x80 | (c & 63);
          continue;
        }
        c = 0xfffd;
      }
      if (o + 3 > room) break;
      dest[o++] = 0xe0 | (c >> 12);
      dest[o++] = 0x80 | ((c >> 6) & 63);
      dest[o++] = 0x80 | (c & 63);
    }
  }
  return { read: i, written: o };
}

// ---- Decoders ------------------------------------------------------------------------

/** A fresh decoder state (each encoding uses the fields it needs). */
export const newState = () => ({
  needed: 0,
  seen: 0,
  cp: 0,
  lower: 0x80,
  upper: 0xbf,
  lead: -1,
  surrogate: 0,
});

/** A fatal decoder's error; the decoder starts afresh after it. */
function failed(state, encoding) {
  const fresh = newState();
  state.needed = fresh.needed;
  state.seen = fresh.seen;
  state.cp = fresh.cp;
  state.lower = fresh.lower;
  state.upper = fresh.upper;
  state.lead = fresh.lead;
  state.surrogate = fresh.surrogate;
  return invalidData(encoding);
}

/**
 * The standard's UTF-8 decoder over `bytes`, continuing from `state`: an invalid sequence
 * becomes one U+FFFD per maximal subpart. With `flush`, an unfinished sequence at the end
 * is an error too; without, it waits in `state` for the next bytes.
 */
export function decodeUtf8(bytes, state, fatal, flush) {
  const n = bytes.length;
  let i = 0;
  if (state.needed === 0) {
    while (i < n && bytes[i] < 0x80) i++;
    if (i === n) return unitsToString(bytes, n); // ASCII only: the common case
  }
  const out = new Uint16ArrayCtor(n + 4);
  for (let k = 0; k < i; k++) out[k] = bytes[k];
  let o = i;
  let { needed, seen, cp, lower, upper } = state;
  while (i < n) {
    const b = bytes[i];
    if (needed === 0) {
      i++;
      if (b < 0x80) out[o++] = b;
      else if (b >= 0xc2 && b <= 0xdf) {
        needed = 1;
        cp = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        else if (b === 0xed) upper = 0x9f;
        needed = 2;
        cp = b & 0xf;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        else if (b === 0xf4) upper = 0x8f;
        needed = 3;
        cp = b & 0x7;
      } else {
        if (fatal) throw failed(state, 'utf-8');
        out[o++] = 0xfffd;
      }
      continue;
    }
    if (b < lower || b > upper) {
      // Not a continuation: the sequence so far is one error, and `b` starts afresh.
      needed = seen = cp = 0;
      lower = 0x80;
      upper = 0xbf;
      if (fatal) throw failed(state, 'utf-8');
      out[o++] = 0xfffd;
      continue;
    }
    i++;
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    if (++seen === needed) {
      if (cp > 0xffff) {
        cp -= 0x10000;
        out[o++] = 0xd800 + (cp >> 10);
        out[o++] = 0xdc00 + (cp & 0x3ff);
      } else out[o++] = cp;
      needed = seen = cp = 0;
    }
  }
  if (flush && needed !== 0) {
    needed = seen = cp = 0;
    lower = 0x80;
    upper = 0xbf;
    if (fatal) throw failed(state, 'utf-8');
    out[o++] = 0xfffd;
  }
  state.needed = needed;
  state.seen = seen;
  state.cp = cp;
  state.lower = lower;
  state.upper = upper;
  return unitsToString(out, o);
}

/** The standard's UTF-16 decoder (little- or big-endian), continuing from `state`. */
export function decodeUtf16(bytes, state, fatal, flush, bigEndian) {
  const n = bytes.length;
  const out = new Uint16ArrayCtor((n >> 1) + 4);
  let o = 0;
  let { lead, surrogate } = state;
  const name = bigEndian ? 'utf-16be' : 'utf-16le';
  for (let i = 0; i < n; i++) {
    if (lead < 0) {
      lead = bytes[i];
      continue;
    }
    const unit = bigEndian ? (lead << 8) | bytes[i] : lead | (bytes[i] << 8);
    lead = -1;
    if (surrogate !== 0) {
      const high = surrogate;
      surrogate = 0;
      if (unit >= 0xdc00 && unit <= 0xdfff) {
        out[o++] = high;
        out[o++] = unit;
        continue;
      }
      // The high surrogate was alone; this unit is decoded on its own below.
      if (fatal) throw failed(state, name);
      out[o++] = 0xfffd;
    }
    if (unit >= 0xd800 && unit <= 0xdbff) surrogate = unit;
    else if (unit >= 0xdc00 && unit <= 0xdfff) {
      if (fatal) throw failed(state, name);
      out[o++] = 0xfffd;
    } else out[o++] = unit;
  }
  if (flush && (lead >= 0 || surrogate !== 0)) {
    lead = -1;
    surrogate = 0;
    if (fatal) throw failed(state, name);
    out[o++] = 0xfffd;
  }
  state.lead = lead;
  state.surrogate = surrogate;
  return unitsToString(out, o);
}

// windows-1252 at 0x80-0x9F; every other byte is the code point of the same value.
const WINDOWS_1252 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152,
  0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
  0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** windows-1252 to text: a single-byte encoding, so no state and never an error. */
export function decodeWindows1252(bytes) {
  const n = bytes.length;
  let i = 0;
  while (i < n && (bytes[i] < 0x80 || bytes[i] > 0x9f)) i++;
  if (i === n) return unitsToString(bytes, n);
  const out = new Uint16ArrayCtor(n);
  for (let k = 0; k < n; k++) {
    const b = bytes[k];
    out[k] = b >= 0x80 && b <= 0x9f ? WINDOWS_1252[b - 0x80] : b;
  }
  return unitsToString(out, n);
}
