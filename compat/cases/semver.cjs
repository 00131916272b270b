// semver (CommonJS): ranges, sorting, coercion, increments.
const semver = require('semver');

exports.handler = async (event) => ({
  sorted: semver.sort(event.versions.filter((v) => semver.valid(v))),
  valid: event.versions.map((v) => semver.valid(v)),
  satisfying: semver.maxSatisfying(event.versions, '^1.2.0'),
  satisfies: [
    semver.satisfies('1.2.3-beta.1', '^1.2.0'),
    semver.satisfies('1.2.3-beta.1', '^1.2.0', { includePrerelease: true }),
  ],
  coerced: semver.coerce('v2.3 beta')?.version,
  incs: ['major', 'minor', 'patch', 'prerelease'].map((r) => semver.inc('1.2.3-alpha.1', r)),
  range: semver.validRange('>=1.2 <2 || ~3.1'),
  diff: semver.diff('1.2.3', '1.3.0'),
  gt: semver.gt('10.0.0', '9.99.99'),
});
