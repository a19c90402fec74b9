import { Marked } from 'marked';

/** GitHub-flavoured Markdown to (unsanitized) HTML. */
export function markdownToHtml(markdown: string): string {
  // A private instance: no global options shared with anything else in the process.
  return new Marked({ gfm: true, breaks: false, async: false }).parse(markdown, { async: false });
}
