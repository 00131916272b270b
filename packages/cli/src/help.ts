import { DEFAULT_URL } from './config.ts';

/** The flags every command takes, as shown at the end of every help text. */
export const GLOBAL_HELP = `Global options:
  --url URL        Server URL (env MINI_LAMBDA_URL, default ${DEFAULT_URL})
  --api-key KEY    API key for management commands (env MINI_LAMBDA_API_KEY),
                   sent as Authorization: Bearer KEY
  -h, --help       Show help`;

const EXIT_HELP = `Exit codes: 0 success, 1 failure (server error, function error, server
unreachable, unreadable file), 2 usage error (unknown command or flag, bad value).`;

/** `mini-lambda --help`: every command with its one-line summary. */
export function mainUsage(commands: readonly { synopsis: string; summary: string }[]): string {
  const width = Math.max(...commands.map((c) => c.synopsis.length));
  const list = commands.map((c) => `  ${c.synopsis.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: mini-lambda <command> [options]

Commands:
${list}
  ${'help [command]'.padEnd(width)}  Show help for a command

${GLOBAL_HELP}

Run 'mini-lambda <command> --help' for a command's options.
${EXIT_HELP}`;
}
