/**
 * The meeting summary (Markdown) as the HTML body of an Enhanced Note (ContentNote).
 *
 * ContentNote.Content takes "properly formatted HTML or plain text"; special characters in text must be
 * escaped, and Salesforce strips unsafe HTML and newline characters before saving
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentnote.htm).
 * The documentation does not list the accepted tags, so the note keeps to what the Enhanced Notes
 * editor itself produces — paragraphs, line breaks, bold, italic, underline, strikethrough, bulleted
 * and numbered lists, and links — and turns everything else into one of those or into escaped text.
 * The result is safe whatever the input: no scripts, no event handlers, no non-web URLs.
 */
import { markdownToHtml } from './markdown.ts';
import sanitizeHtml from 'sanitize-html';

export const NOTE_TAGS = ['p', 'br', 'b', 'i', 'u', 's', 'ul', 'ol', 'li', 'a'] as const;

const NOTE_POLICY: sanitizeHtml.IOptions = {
  allowedTags: [...NOTE_TAGS],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  // Text inside dropped tags stays (escaped); script/style bodies go entirely.
  disallowedTagsMode: 'discard',
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'iframe',
    'object',
    'embed',
    'svg',
    'math',
  ],
  transformTags: {
    strong: 'b',
    em: 'i',
    del: 's',
    strike: 's',
    h1: 'p',
    h2: 'p',
    h3: 'p',
    h4: 'p',
    h5: 'p',
    h6: 'p',
    blockquote: 'p',
    pre: 'p',
    div: 'p',
    hr: 'br',
  },
};

/** Escapes text for an HTML text node or attribute. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Tags whose content an HTML parser reads as raw text or sanitize-html discards with the tag (raw-text
 * and RCDATA elements, foreign content, embedded documents), and comments/CDATA/processing
 * instructions: an unclosed one in a summary ("use the <textarea> field") swallowed everything after
 * it. Marked never produces these itself, so any of them is text the summary mentions: it is shown,
 * escaped, and the rest of the summary stays (issue 14 item 7).
 */
const SWALLOWING = [
  'script',
  'style',
  'textarea',
  'title',
  'xmp',
  'iframe',
  'noscript',
  'noembed',
  'noframes',
  'plaintext',
  'template',
  'svg',
  'math',
  'option',
  'optgroup',
  'select',
  'object',
  'embed',
  'applet',
  'frameset',
  'head',
];
const SWALLOWING_OPEN = new RegExp(`<(?=/?(?:${SWALLOWING.join('|')})(?![a-z0-9-])|[!?])`, 'gi');

/**
 * The last summary rendered: its HTML, and once asked, the note's body and the plain text. A plan
 * renders the same summary twice (the note's HTML, the Event description's text), a lone sync renders
 * it ahead while its look-up is in flight (`renderSummaryAhead`), and parsing and sanitizing Markdown
 * were a visible share of a backlog's CPU. One entry, so nothing grows; the functions are pure, so a
 * hit is the same answer.
 */
let last: { markdown: string; html: string; noteBody?: string; text?: string } | null = null;

function rendered(markdown: string): NonNullable<typeof last> {
  if (last?.markdown !== markdown) last = { markdown, html: markdownHtml(markdown) };
  return last;
}

/** Markdown's HTML with every swallowing tag turned into text, so no text after it can be lost. */
function markdownHtml(markdown: string): string {
  return markdownToHtml(markdown).replace(SWALLOWING_OPEN, '&lt;');
}

/** Any HTML reduced to the note subset; newlines removed, since Salesforce strips them anyway. */
export function sanitizeNoteHtml(html: string): string {
  const clean = sanitizeHtml(html, NOTE_POLICY)
    .replace(/<a>(.*?)<\/a>/gs, '$1')
    .replace(/<p>\s*<\/p>/g, '');
  return clean
    .replace(/>\s*\n\s*</g, '><')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

export const EMPTY_SUMMARY_HTML = '<p><i>Salescaling produced no summary for this meeting.</i></p>';

/** The note body: the summary as safe HTML, then a link to the recording. */
export function summaryNoteHtml(summary: string, recordingUrl: string | null): string {
  const body = summary.trim().length === 0 ? EMPTY_SUMMARY_HTML : noteBody(summary);
  const link =
    recordingUrl === null
      ? ''
      : `<p><a href="${escapeHtml(recordingUrl)}">Open the recording in Salescaling</a></p>`;
  return (body.length === 0 ? EMPTY_SUMMARY_HTML : body) + link;
}

function noteBody(summary: string): string {
  const r = rendered(summary);
  r.noteBody ??= sanitizeNoteHtml(r.html);
  return r.noteBody;
}

/** Plain text from Markdown: for the Event description's summary opening. */
export function markdownToText(markdown: string): string {
  const r = rendered(markdown);
  r.text ??= htmlToText(r.html);
  return r.text;
}

/**
 * Renders a summary's note body and text now, so that the plan asked for them later finds them
 * (sync-meeting.ts: while a lone meeting's look-up is in flight, when the service would idle).
 */
export function renderSummaryAhead(summary: string): void {
  markdownToText(summary);
  if (summary.trim().length > 0) noteBody(summary);
}

function htmlToText(summaryHtml: string): string {
  const html = summaryHtml.replace(/<\/(p|li|h[1-6]|blockquote|pre|tr)>/g, '$&\n');
  const text = sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} });
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
