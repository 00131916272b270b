// Node's error shapes (class, `code`, message) for the errors libraries and functions
// check: ERR_INVALID_ARG_TYPE and a few others. Bundled into each chunk that uses them.

/** A short description of a value, as Node's error messages and inspect print it. */
export function inspectBrief(value) {
  if (typeof value === 'string') {
    const shown = value.length > 28 ? `${value.slice(0, 25)}...` : value;
    return `'${shown.replaceAll("'", "\\'")}'`;
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[ ${value.map(inspectBrief).join(', ')} ]`;
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  return `{ ${keys.map((k) => `${k}: ${inspectBrief(value[k])}`).join(', ')} }`;
}

function received(value) {
  if (value == null) return ` Received ${value}`;
  if (typeof value === 'function') return ` Received function ${value.name}`;
  if (typeof value === 'object') {
    const name = value.constructor?.name;
    return name ? ` Received an instance of ${name}` : ` Received ${inspectBrief(value)}`;
  }
  let shown = inspectBrief(value);
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof value} (${shown})`;
}

const withCode = (error, code) => {
  error.code = code;
  return error;
};

const TYPES = new Set(['string', 'function', 'number', 'object', 'boolean', 'bigint', 'symbol']);

function listOf(items) {
  if (items.length < 2) return items.join('');
  if (items.length === 2) return `${items[0]} or ${items[1]}`;
  return `${items.slice(0, -1).join(', ')}, or ${items.at(-1)}`;
}

/** `The "name" argument must be of type string. Received type number (1)`. */
export function ERR_INVALID_ARG_TYPE(name, expected, actual) {
  const list = (Array.isArray(expected) ? expected : [expected]).map((e) =>
    TYPES.has(e.toLowerCase()) ? e.toLowerCase() : e,
  );
  const types = list.filter((e) => TYPES.has(e));
  const instances = list.filter((e) => !TYPES.has(e));
  let what = name.endsWith(' argument')
    ? name
    : `"${name}" ${name.includes('.') ? 'property' : 'argument'}`;
  what = `The ${what} must be `;
  const parts = [];
  if (types.length > 0)
    parts.push(`${types.length > 1 ? 'one of type' : 'of type'} ${listOf(types)}`);
  if (instances.length > 0) parts.push(`an instance of ${listOf(instances)}`);
  return withCode(
    new TypeError(`${what}${parts.join(' or ')}.${received(actual)}`),
    'ERR_INVALID_ARG_TYPE',
  );
}

export function ERR_INVALID_ARG_VALUE(name, value, reason = 'is invalid') {
  const kind = name.includes('.') ? 'property' : 'argument';
  return withCode(
    new TypeError(`The ${kind} '${name}' ${reason}. Received ${inspectBrief(value)}`),
    'ERR_INVALID_ARG_VALUE',
  );
}

export function ERR_OUT_OF_RANGE(name, range, value) {
  return withCode(
    new RangeError(
      `The value of "${name}" is out of range. It must be ${range}. Received ${inspectBrief(value)}`,
    ),
    'ERR_OUT_OF_RANGE',
  );
}

/** A read or write wider than the whole buffer (Node's boundsError when nothing fits). */
export function ERR_BUFFER_OUT_OF_BOUNDS() {
  return withCode(
    new RangeError('Attempt to access memory outside buffer bounds'),
    'ERR_BUFFER_OUT_OF_BOUNDS',
  );
}

export function ERR_UNHANDLED_ERROR(stringified) {
  return withCode(
    new Error(stringified === undefined ? 'Unhandled error.' : `Unhandled error. (${stringified})`),
    'ERR_UNHANDLED_ERROR',
  );
}

export function ERR_INVALID_THIS(type) {
  return withCode(new TypeError(`Value of "this" must be of type ${type}`), 'ERR_INVALID_THIS');
}

export function ERR_METHOD_NOT_IMPLEMENTED(method) {
  return withCode(
    new Error(`The ${method} method is not implemented`),
    'ERR_METHOD_NOT_IMPLEMENTED',
  );
}

/** Node's AbortError: what an aborted operation rejects with. */
export class AbortError extends Error {
  constructor(message = 'The operation was aborted', options = undefined) {
    super(message, options);
    this.code = 'ABORT_ERR';
    this.name = 'AbortError';
  }
}
