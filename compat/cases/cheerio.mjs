// cheerio: parses HTML, selects, reads and changes the tree, serialises it.
import * as cheerio from 'cheerio';

export async function handler(event) {
  const $ = cheerio.load(event.html);
  $('ul.items li').last().addClass('last').attr('data-n', '3');
  $('h1').text('Changed & escaped <b>');
  return {
    title: $('title').text(),
    items: $('ul.items li')
      .map((_, el) => ({ text: $(el).text().trim(), href: $(el).find('a').attr('href') ?? null }))
      .get(),
    count: $('li').length,
    nested: $('div#main > p.lead').text(),
    extracted: $.extract({ links: [{ selector: 'a', value: 'href' }] }),
    html: $('body').html(),
  };
}
