// sanitizeEmailHtml: what inbound HTML keeps and loses before the dashboard shows it
import { describe, expect, it } from 'vitest';
import { sanitizeEmailHtml } from '../../../functions/core/email/sanitize-html';

describe('sanitizeEmailHtml', () => {
  it('removes scripts, styles, event handlers, frames, forms and SVG', () => {
    const out = sanitizeEmailHtml(
      '<p onclick="steal()" onmouseover="x">Hi</p><script>alert(1)</script><style>p{}</style><iframe src="https://x"></iframe>' +
        '<form action="https://x"><input name="p"></form><svg><script>alert(2)</script></svg><object data="x"></object>',
    );
    expect(out).toBe('<p>Hi</p>');
  });

  it('keeps links only with http, https and mailto, opening in a new tab', () => {
    const out = sanitizeEmailHtml(
      '<a href="https://ok.example">a</a><a href="javascript:alert(1)">b</a><a href="JaVaScRiPt&#58;alert(1)">c</a><a href="mailto:x@y">d</a><a href="data:text/html,x">e</a>',
    );
    expect(out).toContain('<a href="https://ok.example" target="_blank" rel="noopener noreferrer">a</a>');
    expect(out).toContain('href="mailto:x@y"');
    expect(out).not.toMatch(/javascript|data:text/i);
  });

  it('keeps cid, http(s) and raster data images but drops SVG and HTML data URLs', () => {
    const out = sanitizeEmailHtml(
      '<img src="cid:logo@x"><img src="https://img.example/a.png"><img src="data:image/png;base64,AAAA"><img src="data:image/svg+xml;base64,AAAA"><img src="data:text/html,x">',
    );
    expect(out).toContain('src="cid:logo@x"');
    expect(out).toContain('src="https://img.example/a.png"');
    expect(out).toContain('src="data:image/png;base64,AAAA"');
    expect(out).not.toMatch(/svg|text\/html/);
  });

  it('keeps tables and a safe subset of inline CSS, dropping expressions and urls', () => {
    const out = sanitizeEmailHtml(
      '<table border="1"><tr><td colspan="2" style="color: red; background-image: url(https://x); width: expression(alert(1)); font-weight: bold">x</td></tr></table>',
    );
    expect(out).toContain('<table border="1">');
    expect(out).toContain('colspan="2"');
    expect(out).toContain('color:red');
    expect(out).toContain('font-weight:bold');
    expect(out).not.toMatch(/url\(|expression/);
  });

  it('shows markup nested too deeply to parse safely as escaped text, quickly', () => {
    const started = Date.now();
    const out = sanitizeEmailHtml(`${'<div>'.repeat(100_000)}<script>x</script>deep`);
    expect(out.startsWith('<pre>')).toBe(true);
    expect(out).not.toContain('<script');
    expect(out).toContain('deep');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
