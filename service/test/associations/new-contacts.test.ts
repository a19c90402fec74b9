/** How a guest's name becomes FirstName and LastName (LastName is required by Salesforce). */
import { splitName } from '../../src/associations/new-contacts.ts';

describe('splitName', () => {
  it.each([
    ['Ana María López', 'ana@x.example', { firstName: 'Ana María', lastName: 'López' }],
    ['López, Ana', 'ana@x.example', { firstName: 'Ana', lastName: 'López' }],
    ['Cher', 'cher@x.example', { firstName: null, lastName: 'Cher' }],
    ['  Nina   Patel (Umbrella) ', 'n@x.example', { firstName: 'Nina', lastName: 'Patel' }],
    ['nina@x.example', 'nina.patel@x.example', { firstName: 'Nina', lastName: 'Patel' }],
    [null, 'jean-luc.picard+crm@x.example', { firstName: 'Jean Luc', lastName: 'Picard' }],
    [undefined, 'jdoe@x.example', { firstName: null, lastName: 'Jdoe' }],
    ['', '123@x.example', { firstName: null, lastName: '123' }],
  ])('when the name is %p and the email %p, then %p', (name, email, expected) => {
    expect(splitName(name, email)).toEqual(expected);
  });

  it('when the name is longer than the fields, then it is cut to 40 and 80 characters, never empty', () => {
    const out = splitName(`${'F'.repeat(60)} ${'L'.repeat(120)}`, 'x@x.example');
    expect(out.firstName).toHaveLength(40);
    expect(out.lastName).toHaveLength(80);
  });
});
