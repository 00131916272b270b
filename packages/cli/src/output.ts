/** Anything with a `write(string)`: process.stdout, or a buffer in tests. */
export interface Writer {
  write(chunk: string): unknown;
}

/** Results go to stdout (for pipes and scripts); progress, warnings and errors to stderr. */
export interface Output {
  result(text: string): void;
  status(text: string): void;
}

export function createOutput(stdout: Writer, stderr: Writer): Output {
  return {
    result: (text) => stdout.write(`${text}\n`),
    status: (text) => stderr.write(`${text}\n`),
  };
}

/** `1.2 KB`, `34.5 MB`: 1024-based, one decimal above bytes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * `file:line:column text` (line and column as the server gives them; esbuild counts columns
 * from 0), keeping as much of the place as is known: `file text`, or `text` alone.
 */
export function formatBuildMessage(message: {
  text: string;
  file?: string | null | undefined;
  line?: number | null | undefined;
  column?: number | null | undefined;
}): string {
  const place: string[] = [];
  for (const part of [message.file, message.line, message.column]) {
    if (part === null || part === undefined || part === '') break;
    place.push(String(part));
  }
  return place.length > 0 ? `${place.join(':')} ${message.text}` : message.text;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}

/** The JSON a function returned, indented when it parses; as received otherwise. */
export function prettyJson(text: string): string {
  if (text === '') return text;
  try {
    // Lossless: the server produced `text` with JSON.stringify inside the isolate.
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
