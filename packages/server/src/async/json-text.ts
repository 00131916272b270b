import { randomUUID } from 'node:crypto';

/**
 * JSON built around stored JSON texts without parsing them again: an event or result is
 * stored as the exact text it arrived as, and re-serialising it would lose number
 * spellings (`12345678901234567890`) and overflow the stack on deep nesting (a 6000-level
 * array parses, but JSON.stringify of it throws RangeError).
 */
export interface Splicer {
  /** A placeholder to put in the value where `text` (valid JSON) goes. */
  raw(text: string): string;
  /** `JSON.stringify(value)` with every placeholder replaced by its text. */
  stringify(value: unknown): string;
}

export function jsonSplicer(): Splicer {
  // A random prefix: no string a user sends can equal a placeholder.
  const prefix = `\u0000raw-json-${randomUUID()}-`;
  const texts: string[] = [];
  return {
    raw(text: string): string {
      texts.push(text);
      return `${prefix}${texts.length - 1}`;
    },
    stringify(value: unknown): string {
      const template = JSON.stringify(value);
      const parts: string[] = [];
      let from = 0;
      // JSON.stringify writes the NUL of the prefix as the six characters \u0000.
      const quoted = JSON.stringify(prefix).slice(0, -1);
      for (;;) {
        const at = template.indexOf(quoted, from);
        if (at < 0) break;
        const end = template.indexOf('"', at + quoted.length);
        const index = Number(template.slice(at + quoted.length, end));
        parts.push(template.slice(from, at), texts[index] ?? 'null');
        from = end + 1;
      }
      parts.push(template.slice(from));
      return parts.join('');
    },
  };
}

/**
 * How deeply `text` (valid JSON) nests arrays and objects, scanning it without building
 * anything; stops counting past `limit`.
 */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, over escapes.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * The exact text of member `key` of the top-level object `text` (valid JSON; the last one
 * when the key repeats, as JSON.parse keeps), or undefined when it has none.
 */
export function memberText(text: string, key: string): string | undefined {
  let depth = 0;
  let found: string | undefined;
  let wantValue = false;
  let valueStart = -1;
  let lastKey: string | undefined;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i++;
        else if (s === 0x22) break;
      }
      if (depth === 1 && expectKey) {
        lastKey = JSON.parse(text.slice(start, i + 1)) as string;
        expectKey = false;
      }
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth === 1) expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      if (depth === 1 && wantValue) {
        found = text.slice(valueStart, i).trim();
        wantValue = false;
      }
      depth--;
    } else if (depth === 1 && c === 0x3a) {
      wantValue = lastKey === key;
      valueStart = i + 1;
    } else if (depth === 1 && c === 0x2c) {
      if (wantValue) found = text.slice(valueStart, i).trim();
      wantValue = false;
      expectKey = true;
    }
  }
  return found;
}
