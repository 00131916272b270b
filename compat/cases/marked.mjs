// marked: markdown to HTML (GFM tables, code, lists), the lexer's tokens and a custom renderer.
import { Marked, marked } from 'marked';

export async function handler(event) {
  const custom = new Marked({
    renderer: {
      heading({ tokens, depth }) {
        return `<h${depth} class="x">${this.parser.parseInline(tokens)}</h${depth}>\n`;
      },
    },
  });
  return {
    html: marked.parse(event.markdown),
    tokens: marked.lexer(event.markdown).map((t) => t.type),
    inline: marked.parseInline('**bold** and `code` and [link](https://example.com)'),
    custom: custom.parse('# Title *here*'),
  };
}
