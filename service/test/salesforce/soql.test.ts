import { identifier, quote, soql } from '../../src/salesforce/soql.ts';

describe('SOQL building', () => {
  it('when a value holds quotes, backslashes or newlines, then it stays one escaped literal', () => {
    expect(quote("o'brien@x.com")).toBe("'o\\'brien@x.com'");
    expect(soql`SELECT Id FROM Contact WHERE Email = ${"x' OR Name != '"}`).toBe(
      "SELECT Id FROM Contact WHERE Email = 'x\\' OR Name != \\''",
    );
    expect(quote('a\\b\nc"d')).toBe("'a\\\\b\\nc\\\"d'");
  });

  it('when a list is interpolated, then it becomes an IN list of literals; an empty list is refused', () => {
    expect(soql`WHERE Email IN ${['a@x', "b'@x"]}`).toBe("WHERE Email IN ('a@x', 'b\\'@x')");
    expect(() => soql`WHERE Id IN ${[]}`).toThrow(TypeError);
  });

  it('when an identifier is not an API name, then it is refused', () => {
    expect(
      soql`SELECT Id FROM ${identifier('Event')} WHERE ${identifier('Salescaling_Meeting_Id__c')} = ${'m'}`,
    ).toBe("SELECT Id FROM Event WHERE Salescaling_Meeting_Id__c = 'm'");
    expect(() => identifier('Name = 1 OR Id')).toThrow(TypeError);
  });
});
