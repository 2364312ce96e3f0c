// The body: the model's text as plain text, and an HTML rendering in which nothing is markup.
import { describe, expect, it } from 'vitest';
import { renderBody } from '../../src/email/message.js';

describe('renderBody', () => {
  it('escapes everything and makes paragraphs of blank lines and <br> of single line breaks', () => {
    const text = 'Hola equipo,\r\nGrupo de 35 personas & <b>urgente</b>\n\n\n<script>alert("x")</script>\n  \nFin\n';
    const body = renderBody(text);
    expect(body.text).toBe('Hola equipo,\nGrupo de 35 personas & <b>urgente</b>\n\n\n<script>alert("x")</script>\n  \nFin\n');
    expect(body.html).toContain(
      '<p>Hola equipo,<br>\nGrupo de 35 personas &amp; &lt;b&gt;urgente&lt;/b&gt;</p>\n' +
        '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>\n<p>Fin</p>',
    );
    expect(body.html).not.toMatch(/<script|<b>/);
    expect(renderBody("O'Brien").html).toContain('<p>O&#39;Brien</p>');
  });
});
