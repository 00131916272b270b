// node:querystring: unenv's, which is Node's lib/querystring.js.
import querystring from 'unenv/node/querystring';

export default querystring;
