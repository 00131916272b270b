// node:stream/promises: pipeline and finished as promises (node:stream's `promises`).
import stream from 'node:stream';

export default stream.promises;
