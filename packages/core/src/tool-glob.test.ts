import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileToolGlob, matchTool } from './tool-glob.js';

function matches(glob: string | undefined, tool: string): boolean {
  return matchTool(compileToolGlob(glob), tool);
}

// A plain recursive glob matcher to check the compiled one against.
function reference(glob: string, text: string): boolean {
  if (glob.length === 0) return text.length === 0;
  const head = glob[0];
  const rest = glob.slice(1);
  if (head === '*') {
    for (let skip = 0; skip <= text.length; skip++) if (reference(rest, text.slice(skip))) return true;
    return false;
  }
  if (text.length === 0) return false;
  return (head === '?' || head === text[0]) && reference(rest, text.slice(1));
}

describe('an exact tool pattern matches only that tool', () => {
  it('matches the same name and nothing else', () => {
    assert.equal(matches('email.send', 'email.send'), true);
    assert.equal(matches('email.send', 'email.sendx'), false);
    assert.equal(matches('email.send', 'xemail.send'), false);
    assert.equal(matches('email.send', 'email'), false);
    assert.equal(matches('email.send', 'Email.send'), false);
  });
});

describe('a trailing star matches every tool with that prefix', () => {
  it('matches `browser.*` against browser tools only', () => {
    assert.equal(compileToolGlob('browser.*').kind, 'prefix');
    assert.equal(matches('browser.*', 'browser.open'), true);
    assert.equal(matches('browser.*', 'browser.'), true);
    assert.equal(matches('browser.*', 'browser.tabs.close'), true);
    assert.equal(matches('browser.*', 'browser'), false);
    assert.equal(matches('browser.*', 'browserx.open'), false);
    assert.equal(matches('browser.*', 'my.browser.open'), false);
  });
});

describe('a lone star, or no pattern, matches every tool', () => {
  it('matches any name', () => {
    for (const tool of ['a', 'email.send', '', 'x.y.z', 'with space', 'line\nbreak']) {
      assert.equal(matches('*', tool), true);
      assert.equal(matches(undefined, tool), true);
    }
  });
});

describe('a leading star matches every tool with that suffix', () => {
  it('matches `*.send` against send tools only', () => {
    assert.equal(matches('*.send', 'email.send'), true);
    assert.equal(matches('*.send', 'a.b.send'), true);
    assert.equal(matches('*.send', '.send'), true);
    assert.equal(matches('*.send', 'send'), false);
    assert.equal(matches('*.send', 'email.sender'), false);
    assert.equal(matches('*.send', 'emailXsend'), false);
  });

  it('matches names that contain a line break', () => {
    assert.equal(matches('*.send', 'evil\n.send'), true);
    assert.equal(matches('e*l', 'e\nl'), true);
    assert.equal(matches('e?l', 'e\nl'), true);
  });
});

describe('a question mark matches exactly one character', () => {
  it('matches one character, not zero or two', () => {
    assert.equal(matches('sms.s?nd', 'sms.send'), true);
    assert.equal(matches('sms.s?nd', 'sms.sand'), true);
    assert.equal(matches('sms.s?nd', 'sms.snd'), false);
    assert.equal(matches('sms.s?nd', 'sms.seend'), false);
    assert.equal(matches('?', 'a'), true);
    assert.equal(matches('?', ''), false);
  });
});

describe('regular-expression characters in a pattern are literal', () => {
  it('treats `+`, `.`, brackets and friends as themselves', () => {
    assert.equal(matches('a+b.c', 'a+b.c'), true);
    assert.equal(matches('a+b.c', 'aab.c'), false);
    assert.equal(matches('a+b.c', 'a+bxc'), false);
    assert.equal(matches('a+b.c*', 'a+b.c.d'), true);
    assert.equal(matches('*a+b.c', 'xa+b.c'), true);
    assert.equal(matches('*a+b.c', 'xaab.c'), false);
    assert.equal(matches('?(x|y)[0-9]{2}$^\\', 'q(x|y)[0-9]{2}$^\\'), true);
    assert.equal(matches('?(x|y)[0-9]{2}', 'qx12'), false);
  });

  it('agrees with a plain glob matcher on any pattern and name', () => {
    const alphabet = fc.constantFrom('a', 'b', '.', '+', '*', '?', '\\', '[', ']', '(', ')', '$', '^', '|', '\n', 'é');
    const glob = fc.string({ unit: alphabet, minLength: 1, maxLength: 8 });
    const text = fc.string({ unit: alphabet, maxLength: 10 });
    fc.assert(
      fc.property(glob, text, (pattern, tool) => {
        assert.equal(matches(pattern, tool), reference(pattern, tool));
      }),
      { numRuns: 5000 },
    );
  });
});
