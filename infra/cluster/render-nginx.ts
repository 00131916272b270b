/**
 * nginx.conf for another topology, changing only what differs: the upstream servers
 * (between the BEGIN/END markers) and the listen port (the line marked `# LISTEN`).
 * Everything else (balancing, retries, timeouts, buffers, logs) stays as shipped.
 */
export function renderNginxConf(
  source: string,
  options: { servers: string[]; listen: string },
): string {
  const begin = source.indexOf('# BEGIN UPSTREAM SERVERS');
  const end = source.indexOf('# END UPSTREAM SERVERS');
  const listen = /listen [^;]+; # LISTEN/;
  if (begin < 0 || end < begin || !listen.test(source)) {
    throw new Error('nginx.conf lost its markers (BEGIN/END UPSTREAM SERVERS, # LISTEN)');
  }
  const lineStart = source.lastIndexOf('\n', begin) + 1;
  const indent = source.slice(lineStart, begin);
  const servers = options.servers
    .map((server) => `${indent}server ${server} max_fails=3 fail_timeout=30s;\n`)
    .join('');
  return (
    source.slice(0, begin) +
    `# BEGIN UPSTREAM SERVERS\n${servers}${indent}` +
    source.slice(end).replace(listen, `listen ${options.listen}; # LISTEN`)
  );
}
