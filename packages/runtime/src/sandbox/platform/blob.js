// Blob and File (implemented in fetch/blob-class.js), evaluated on first use.
import { fetchClasses } from './fetch/index.js';
import { standIn } from './fetch/stand-in.js';
import { defineLazy } from './lazy.js';

export const Blob = standIn(() => fetchClasses().Blob);
export const File = standIn(() => fetchClasses().File);

export function install(g, _host) {
  defineLazy(g, 'Blob', () => fetchClasses().Blob);
  defineLazy(g, 'File', () => fetchClasses().File);
}
