// A project with an npm dependency: `make dev` installs node_modules here, and
// `pnpm mini-lambda deploy slugify examples/slugify` zips the directory; the server
// bundles index.ts with slugify into one module.
import slugify from 'slugify';

interface Event {
  title?: string;
}

export function handler(event: Event | null) {
  const title = event?.title ?? 'Hello World';
  return { title, slug: slugify(title, { lower: true, strict: true }) };
}
