import fc from 'fast-check';
import {
  EMPTY_SUMMARY_HTML,
  markdownToText,
  NOTE_TAGS,
  renderSummaryAhead,
  sanitizeNoteHtml,
  summaryNoteHtml,
} from '../../src/plan/summary-html.ts';

const tagsIn = (html: string): string[] =>
  [...html.matchAll(/<\/?([a-zA-Z0-9]+)/g)].map((m) => m[1]!.toLowerCase());

describe('summary note HTML', () => {
  it('when the summary is Markdown, then the note keeps its structure in the Enhanced Notes subset', () => {
    const html = summaryNoteHtml(
      '# Next steps\n\n- **Send** the _quote_\n- Book [demo](https://x.example/d)\n\n1. one',
      null,
    );
    expect(html).toBe(
      '<p>Next steps</p><ul><li><b>Send</b> the <i>quote</i></li><li>Book <a href="https://x.example/d">demo</a></li></ul><ol><li>one</li></ol>',
    );
  });

  it('when the summary holds scripts, handlers and javascript links, then none survive and the text stays escaped', () => {
    const html = summaryNoteHtml(
      'Hi <script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3)) <a href="data:text/html,x" onclick="y">d</a> 5 < 6 & "q"',
      null,
    );
    expect(html).not.toMatch(/<script|onerror|onclick|javascript:|data:|<img/i);
    expect(html).toContain('5 &lt; 6 &amp; "q"');
  });

  it('when the summary is empty, then the note says so, with the recording link', () => {
    expect(summaryNoteHtml('  \n', 'https://r.example/1?a=1&b=2')).toBe(
      `${EMPTY_SUMMARY_HTML}<p><a href="https://r.example/1?a=1&amp;b=2">Open the recording in Salescaling</a></p>`,
    );
  });

  it('when anything at all is the summary, then the note has only allowed tags, no handlers, no script URLs, no newlines', () => {
    const hostile = fc.constantFrom(
      '<script>x</script>',
      '<a href="javascript:alert(1)">x</a>',
      '<a href=" JaVaScRiPt:alert(1)">x</a>',
      '<svg onload=alert(1)>',
      '<iframe src="https://e.example">',
      '[l](javascript:alert(1))',
      '<div style="x" onmouseover="y">',
      '![i](https://e.example/i.png)',
      '<p onclick="x">p</p>',
      '**b**',
      '\n\n',
      '`code`',
      '<<>>',
      '&#106;avascript:',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(hostile, fc.string()), { maxLength: 12 }), (parts) => {
        const html = summaryNoteHtml(parts.join(''), 'https://r.example/1');
        for (const tag of tagsIn(html)) expect(NOTE_TAGS as readonly string[]).toContain(tag);
        // Inside real tags (text is escaped, so "<" in text never opens one): only href, only web links.
        for (const [, attrs] of html.matchAll(/<[a-z]+([^>]*)>/g)) {
          expect(attrs!.replace(/ href="(https?:|mailto:)[^"]*"/, '')).toBe('');
        }
        expect(html).not.toMatch(/<script/i);
        expect(html).not.toContain('\n');
      }),
      { numRuns: 400 },
    );
  });

  it('when HTML is sanitized twice, then the second pass changes nothing', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const once = sanitizeNoteHtml(s);
        expect(sanitizeNoteHtml(once)).toBe(once);
      }),
    );
  });

  // Issue 14 item 7: a literal <textarea> or <svg …> used to swallow the rest of the summary.
  const mentions = [
    '<textarea>',
    '<svg width="10">',
    '<svg>',
    '<script>',
    '<style>',
    '<title>',
    '<xmp>',
    '<iframe src="https://e.example">',
    '<noscript>',
    '<noembed>',
    '<noframes>',
    '<plaintext>',
    '<template>',
    '<math>',
    '<select><option>',
    '<object>',
    '<!--',
    '<![CDATA[',
    '<TEXTAREA rows=3>',
  ];

  it('when the summary mentions a tag, then the text after it arrives whole and the tag is shown escaped', () => {
    expect(summaryNoteHtml('Use the <textarea> field, then save it', null)).toBe(
      '<p>Use the &lt;textarea&gt; field, then save it</p>',
    );
    expect(summaryNoteHtml('An <svg width="10"> icon\n\nSecond paragraph', null)).toBe(
      '<p>An &lt;svg width="10"&gt; icon</p><p>Second paragraph</p>',
    );
    expect(markdownToText('Use the <textarea> field, then save it')).toBe(
      'Use the <textarea> field, then save it',
    );
  });

  it('when any text follows any tag mention, then the note and the description keep that text', () => {
    const mention = fc.constantFrom(...mentions);
    const text = fc.string().filter((s) => !s.includes('<'));
    fc.assert(
      fc.property(fc.array(fc.oneof(mention, text), { maxLength: 8 }), (parts) => {
        const summary = `${parts.join(' ')}\n\nzzend tail`;
        expect(summaryNoteHtml(summary, null)).toContain('zzend tail');
        expect(markdownToText(summary)).toContain('zzend tail');
      }),
      { numRuns: 400 },
    );
  });

  it('when summaries are rendered ahead in any order, then each note and text is the one rendered afresh', () => {
    // What each summary renders to with nothing remembered between them (another summary in between).
    const fresh = (summary: string) => {
      markdownToText('~other~');
      const text = markdownToText(summary);
      markdownToText('~other~');
      return { text, note: summaryNoteHtml(summary, 'https://rec.example/1') };
    };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('', '  ', '# A\n\n- *x*', 'B <b>c</b> & d', 'two\n\nparagraphs'), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.nat(2), { minLength: 6, maxLength: 6 }),
        (summaries, steps) => {
          const expected = new Map(summaries.map((s) => [s, fresh(s)]));
          summaries.forEach((s, i) => {
            // ahead then the plan's two asks, in either order, or no rendering ahead at all
            if (steps[i] !== 0) renderSummaryAhead(s);
            const note = steps[i] === 2 ? summaryNoteHtml(s, 'https://rec.example/1') : null;
            expect(markdownToText(s)).toBe(expected.get(s)!.text);
            expect(note ?? summaryNoteHtml(s, 'https://rec.example/1')).toBe(expected.get(s)!.note);
          });
        },
      ),
    );
  });
});
