/**
 * Enhanced Notes: a ContentNote is a ContentDocument whose `Content` is base64 of escaped HTML; it is
 * shared with records through ContentDocumentLink, and its owner gets a link when it is created.
 * ContentNote: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentnote.htm
 * ContentDocumentLink: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentdocumentlink.htm
 */
import { ApiError, requiredFieldsMissing } from '../errors.ts';
import type { StoredRecord } from '../schema/types.ts';
import { rowWithSameKey, type RulesModule } from './object-rules.ts';
import type { Store } from './store.ts';

/** Tags a note body may hold; anything else is refused, as the platform refuses unsafe note HTML. */
const NOTE_TAGS = new Set([
  'p',
  'br',
  'b',
  'strong',
  'i',
  'em',
  'u',
  's',
  'strike',
  'ul',
  'ol',
  'li',
  'a',
  'span',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'code',
  'img',
]);

function decodeNote(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}

function checkNoteHtml(html: string): void {
  const bad = () =>
    new ApiError(
      'FIELD_INTEGRITY_EXCEPTION',
      'Note can’t be saved because it contains HTML tags or unescaped characters that are not allowed in a note.',
      ['Content'],
    );
  for (const m of html.matchAll(/<\/?([a-zA-Z0-9]+)[^>]*>/g)) {
    if (!NOTE_TAGS.has(m[1]!.toLowerCase())) throw bad();
    if (/\son[a-z]+\s*=/i.test(m[0]) || /javascript:/i.test(m[0])) throw bad();
  }
  const withoutTags = html.replace(/<\/?[a-zA-Z0-9]+[^>]*>/g, '');
  if (/<|>/.test(withoutTags)) throw bad();
  if (/&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)/.test(withoutTags)) throw bad();
}

function textPreview(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/p>|<\/li>/gi, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** A note as the ContentDocument it also is. */
function noteAsDocument(r: StoredRecord): StoredRecord {
  return {
    Id: r.Id as string,
    IsDeleted: r.IsDeleted as boolean,
    OwnerId: r.OwnerId as string,
    Title: r.Title as string,
    FileType: 'SNOTE',
    FileExtension: 'snote',
    ContentSize: r.ContentSize as number,
    LatestPublishedVersionId: r.LatestPublishedVersionId as string,
    Description: null,
    IsArchived: false,
    PublishStatus: 'P',
    CreatedDate: r.CreatedDate as string,
    CreatedById: r.CreatedById as string,
    LastModifiedDate: r.LastModifiedDate as string,
    LastModifiedById: r.LastModifiedById as string,
    SystemModstamp: r.SystemModstamp as string,
  };
}

function* documentView(store: Store, includeDeleted: boolean): Iterable<StoredRecord> {
  for (const r of store.table('ContentNote').values()) {
    if (!includeDeleted && r.IsDeleted === true) continue;
    yield noteAsDocument(r);
  }
}

export function contentRules(): RulesModule {
  return {
    objects: {
      ContentDocument: { view: documentView },
      ContentNote: {
        alias: { as: 'ContentDocument', project: noteAsDocument },
        beforeWrite(org, record, previous, changed) {
          record.FileType = 'SNOTE';
          record.FileExtension = 'snote';
          if (!previous) {
            record.IsReadOnly = false;
            record.LatestPublishedVersionId = org.store.ids.next('068');
            record.LatestContentId = record.LatestPublishedVersionId;
          }
          if (changed.has('Content')) {
            const raw = typeof record.Content === 'string' ? record.Content : '';
            const html = decodeNote(raw);
            checkNoteHtml(html);
            org.store.setBlob(record.Id as string, html);
            record.ContentSize = Buffer.byteLength(html, 'utf8');
            record.TextPreview = textPreview(html) || null;
          } else if (!previous) {
            org.store.setBlob(record.Id as string, '');
            record.ContentSize = 0;
          }
          // Reading `Content` gives the blob's URL, as the REST API does for base64 fields.
          record.Content = `/services/data/v66.0/sobjects/ContentNote/${String(record.Id)}/Content`;
        },
        afterWrite(org, record, previous) {
          if (previous) return;
          org.insertRecord(
            org.requireSchema('ContentDocumentLink'),
            new Map([
              ['ContentDocumentId', record.Id as string],
              ['LinkedEntityId', record.OwnerId as string],
              ['ShareType', 'I'],
              ['Visibility', 'AllUsers'],
            ]),
          );
        },
      },
      ContentDocumentLink: {
        beforeWrite(org, record, previous) {
          if (!record.ShareType) {
            throw requiredFieldsMissing(['ShareType']);
          }
          if (!['V', 'C', 'I'].includes(String(record.ShareType))) {
            throw new ApiError(
              'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
              `Share Type: bad value for restricted picklist field: ${String(record.ShareType)}`,
              ['ShareType'],
            );
          }
          if (!record.Visibility) record.Visibility = 'AllUsers';
          if (!['AllUsers', 'InternalUsers', 'SharedUsers'].includes(String(record.Visibility))) {
            throw new ApiError(
              'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
              `Visibility: bad value for restricted picklist field: ${String(record.Visibility)}`,
              ['Visibility'],
            );
          }
          if (previous) return;
          const entity = org.live(record.LinkedEntityId as string);
          if (entity?.objectName === 'Event' && entity.record.IsPrivate === true) {
            throw new ApiError(
              'FIELD_INTEGRITY_EXCEPTION',
              'You can’t associate a private event with other records.',
              ['LinkedEntityId'],
            );
          }
          if (rowWithSameKey(org, 'ContentDocumentLink', record, ['ContentDocumentId', 'LinkedEntityId'])) {
            throw new ApiError(
              'DUPLICATE_VALUE',
              `Document with ID: ${String(record.ContentDocumentId)} is already linked with the entity with ID: ${String(record.LinkedEntityId)}`,
              [],
            );
          }
        },
      },
    },
  };
}
