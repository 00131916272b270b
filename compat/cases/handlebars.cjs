// handlebars (CommonJS): compiled templates with helpers, partials, each/if and escaping.
const Handlebars = require('handlebars');

exports.handler = async (event) => {
  const hb = Handlebars.create();
  hb.registerHelper('upper', (s) => String(s).toUpperCase());
  hb.registerHelper('money', (n) => `$${Number(n).toFixed(2)}`);
  hb.registerPartial('line', '<li>{{upper name}}: {{money price}}{{#if sale}} (sale){{/if}}</li>');
  const template = hb.compile(event.template);
  let parseError;
  try {
    hb.compile('{{#each}}')();
  } catch (err) {
    parseError = err.message.split('\n')[0];
  }
  return {
    rendered: template(event.context),
    escaped: hb.compile('{{v}} {{{v}}}')({ v: '<i>&</i>' }),
    parseError,
  };
};
