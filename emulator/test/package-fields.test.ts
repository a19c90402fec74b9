/** The package's custom fields, read from its metadata source the way the org reads them at start. */
import { fieldFromMetadata, findProjectRoot, readPackageFields } from '../src/schema/package-fields.ts';

const xml = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><CustomField xmlns="http://soap.sforce.com/2006/04/metadata">${body}</CustomField>`;

describe('package fields', () => {
  it('when the repository’s force-app is read, then every Activity field applies to both Event and Task', () => {
    const fields = readPackageFields(findProjectRoot());
    const onEvent = fields.filter((f) => f.objectName === 'Event').map((f) => f.schema.name);
    const onTask = fields.filter((f) => f.objectName === 'Task').map((f) => f.schema.name);
    expect(onEvent).toEqual(
      expect.arrayContaining(['Salescaling_Meeting_Id__c', 'Salescaling_Recording_Url__c']),
    );
    expect(onTask.sort()).toEqual(onEvent.sort());
    const meetingId = fields.find((f) => f.schema.name === 'Salescaling_Meeting_Id__c')!.schema;
    expect(meetingId).toMatchObject({ type: 'string', length: 255, externalId: true });
  });

  it('when metadata types are mapped, then they become the describe types Salesforce reports', () => {
    expect(
      fieldFromMetadata(
        xml(
          '<fullName>Notes__c</fullName><label>Notes</label><type>LongTextArea</type><length>32768</length><visibleLines>5</visibleLines>',
        ),
      ),
    ).toMatchObject({
      type: 'textarea',
      length: 32768,
      filterable: false,
    });
    expect(
      fieldFromMetadata(
        xml(
          '<fullName>Done__c</fullName><label>Done</label><type>Checkbox</type><defaultValue>false</defaultValue>',
        ),
      ),
    ).toMatchObject({
      type: 'boolean',
      nillable: false,
    });
    const pick = fieldFromMetadata(
      xml(
        '<fullName>Kind__c</fullName><label>Kind</label><type>Picklist</type><valueSet><valueSetDefinition><value><fullName>A</fullName><default>true</default><label>A</label></value><value><fullName>B</fullName><default>false</default><label>B</label></value></valueSetDefinition></valueSet>',
      ),
    );
    expect(pick?.picklistValues?.map((v) => [v.value, v.defaultValue])).toEqual([
      ['A', true],
      ['B', false],
    ]);
    expect(
      fieldFromMetadata(xml('<fullName>F__c</fullName><label>F</label><type>Formula</type>')),
    ).toBeUndefined();
  });

  it('when there is no force-app, then there are no package fields', () => {
    expect(readPackageFields('/nonexistent-root')).toEqual([]);
  });
});
