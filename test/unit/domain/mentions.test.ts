import { describe, expect, it } from 'vitest';
import { mentionedIn, parseMentions, withHandles } from '../../../src/domain/mentions.js';

const people = [
  { id: 'jane', email: 'Jane.Doe@example.test' },
  { id: 'ann-a', email: 'ann@example.test' },
  { id: 'ann-b', email: 'ann@partner.test' },
  { id: 'bob', email: 'bob@example.test' },
];

describe('parseMentions', () => {
  it('reads handles and whole addresses at the start of a word, lower-case, each once, without trailing punctuation', () => {
    expect(parseMentions('@Jane.Doe can you look? cc @bob, and (@ann@partner.test). Thanks @jane.doe.')).toEqual(['jane.doe', 'bob', 'ann@partner.test']);
  });

  it('does not read the @ of an address written in the text, nor a lone @', () => {
    expect(parseMentions('Write to bob@example.test or meet @ 10:00; me@me')).toEqual([]);
  });

  it('reads a mention at the start of a line and after a line break', () => {
    expect(parseMentions('@bob\n@ann@example.test: over to you')).toEqual(['bob', 'ann@example.test']);
  });
});

describe('withHandles', () => {
  it('gives the local part when it is someone’s alone, else the whole address', () => {
    expect(withHandles(people).map((p) => [p.id, p.handle])).toEqual([
      ['jane', 'jane.doe'],
      ['ann-a', 'ann@example.test'],
      ['ann-b', 'ann@partner.test'],
      ['bob', 'bob'],
    ]);
  });
});

describe('mentionedIn', () => {
  it('finds the people a note mentions by handle or by whole address, in the order of the list', () => {
    expect(mentionedIn('@bob and @JANE.DOE, please', people).map((p) => p.id)).toEqual(['jane', 'bob']);
    expect(mentionedIn('ping @bob@example.test', people).map((p) => p.id)).toEqual(['bob']);
  });

  it('mentions no one for a handle two people share, nor for someone not in the list', () => {
    expect(mentionedIn('@ann and @zoe', people)).toEqual([]);
    expect(mentionedIn('@ann@partner.test', people).map((p) => p.id)).toEqual(['ann-b']);
  });

  it('mentions nobody without an @ at the start of a word', () => {
    expect(mentionedIn('mail bob@example.test', people)).toEqual([]);
  });
});
