// node:path/posix is node:path's posix, which is node:path itself here.
import path from 'node:path';

export default path.posix;
