// fast-xml-parser: validate, parse with attributes and build XML back.
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

export async function handler(event) {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: true,
  });
  const parsed = parser.parse(event.xml);
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
  });
  return {
    valid: XMLValidator.validate(event.xml),
    invalid: XMLValidator.validate('<a><b></a>'),
    parsed,
    built: builder.build(parsed),
  };
}
