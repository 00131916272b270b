// lodash (CommonJS, the whole library): collections, deep merge/clone, templates (new Function), debounce.
const _ = require('lodash');

exports.handler = async (event) => {
  const orders = event.orders;
  const debounced = [];
  const push = _.debounce((v) => debounced.push(v), 20);
  push(1);
  push(2);
  push(3);
  await new Promise((resolve) => setTimeout(resolve, 60));
  const template = _.template(
    'Hello <%= user %>! <% _.forEach(items, function(i) { %><li><%- i %></li><% }); %>',
  );
  return {
    byCustomer: _.mapValues(_.groupBy(orders, 'customer'), (list) => _.sumBy(list, 'total')),
    sorted: _.map(_.orderBy(orders, ['total', 'id'], ['desc', 'asc']), 'id'),
    chunks: _.chunk(_.range(10), 4),
    merged: _.merge({ a: { b: [1], c: 1 } }, { a: { b: [2, 3], d: 2 } }),
    cloneIsDeep: (() => {
      const c = _.cloneDeep(orders);
      c[0].total = -1;
      return orders[0].total !== -1;
    })(),
    picked: _.pick(orders[0], ['id', 'customer']),
    kebab: _.kebabCase('Hello World fooBar'),
    template: template({ user: 'Ada', items: ['<a>', 'b'] }),
    debounced,
    uniq: _.uniqBy(orders, 'customer').length,
    isEqual: _.isEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }),
  };
};
