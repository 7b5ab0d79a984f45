import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, trusted } from '../../src/platform/dashboard/html.ts';
import { canonicalJson } from '../../src/platform/audit/audit-log.ts';
import { matches } from '../../src/platform/events/outbox.ts';

test('interpolated values are escaped; nested templates and trusted markup are not', () => {
  const hostile = `<script>alert("x")</script>' onmouseover='1`;
  const out =
    html`<p title="${hostile}">${hostile}${html`<b>${'&'}</b>`}${trusted('<svg></svg>')}${[1, 2]}</p>`.value;
  assert.equal(out.includes('<script>'), false);
  assert.match(out, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&#39; onmouseover=&#39;1/);
  assert.match(out, /<b>&amp;<\/b><svg><\/svg>12<\/p>$/);
});

test('canonical JSON ignores key order', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } }),
    canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }),
  );
  assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: 2 }));
});

test('event type patterns', () => {
  assert.ok(matches(['*'], 'order.created'));
  assert.ok(matches(['order.*'], 'order.paid'));
  assert.ok(!matches(['order.*'], 'refund.created'));
  assert.ok(matches(['refund.created'], 'refund.created'));
});
