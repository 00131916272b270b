// The corpus: one entry per file in compat/cases, with its event and what its result must show.
// The sandbox's result is compared with Node's (reference-runner.ts) for the same event; the
// checks here make sure Node's result itself says something (a case that observes nothing fails).
import { createHash, createHmac } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import { expect } from 'vitest';

/** What every run makes once and the events are built from. */
export interface Fixtures {
  /** The loopback stand-in, e.g. `http://127.0.0.1:40123`. */
  baseUrl: string;
  rsaPrivatePem: string;
  rsaPublicPem: string;
  /** P-256, for ES256. */
  ecPrivatePem: string;
  ecPublicPem: string;
}

/** A JSON value as observed by a case (a result went through JSON on both sides). */
// biome-ignore lint/suspicious/noExplicitAny: the cases return arbitrary JSON; checks index it freely.
export type Observed = any;

export interface CorpusCase {
  /** The function's name; also the file stem. */
  name: string;
  /** compat/cases/<file> */
  file: string;
  /** The package shown in the table (its version is read from compat/node_modules). */
  pkg: string;
  /** What the case checks, for the table. */
  checks: string;
  event: (f: Fixtures) => unknown;
  /** Facts Node's result must show (run on the reference; equality carries them to the sandbox). */
  check: (r: Observed) => void;
}

const IAT = 1_700_000_000;
const PAKO_TEXT = 'mini-lambda runs npm packages. ';
const AT = '2024-03-15T13:45:30.000Z';

const lambdaUrlEvent = (method: string, path: string, query: string, body?: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: query,
  cookies: [],
  headers: { 'content-type': 'application/json', host: 'fn.example', 'user-agent': 'compat/1' },
  queryStringParameters: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
  requestContext: {
    accountId: 'anonymous',
    apiId: 'compat',
    domainName: 'fn.example',
    domainPrefix: 'fn',
    http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'compat/1' },
    requestId: 'req-1',
    routeKey: '$default',
    stage: '$default',
    time: '15/Mar/2024:13:45:30 +0000',
    timeEpoch: Date.parse(AT),
  },
  body,
  isBase64Encoded: false,
});

const HTML = `<!doctype html><html><head><title>Compat &amp; friends</title></head><body>
<h1>Title</h1><div id="main"><p class="lead">Lead <em>text</em></p><p>other</p></div>
<ul class="items"><li><a href="/a">Alpha</a></li><li><a href="/b">Beta</a></li><li>Gamma</li></ul>
</body></html>`;

export const CASES: CorpusCase[] = [
  {
    name: 'jose',
    file: 'jose.mjs',
    pkg: 'jose',
    checks:
      'HS256/RS256 JWT sign+verify (tokens equal Node), tampered token refused, ES256 keygen+verify, JWE dir/A256GCM',
    event: (f) => ({ secret: 'a-very-secret-secret-of-32-bytes!', iat: IAT, ...pems(f) }),
    check: (r) => {
      expect(r.hsPayload).toMatchObject({ sub: 'user-42', iss: 'urn:compat' });
      expect(r.rs.split('.')).toHaveLength(3);
      expect(r.tampered).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
      expect(r.jwePayload.role).toBe('admin');
    },
  },
  {
    name: 'jsonwebtoken',
    file: 'jsonwebtoken.cjs',
    pkg: 'jsonwebtoken',
    checks:
      'sign HS256/RS256 (tokens equal Node), verify, expiry/wrong key/wrong alg errors, callback verify, decode complete',
    event: (f) => ({ secret: 'shhh-its-a-secret', iat: IAT, ...pems(f) }),
    check: (r) => {
      expect(r.rsVerified.sub).toBe('user-42');
      expect(r.failures.wrongSecret).toBe('JsonWebTokenError: invalid signature');
      expect(r.failures.expired).toBe('TokenExpiredError: jwt expired');
      expect(r.decoded.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
      expect([r.esVerified.sub, r.psVerified.sub, r.esSignatureBytes]).toEqual([
        'user-42',
        'user-42',
        64,
      ]);
    },
  },
  {
    name: 'bcryptjs',
    file: 'bcryptjs.cjs',
    pkg: 'bcryptjs',
    checks:
      'hash with a fixed salt (equals Node), random-salt hash (cost 4) and compare true/false',
    event: () => ({
      password: 'correct horse battery staple',
      salt: '$2b$04$abcdefghijklmnopqrstuu',
    }),
    check: (r) => {
      expect(r.fixed).toMatch(/^\$2b\$04\$abcdefghijklmnopqrstu/);
      expect([r.matches, r.rejects, r.syncMatches, r.rounds]).toEqual([true, false, true, 4]);
    },
  },
  {
    name: 'uuid',
    file: 'uuid.mjs',
    pkg: 'uuid',
    checks: 'v1/v3/v5/v6/v7 from fixed inputs (equal Node), v4 valid and distinct, parse/stringify',
    event: () => ({ msecs: Date.parse(AT) }),
    check: (r) => {
      // RFC 9562 name-based ids, computed here with node:crypto.
      expect(r.v5).toBe(nameBased('sha1', 5, URL_NAMESPACE, 'https://example.com/a'));
      expect(r.v3).toBe(nameBased('md5', 3, DNS_NAMESPACE, 'compat.example'));
      expect([r.v4Valid, r.v4Distinct, r.invalid]).toEqual([true, 20, false]);
    },
  },
  {
    name: 'nanoid',
    file: 'nanoid.mjs',
    pkg: 'nanoid',
    checks: 'default/sized/custom-alphabet/non-secure ids: length, alphabet, no collisions in 200',
    event: () => ({ size: 12 }),
    check: (r) =>
      expect(r).toEqual({
        lengths: [21],
        urlSafe: true,
        distinct: 200,
        sized: 12,
        hex: true,
        insecure: true,
      }),
  },
  {
    name: 'zod',
    file: 'zod.mjs',
    pkg: 'zod',
    checks:
      'object schema with coercion/transform/refine, issues of bad input, discriminated union, toJSONSchema',
    event: () => ({
      good: { id: '7', email: 'ada@example.com', name: ' ada ', password: 'pw1' },
      bad: { id: -1, email: 'nope', name: 'x', tags: ['d'], born: '2024-02-30', password: 'pw' },
    }),
    check: (r) => {
      expect(r.good).toEqual({
        id: 7,
        email: 'ada@example.com',
        name: 'ADA',
        tags: [],
        password: 'pw1',
      });
      expect(r.badIssues.length).toBeGreaterThanOrEqual(5);
      expect(r.jsonSchema.type).toBe('object');
    },
  },
  {
    name: 'ajv',
    file: 'ajv.cjs',
    pkg: 'ajv',
    checks: 'compile a JSON Schema (generated code), validate good/bad data, defaults, error list',
    event: () => ({
      schema: {
        type: 'object',
        required: ['name', 'age'],
        properties: {
          name: { type: 'string', minLength: 2 },
          age: { type: 'integer', minimum: 0 },
          role: { enum: ['admin', 'user'], default: 'user' },
          tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        },
        additionalProperties: false,
      },
      samples: [
        { name: 'Ada', age: 36 },
        { name: 'A', age: -1, tags: ['x', 'x'], extra: true },
      ],
    }),
    check: (r) => {
      expect(r.results[0]).toMatchObject({ valid: true, data: { role: 'user' } });
      expect(r.results[1].valid).toBe(false);
      expect(r.results[1].errors.length).toBeGreaterThanOrEqual(4);
    },
  },
  {
    name: 'date-fns',
    file: 'date-fns.mjs',
    pkg: 'date-fns',
    checks:
      'format, addMonths/addBusinessDays, differences, parse, intervals of a fixed instant (UTC)',
    event: () => ({ at: AT }),
    check: (r) => {
      expect(r.formatted).toBe('Friday, 15th March 2024 at 13:45:30');
      expect(r.tz).toBe('UTC');
      expect(r.invalid).toBe(false);
    },
  },
  {
    name: 'dayjs',
    file: 'dayjs.cjs',
    pkg: 'dayjs',
    checks:
      'utc/relativeTime/customParseFormat plugins and the de locale via require, format, diff, strict parse',
    event: () => ({ at: AT }),
    check: (r) => {
      expect(r.formatted).toBe('Friday, March 15, 2024 1:45 PM');
      expect(r.german).toBe('Freitag, 15. März 2024');
      expect(r.strictInvalid).toBe(false);
    },
  },
  {
    name: 'lodash',
    file: 'lodash.cjs',
    pkg: 'lodash',
    checks:
      'groupBy/orderBy/chunk/merge/cloneDeep/pick, _.template (generated code), _.debounce with timers',
    event: () => ({
      orders: [
        { id: 1, customer: 'ada', total: 30 },
        { id: 2, customer: 'bob', total: 12 },
        { id: 3, customer: 'ada', total: 30 },
        { id: 4, customer: 'cy', total: 99 },
      ],
    }),
    check: (r) => {
      expect(r.byCustomer).toEqual({ ada: 60, bob: 12, cy: 99 });
      expect(r.debounced).toEqual([3]);
      expect(r.template).toBe('Hello Ada! <li>&lt;a&gt;</li><li>b</li>');
    },
  },
  {
    name: 'axios',
    file: 'axios.cjs',
    pkg: 'axios',
    checks: 'GET with params, POST JSON, interceptor, 404 as AxiosError, against a loopback server',
    event: (f) => ({ baseUrl: f.baseUrl }),
    check: (r) => {
      expect(r.got.data).toMatchObject({
        query: { q: 'a b', n: '2' },
        headers: { 'x-test': 'axios', 'x-intercepted': 'yes' },
      });
      expect(r.posted).toMatchObject({ method: 'POST', body: { hello: 'world', list: [1, 2] } });
      expect(r.failed).toMatchObject({ isAxiosError: true, status: 404 });
    },
  },
  {
    name: 'ky',
    file: 'ky.mjs',
    pkg: 'ky',
    checks:
      'GET with searchParams, POST json, beforeRequest hook, HTTPError on 404, against a loopback server',
    event: (f) => ({ baseUrl: f.baseUrl }),
    check: (r) => {
      expect(r.got).toMatchObject({
        query: { q: 'a b', n: '2' },
        headers: { 'x-test': 'ky', 'x-intercepted': 'yes' },
      });
      expect(r.posted.body).toEqual({ hello: 'world' });
      expect(r.failed).toMatchObject({ isHTTPError: true, status: 404 });
    },
  },
  {
    name: 'node-fetch',
    file: 'node-fetch.cjs',
    pkg: 'node-fetch',
    checks:
      'require("node-fetch") as a function with Headers/Response, GET/POST/404 against a loopback server',
    event: (f) => ({ baseUrl: f.baseUrl }),
    check: (r) => {
      expect(r.got).toMatchObject({
        ok: true,
        status: 200,
        json: { headers: { 'x-test': 'node-fetch' } },
      });
      expect(r.posted.body).toEqual({ hello: 'world' });
      expect(r.missing.status).toBe(404);
      expect(r.isFunction).toBe(true);
    },
  },
  {
    name: 'cheerio',
    file: 'cheerio.mjs',
    pkg: 'cheerio',
    checks: 'load HTML, CSS selection, text/attr, extract, changes serialised back',
    event: () => ({ html: HTML }),
    check: (r) => {
      expect(r.title).toBe('Compat & friends');
      expect(r.items).toEqual([
        { text: 'Alpha', href: '/a' },
        { text: 'Beta', href: '/b' },
        { text: 'Gamma', href: null },
      ]);
      expect(r.html).toContain('<li class="last" data-n="3">Gamma</li>');
    },
  },
  {
    name: 'marked',
    file: 'marked.mjs',
    pkg: 'marked',
    checks: 'markdown with a GFM table, code, lists to HTML; lexer tokens; custom renderer',
    event: () => ({
      markdown:
        '# Hi\n\nSome *text* with `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- x\n- y\n\n```js\nlet a = 1;\n```\n',
    }),
    check: (r) => {
      expect(r.html).toContain('<table>');
      expect(r.tokens).toContain('code');
      expect(r.custom).toBe('<h1 class="x">Title <em>here</em></h1>\n');
    },
  },
  {
    name: 'handlebars',
    file: 'handlebars.cjs',
    pkg: 'handlebars',
    checks: 'compile with helpers, partials, #each/#if, escaping; parse error message',
    event: () => ({
      template:
        '<h1>{{title}}</h1><ul>{{#each items}}{{> line}}{{/each}}</ul>{{#unless items}}empty{{/unless}}',
      context: {
        title: 'Menu & more',
        items: [
          { name: 'tea', price: 2.5, sale: true },
          { name: 'cake', price: 4 },
        ],
      },
    }),
    check: (r) => {
      expect(r.rendered).toBe(
        '<h1>Menu &amp; more</h1><ul><li>TEA: $2.50 (sale)</li><li>CAKE: $4.00</li></ul>',
      );
      expect(r.escaped).toBe('&lt;i&gt;&amp;&lt;/i&gt; <i>&</i>');
      expect(r.parseError).toMatch(/^Parse error on line 1/);
    },
  },
  {
    name: 'qs',
    file: 'qs.cjs',
    pkg: 'qs',
    checks: 'nested parse (brackets, dots, depth limit), stringify array formats and encoding',
    event: () => ({
      query: 'user[name]=Ada&user[langs][]=js&user[langs][]=c&page=2&filter[a][b]=%C3%BC',
      object: { a: { b: [1, { c: 'd' }] }, e: 'f g' },
    }),
    check: (r) => {
      expect(r.parsed).toEqual({
        user: { name: 'Ada', langs: ['js', 'c'] },
        page: '2',
        filter: { a: { b: 'ü' } },
      });
      expect(r.comma).toBe('a=x,y');
    },
  },
  {
    name: 'fast-xml-parser',
    file: 'fast-xml-parser.mjs',
    pkg: 'fast-xml-parser',
    checks: 'validate good/bad XML, parse with attributes and typed values, build XML back',
    event: () => ({
      xml: '<?xml version="1.0"?><catalog><book id="b1" lang="en"><title>Dune</title><price>9.99</price></book><book id="b2"><title>Emma</title><price>5</price></book></catalog>',
    }),
    check: (r) => {
      expect(r.valid).toBe(true);
      expect(r.invalid.err.code).toBe('InvalidTag');
      expect(r.parsed.catalog.book[0]).toMatchObject({ title: 'Dune', price: 9.99, '@_id': 'b1' });
    },
  },
  {
    name: 'papaparse',
    file: 'papaparse.cjs',
    pkg: 'papaparse',
    checks: 'CSV with header/dynamic typing/quoted fields, delimiter guess, errors, unparse',
    event: () => ({ csv: 'name,age,city\nAda,36,"London, UK"\n"Bob ""B""",,Paris\n\n' }),
    check: (r) => {
      expect(r.data).toEqual([
        { name: 'Ada', age: 36, city: 'London, UK' },
        { name: 'Bob "B"', age: null, city: 'Paris' },
      ]);
      expect(r.delimiter).toBe(';');
      expect(r.errors.length).toBeGreaterThan(0);
    },
  },
  {
    name: 'js-yaml',
    file: 'js-yaml.mjs',
    pkg: 'js-yaml',
    checks: 'load with anchors/merge keys/timestamps, loadAll, dump, YAMLException for bad input',
    event: () => ({
      yaml: 'base: &base\n  a: 1\n  b: two\nderived:\n  <<: *base\n  b: 3\nwhen: 2024-03-15T13:45:30Z\nlist: [1, 2.5, true, null, ~]\n',
    }),
    check: (r) => {
      // js-yaml 5 loads YAML 1.2's core schema: no merge keys, timestamps stay strings.
      expect(r.doc.derived).toEqual({ '<<': { a: 1, b: 'two' }, b: 3 });
      expect(r.doc.when).toBe('2024-03-15T13:45:30Z');
      expect(r.error.name).toBe('YAMLException');
    },
  },
  {
    name: 'openai',
    file: 'openai.mjs',
    pkg: 'openai',
    checks:
      'chat completion, streamed completion (SSE), APIError on 404, against a loopback stand-in',
    event: (f) => ({ baseUrl: f.baseUrl, apiKey: 'sk-stand-in' }),
    check: (r) => {
      expect(r.content).toBe('Hello! You said: Say hello');
      expect(r.pieces.join('')).toBe('one two three');
      expect(r.apiError).toMatchObject({ isApiError: true, status: 404 });
    },
  },
  {
    name: 'pino',
    file: 'pino.cjs',
    pkg: 'pino',
    checks:
      'log lines with levels, child bindings, serializers, printf-style messages, level filtering',
    event: () => ({ service: 'compat' }),
    check: (r) => {
      expect(r.lines).toEqual([
        { level: 30, msg: 'started' },
        { level: 20, msg: 'user ada logged in', requestId: 'r-1', user: { id: 7 } },
        { level: 50, msg: 'failed', code: 42 },
      ]);
      expect(r.enabled).toEqual([true, false]);
    },
  },
  {
    name: 'hono-aws-lambda',
    file: 'hono-aws-lambda.mjs',
    pkg: 'hono',
    checks:
      'hono/aws-lambda handle(app) given a Function URL event: route params, query, JSON body, status',
    event: () => lambdaUrlEvent('POST', '/echo', '', JSON.stringify({ a: [1, 2] })),
    check: (r) => {
      expect(r.statusCode).toBe(201);
      expect(JSON.parse(r.body)).toEqual({ received: { a: [1, 2] }, ua: 'compat/1' });
    },
  },
  {
    name: 'hono-aws-lambda-get',
    file: 'hono-aws-lambda.mjs',
    pkg: 'hono',
    checks: 'the same app: GET with a path parameter and a query string',
    event: () => lambdaUrlEvent('GET', '/users/42', 'tab=posts'),
    check: (r) => {
      expect(r.statusCode).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ id: '42', tab: 'posts' });
    },
  },
  {
    name: 'superjson',
    file: 'superjson.mjs',
    pkg: 'superjson',
    checks:
      'serialize Date/Map/Set/BigInt/RegExp/undefined with meta, and parse back to the same types',
    event: () => ({ at: AT }),
    check: (r) => {
      expect(r.back).toEqual({
        when: AT,
        map: [
          ['a', 1],
          ['b', 2],
        ],
        set: [1, 2, 3],
        big: '12345678901234567890',
        re: 'gi',
        hasNothing: true,
      });
      expect(r.meta.values.big).toEqual(['bigint']);
    },
  },
  {
    name: 'immer',
    file: 'immer.mjs',
    pkg: 'immer',
    checks: 'produce with structural sharing and auto-freeze, patches/inverse patches, Map drafts',
    event: () => ({
      state: {
        todos: [
          { id: 1, text: 'a', done: false },
          { id: 2, text: 'b', done: false },
        ],
        user: { name: 'Ada', temp: 1 },
      },
    }),
    check: (r) => {
      expect([r.sharedUntouched, r.frozen, r.frozenWrite, r.baseUnchanged]).toEqual([
        true,
        true,
        'TypeError',
        2,
      ]);
      expect(r.patches).toEqual([
        { op: 'replace', path: ['user', 'name'], value: 'Grace' },
        { op: 'remove', path: ['user', 'temp'] },
      ]);
    },
  },
  {
    name: 'semver',
    file: 'semver.cjs',
    pkg: 'semver',
    checks: 'sort, valid, maxSatisfying, prerelease ranges, coerce, inc, validRange, diff',
    event: () => ({
      versions: ['1.2.10', '1.2.9', '2.0.0-rc.1', '1.10.0', 'v1.3.0', 'bad', '0.9.0'],
    }),
    check: (r) => {
      expect(r.satisfying).toBe('1.10.0');
      expect(r.satisfies).toEqual([false, true]);
      expect(r.coerced).toBe('2.3.0');
    },
  },
  {
    name: 'mime',
    file: 'mime.mjs',
    pkg: 'mime',
    checks: 'getType/getExtension/getAllExtensions and a custom Mime instance',
    event: () => ({
      paths: ['a/b/photo.JPG', 'data.json', 'x.tar.gz', 'noext', '.md', 'page.html'],
    }),
    check: (r) => {
      expect(r.types).toEqual([
        'image/jpeg',
        'application/json',
        'application/gzip',
        null,
        'text/markdown',
        'text/html',
      ]);
      expect(r.custom).toEqual(['application/x-compat', 'cmp']);
    },
  },
  {
    name: 'pako',
    file: 'pako.cjs',
    pkg: 'pako',
    checks:
      'deflate/gzip bytes equal Node, inflate of data Node zlib compressed, corrupt-input error',
    event: () => {
      const text = PAKO_TEXT;
      return {
        text,
        zlibDeflated: deflateSync(text.repeat(5)).toString('base64'),
        zlibGzipped: gzipSync('from node gzip').toString('base64'),
      };
    },
    check: (r) => {
      expect([r.roundTrip, r.fromNode, r.fromNodeGzip]).toEqual([
        true,
        PAKO_TEXT.repeat(5),
        'from node gzip',
      ]);
      expect(r.corrupt).toMatch(/incorrect header check/);
      // pako is a port of zlib: same level, same bytes as Node's zlib.
      expect(r.deflated).toBe(deflateSync(PAKO_TEXT.repeat(20), { level: 9 }).toString('base64'));
    },
  },
  {
    name: 'xml2js',
    file: 'xml2js.cjs',
    pkg: 'xml2js',
    checks: 'parseString (callback), async chunked Parser (setImmediate), parse error, Builder',
    event: () => ({
      xml: '<root><item id="1">tea</item><item id="2">cake</item><note lang="en">hi &amp; bye</note></root>',
    }),
    check: (r) => {
      expect(r.viaCallback.root.item).toEqual([
        { _: 'tea', $: { id: '1' } },
        { _: 'cake', $: { id: '2' } },
      ]);
      expect(r.viaPromise.root.note).toEqual([{ _: 'hi & bye', lang: ['en'] }]);
      expect(r.error).toMatch(/Unexpected close tag/);
      expect(r.built).toBe(
        '<order id="7">\n  <item qty="2">tea</item>\n  <item>cake &amp; more</item>\n</order>',
      );
    },
  },
  {
    name: 'csv-parse',
    file: 'csv-parse.mjs',
    pkg: 'csv-parse',
    checks:
      'stream API through stream/promises pipeline (Readable.from, Transform, Writable), sync API, errors',
    event: () => ({ chunks: ['name,age\nAda', ',36\n"Bob, Jr",', '7\n'] }),
    check: (r) => {
      expect(r.rows).toEqual([
        { name: 'Ada', age: 36 },
        { name: 'Bob, Jr', age: 7 },
      ]);
      expect(r.error.code).toBe('CSV_RECORD_INCONSISTENT_FIELDS_LENGTH');
    },
  },
  {
    name: 'iconv-lite',
    file: 'iconv-lite.cjs',
    pkg: 'iconv-lite',
    checks:
      'encode to legacy code pages (bytes equal Node), decode windows-1252, BOM, Buffer results',
    event: () => ({
      text: 'Grüße, €5 — 日本',
      win1252: Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65, 0x20, 0x80, 0x35]).toString('base64'),
    }),
    check: (r) => {
      expect(r.decoded).toBe('Grüße €5');
      expect(r.encoded.utf16le).toBe(Buffer.from('Grüße, €5 — 日本', 'utf16le').toString('base64'));
      expect(r.bom).toBe('fffe68006900');
    },
  },
  {
    name: 'aws4',
    file: 'aws4.cjs',
    pkg: 'aws4',
    checks:
      'SigV4 signing (crypto HMAC/SHA-256, querystring, url) of GET, POST and a presigned URL; signatures equal Node',
    event: () => ({
      secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      amzDate: '20240315T134530Z',
    }),
    check: (r) => {
      expect(r.get.headers.Authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240315\/us-east-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
      );
      expect(r.presigned).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
    },
  },
  {
    name: 'stripe',
    file: 'stripe.mjs',
    pkg: 'stripe',
    checks:
      'worker build: customers create/list, card error as StripeCardError, webhook signature (constructEventAsync)',
    event: (f) => ({ baseUrl: f.baseUrl, webhookSecret: 'whsec_standin', timestamp: IAT }),
    check: (r) => {
      expect(r.customer).toEqual({
        id: 'cus_standin1',
        email: 'ada@example.com',
        metadata: { plan: 'pro' },
      });
      expect([r.listed, r.hasMore]).toEqual([['cus_a', 'cus_b'], true]);
      expect(r.apiError).toMatchObject({
        type: 'StripeCardError',
        code: 'card_declined',
        status: 402,
      });
      expect([r.verified, r.badSignature]).toEqual([
        'customer.created',
        'StripeSignatureVerificationError',
      ]);
      const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'customer.created' });
      const v1 = createHmac('sha256', 'whsec_standin').update(`${IAT}.${payload}`).digest('hex');
      expect(r.header).toBe(`t=${IAT},v1=${v1}`);
    },
  },
  {
    name: 'stripe-webhook-sync',
    file: 'stripe.mjs',
    pkg: 'stripe',
    checks: 'the synchronous webhook helpers (generateTestHeaderString, constructEvent)',
    event: (f) => ({
      baseUrl: f.baseUrl,
      webhookSecret: 'whsec_standin',
      timestamp: IAT,
      synchronousWebhooks: true,
    }),
    check: (r) => expect(r.verified).toBe('customer.created'),
  },
  {
    name: 'pg',
    file: 'pg.cjs',
    pkg: 'pg',
    checks: 'a PostgreSQL client: connecting to a closed loopback port fails with ECONNREFUSED',
    // Port 1 on loopback: nothing listens there, in Node or anywhere else.
    event: () => ({ databaseUrl: 'postgres://u:p@127.0.0.1:1/db' }),
    check: (r) => expect(r).toEqual({ connected: false, code: 'ECONNREFUSED' }),
  },
  {
    name: 'node-builtins',
    file: 'node-builtins.cjs',
    pkg: '(Node built-ins)',
    checks:
      'Lambda code on Node modules: crypto HMAC/scrypt/AES-GCM, zlib, Buffer, stream pipeline, events.once, util, path, url, querystring, string_decoder, assert, AsyncLocalStorage',
    event: () => ({ text: 'hello Lambda 👋', secret: 'k' }),
    check: (r) => {
      expect(r.hmac).toBe(createHmac('sha256', 'k').update('hello Lambda 👋').digest('hex'));
      expect([r.opened, r.gunzipped, r.streamed, r.ready, r.decoded, r.tracked]).toEqual([
        'hello Lambda 👋',
        'hello Lambda 👋',
        'ABC',
        42,
        '€',
        'req-1',
      ]);
      expect(r.assertion).toEqual({ name: 'AssertionError', code: 'ERR_ASSERTION' });
      expect(r.joined).toBe('/var/opt/layer/index.js');
    },
  },
];

function pems(f: Fixtures) {
  const { rsaPrivatePem, rsaPublicPem, ecPrivatePem, ecPublicPem } = f;
  return { rsaPrivatePem, rsaPublicPem, ecPrivatePem, ecPublicPem };
}

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** A version 3 (MD5) or 5 (SHA-1) UUID as RFC 9562 defines it. */
function nameBased(hash: 'md5' | 'sha1', version: 3 | 5, namespace: string, name: string): string {
  const bytes = createHash(hash)
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name)
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | (version << 4);
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
