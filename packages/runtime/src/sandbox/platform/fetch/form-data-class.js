// biome-ignore-all lint/complexity/noArguments: WebIDL checks how many arguments were given, and the functions keep Node's `length`
// FormData as undici (Node 24) has it, and its multipart/form-data serialisation (the body
// `new Response(formData)` gets). Parsing a body into a FormData is in fetch/form-data-parser.js.
import { blobBytes, concatBytes, File, isBlobValue, isFileValue } from './blob-class.js';
import { utf8 } from './platform.js';
import {
  argumentLengthCheck,
  exception,
  illegalInvocation,
  isObject,
  iteratorMixin,
  usvString,
  webidlClass,
} from './webidl.js';

let entriesOf;
let setEntries;

/** Whether `value` is a FormData of ours. */
export let isFormData;
/** A FormData whose entry list is `entries` ({ name, value } with value a string or File). */
export const formDataFrom = (entries) => {
  const fd = new FormData();
  setEntries(fd, entries);
  return fd;
};

/** The HTML "create an entry": Blobs become Files (named "blob" unless a filename is given). */
export function makeEntry(name, value, filename) {
  if (typeof value === 'string') return { name, value };
  let file = value;
  if (!isFileValue(file)) file = new File([file], 'blob', { type: file.type });
  if (filename !== undefined) {
    file = new File([file], filename, { type: file.type, lastModified: file.lastModified });
  }
  return { name, value: file };
}

function convertValue(value, args, prefix) {
  if (args.length === 3 || isBlobValue(value)) {
    if (!isBlobValue(value)) {
      throw exception(prefix, `Expected value ("${String(value)}") to be an instance of Blob.`);
    }
    return { value, filename: args[2] === undefined ? undefined : usvString(args[2]) };
  }
  return { value: usvString(value), filename: undefined };
}

export class FormData {
  #entries = [];

  static {
    entriesOf = (fd) => {
      if (!isObject(fd) || !(#entries in fd)) throw illegalInvocation();
      return fd.#entries;
    };
    setEntries = (fd, entries) => {
      fd.#entries = entries;
    };
    isFormData = (value) => isObject(value) && #entries in value;
  }

  constructor(form = undefined) {
    if (form !== undefined) {
      throw exception('FormData constructor', 'Argument 1 could not be converted to: undefined.');
    }
  }

  append(name, value) {
    entriesOf(this);
    argumentLengthCheck(arguments.length, 2, 'FormData.append');
    const n = usvString(name);
    const converted = convertValue(value, arguments, 'FormData.append');
    this.#entries.push(makeEntry(n, converted.value, converted.filename));
  }

  delete(name) {
    entriesOf(this);
    argumentLengthCheck(arguments.length, 1, 'FormData.delete');
    const n = usvString(name);
    this.#entries = this.#entries.filter((entry) => entry.name !== n);
  }

  get(name) {
    entriesOf(this);
    argumentLengthCheck(arguments.length, 1, 'FormData.get');
    const n = usvString(name);
    const entry = this.#entries.find((e) => e.name === n);
    return entry === undefined ? null : entry.value;
  }

  getAll(name) {
    entriesOf(this);
    argumentLengthCheck(arguments.length, 1, 'FormData.getAll');
    const n = usvString(name);
    return this.#entries.filter((e) => e.name === n).map((e) => e.value);
  }

  has(name) {
    entriesOf(this);
    argumentLengthCheck(arguments.length, 1, 'FormData.has');
    const n = usvString(name);
    return this.#entries.some((e) => e.name === n);
  }

  set(name, value) {
    entriesOf(this);
    argumentLengthCheck(arguments.length, 2, 'FormData.set');
    const n = usvString(name);
    const converted = convertValue(value, arguments, 'FormData.set');
    const entry = makeEntry(n, converted.value, converted.filename);
    const idx = this.#entries.findIndex((e) => e.name === n);
    if (idx === -1) {
      this.#entries.push(entry);
      return;
    }
    this.#entries = [
      ...this.#entries.slice(0, idx),
      entry,
      ...this.#entries.slice(idx + 1).filter((e) => e.name !== n),
    ];
  }
}

iteratorMixin('FormData', FormData, (fd) => entriesOf(fd), 'name', 'value');
webidlClass(FormData, 'FormData', ['append', 'delete', 'get', 'getAll', 'has', 'set']);

const escapeQuoted = (s) => s.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');
const normaliseLinefeeds = (s) => s.replace(/\r?\n|\r/g, '\r\n');
const CRLF = new Uint8Array([13, 10]);

/**
 * The multipart/form-data body of a FormData as undici writes it: the same boundary form
 * (`----formdata-undici-0` and 11 random digits), part headers and trailing CRLF.
 */
export function serializeFormData(fd) {
  const boundary = `----formdata-undici-0${`${Math.floor(Math.random() * 1e11)}`.padStart(11, '0')}`;
  const prefix = `--${boundary}\r\nContent-Disposition: form-data`;
  const parts = [];
  let total = 0;
  const add = (bytes) => {
    parts.push(bytes);
    total += bytes.length;
  };
  for (const { name, value } of entriesOf(fd)) {
    const escapedName = escapeQuoted(normaliseLinefeeds(name));
    if (typeof value === 'string') {
      add(utf8.encode(`${prefix}; name="${escapedName}"\r\n\r\n${normaliseLinefeeds(value)}\r\n`));
      continue;
    }
    const filename = value.name ? `; filename="${escapeQuoted(value.name)}"` : '';
    const type = value.type || 'application/octet-stream';
    add(
      utf8.encode(`${prefix}; name="${escapedName}"${filename}\r\nContent-Type: ${type}\r\n\r\n`),
    );
    add(blobBytes(value));
    add(CRLF);
  }
  add(utf8.encode(`--${boundary}--\r\n`));
  return { bytes: concatBytes(parts, total), type: `multipart/form-data; boundary=${boundary}` };
}
