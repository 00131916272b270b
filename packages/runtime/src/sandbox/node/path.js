// node:path (POSIX; path.win32 is absent). path-browserify is Node's lib/path.js (POSIX
// part) as a package; unenv's path is pathe, which turns backslashes into separators where
// Node's POSIX path keeps them as characters. resolve() of a relative path starts at
// process.cwd().
import path from 'path-browserify';

// Node's POSIX toNamespacedPath returns its argument; path-browserify predates it.
path.toNamespacedPath ??= (p) => p;

export default path;
