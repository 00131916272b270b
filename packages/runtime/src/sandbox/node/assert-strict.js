// node:assert/strict: assert's strict variant (Node's require('assert/strict') === require('assert').strict).
import assert from 'node:assert';

export default assert.strict;
